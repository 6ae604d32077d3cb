"""docs/instructor-guide.md against the notebooks: core times, extensions and the two ready plans (issue 26).

The guide's tables are read here and every number is recomputed from the notebooks' slide metadata
(``build_slides.slide_plan``), so the guide cannot drift from the notebooks:

- "Core path and time per notebook": each notebook's core-slide count is the one the notebook has; its core
  time is at most 45 minutes and leaves at least ``MIN_MINUTES_PER_SLIDE`` per core slide; its extensions
  are exactly its ``(Optional)`` sections, with their slide count.
- Each plan ("A 90-minute lecture…", "A five-lecture series"): every row names sections that exist in that
  notebook, its slide count is the sum of those sections' slides, its minutes leave at least
  ``MIN_MINUTES_PER_SLIDE`` per slide, and a lecture fits 90 minutes.

Section names in the plans: ``core`` (the whole core path), ``title``, ``summary``, ``exercises``, a section
number (``3``) or a range (``1–3``), comma-separated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from utils.data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import build_slides  # noqa: E402

GUIDE = REPO_ROOT / "docs" / "instructor-guide.md"
MAX_CORE_MINUTES = 45
LECTURE_MINUTES = 90
MIN_MINUTES_PER_SLIDE = 1.5  # time to present one slide and run or discuss its cells
SECTION_NUMBER = re.compile(r"^(\d+)\.\s")


def notebook(number: str) -> Path:
    found = sorted((REPO_ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    assert found, f"the guide names notebook {number}, which does not exist in notebooks/"
    return found[0]


def sections(path: Path) -> dict[str, list[build_slides.Slide]]:
    """The notebook's slides by section: "title", "1", "2", …, "exercises", "summary"."""
    grouped: dict[str, list[build_slides.Slide]] = {}
    current = "title"
    for slide in build_slides.slide_plan(path):
        if slide.kind == "slide" and slide.number > 1:
            match = SECTION_NUMBER.match(slide.heading)
            if match:
                current = match.group(1)
            elif slide.heading.lower().startswith("exercises"):
                current = "exercises"
            elif slide.heading.lower().startswith("summary"):
                current = "summary"
            else:
                current = slide.heading
        grouped.setdefault(current, []).append(slide)
    return grouped


def selected_slides(path: Path, spec: str) -> list[build_slides.Slide]:
    """The slides of ``path`` that ``spec`` ("core", "title, 1–3, 5, summary", …) names."""
    grouped = sections(path)
    chosen: list[build_slides.Slide] = []
    for item in (part.strip() for part in spec.split(",")):
        if item == "core":
            chosen += [slide for slide in build_slides.slide_plan(path) if slide.core]
            continue
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", item):
            first, last = (int(n) for n in re.split(r"\s*[–-]\s*", item))
            names = [str(n) for n in range(first, last + 1)]
        else:
            names = [item.removeprefix("§")]
        for name in names:
            assert name in grouped, f"{path.name} has no section {name!r} (sections: {list(grouped)})"
            chosen += grouped[name]
    return chosen


def tables_under(heading: str) -> list[list[dict[str, str]]]:
    """The Markdown tables between ``heading`` and the next heading of the same or a higher level."""
    text = GUIDE.read_text(encoding="utf-8")
    level = len(heading) - len(heading.lstrip("#"))
    start = text.find(heading + "\n")
    assert start >= 0, f"docs/instructor-guide.md has no heading {heading!r}"
    body = text[start + len(heading) :]
    end = re.search(rf"^#{{1,{level}}} ", body, re.M)
    body = body[: end.start()] if end else body
    tables, rows = [], []
    for line in body.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            header, *data = rows
            tables.append(
                [dict(zip(header, row, strict=True)) for row in data if not set(row[0]) <= set("-:")]
            )
            rows = []
    assert tables, f"no table under {heading!r} in docs/instructor-guide.md"
    return tables


def minutes(cell: str) -> int:
    match = re.search(r"(\d+)\s*min", cell) or re.fullmatch(r"\s*(\d+)\s*", cell)
    assert match, f"no minutes in {cell!r}"
    return int(match.group(1))


CORE_HEADING = "## Core path and time per notebook"
PLAN_HEADINGS = ["### A 90-minute lecture on the course's spine", "### A five-lecture series"]


def test_every_notebook_has_a_row_with_its_true_core_count_and_time():
    rows = {row["#"]: row for row in tables_under(CORE_HEADING)[0]}
    problems = []
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        number = path.name[:2]
        if number not in rows:
            problems.append(f"{path.name} has no row")
            continue
        row = rows[number]
        core = sum(slide.core for slide in build_slides.slide_plan(path))
        if int(row["core slides"]) != core:
            problems.append(
                f"{number}: the guide says {row['core slides']} core slides, the notebook has {core}"
            )
        time = minutes(row["core time"])
        if time > MAX_CORE_MINUTES:
            problems.append(f"{number}: core time {time} min > {MAX_CORE_MINUTES}")
        if time < MIN_MINUTES_PER_SLIDE * core:
            problems.append(
                f"{number}: {time} min for {core} core slides is under {MIN_MINUTES_PER_SLIDE} min a slide"
            )
        optional = {
            name
            for name, slides in sections(path).items()
            if name.isdigit() and all(slide.part == "optional" for slide in slides)
        }
        listed = set(re.findall(r"§(\d+)", row["extensions"]))
        for first, last in re.findall(r"§(\d+)\s*[–-]\s*(\d+)", row["extensions"]):
            listed |= {str(n) for n in range(int(first), int(last) + 1)}
        if listed != optional:
            problems.append(
                f"{number}: extensions list sections {sorted(listed, key=int)}, the notebook's optional "
                f"sections are {sorted(optional, key=int)}"
            )
        if optional:
            extra = sum(len(sections(path)[name]) for name in optional)
            if minutes(row["extensions"]) < MIN_MINUTES_PER_SLIDE * extra:
                problems.append(
                    f"{number}: extensions ({extra} slides) need at least {MIN_MINUTES_PER_SLIDE * extra} min"
                )
    assert not problems, "docs/instructor-guide.md, " + CORE_HEADING + ":\n" + "\n".join(problems)


@pytest.mark.parametrize("heading", PLAN_HEADINGS)
def test_plan_sections_exist_and_slide_counts_add_up(heading):
    problems, lectures = [], {}
    for row in tables_under(heading)[0]:
        if row["notebook"] == "" or row.get("sections", "") == "":
            continue
        path = notebook(row["notebook"][:2])
        try:
            slides = selected_slides(path, row["sections"])
        except AssertionError as error:
            problems.append(str(error))
            continue
        where = f"{row['lecture']} / {path.stem[:2]} ({row['sections']})"
        if int(row["slides"]) != len(slides):
            problems.append(f"{where}: the plan says {row['slides']} slides, the sections hold {len(slides)}")
        time = minutes(row["minutes"])
        if time < MIN_MINUTES_PER_SLIDE * len(slides):
            problems.append(f"{where}: {time} min for {len(slides)} slides")
        lectures[row["lecture"]] = lectures.get(row["lecture"], 0) + time
    for lecture, total in lectures.items():
        if total > LECTURE_MINUTES:
            problems.append(f"lecture {lecture}: {total} min > {LECTURE_MINUTES}")
    assert not problems, f"docs/instructor-guide.md, {heading}:\n" + "\n".join(problems)


def test_plans_have_the_promised_shape():
    spine = tables_under(PLAN_HEADINGS[0])[0]
    assert len({row["lecture"] for row in spine}) == 1, "the spine plan is one lecture"
    series = tables_under(PLAN_HEADINGS[1])[0]
    assert len({row["lecture"] for row in series}) == 5, "the series has five lectures"
    covered = {row["notebook"][:2] for row in series if row["sections"] == "core"}
    lessons = {path.name[:2] for path in (REPO_ROOT / "notebooks").glob("*.ipynb")} - {"00"}
    assert lessons <= covered, f"the series leaves out the core of notebooks {sorted(lessons - covered)}"
