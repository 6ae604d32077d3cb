"""Presenting: Run All never stops, every heading starts a slide, JupyterLab's kernelspec, decks and site build.

These checks read the committed notebooks only (fast). The browser checks are in tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from utils.data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import sync_notebooks  # noqa: E402

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (REPO_ROOT / "solutions").glob("*.ipynb")
)
IDS = [f"{path.parent.name}/{path.name}" for path in NOTEBOOKS]

# Everything that makes a run differ from Colab's "Run all", which ignores cell tags and stops at the first
# error: nbval's markers that let a cell raise or skip it, and the tags JupyterLab/nbclient/papermill honour.
EXECUTION_MARKERS = ("NBVAL_RAISES_EXCEPTION", "NBVAL_SKIP")
EXECUTION_TAGS = {"raises-exception", "nbval-raises-exception", "nbval-skip", "skip-execution"}
HEADING = re.compile(r"^#{2,3} ")
FENCE = re.compile(r"^\s*(```|~~~)")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def heading_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, line) of every '## '/'### ' heading outside fenced code blocks."""
    found, fenced = [], False
    for number, line in enumerate(markdown.splitlines()):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and HEADING.match(line):
            found.append((number, line))
    return found


def test_heading_lines_are_found_anywhere_in_a_cell():
    text = "Some words.\n\n## A section\n```python\n## a comment in code\n```\n### Sub"
    assert heading_lines(text) == [(2, "## A section"), (6, "### Sub")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_error_outputs_and_nothing_that_lets_a_cell_fail(path):
    """Run All (Colab, JupyterLab, VS Code, nbconvert) stops at the first error: none may be committed."""
    problems = []
    for index, cell in enumerate(c for c in cells(path) if c["cell_type"] == "code"):
        where = f"code cell {index + 1}"
        for marker in EXECUTION_MARKERS:
            if marker in source(cell):
                problems.append(f"{where} has # {marker}: catch the error and print it instead")
        for tag in EXECUTION_TAGS.intersection(cell.get("metadata", {}).get("tags", [])):
            problems.append(f"{where} is tagged {tag!r} (Colab ignores tags)")
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"{where} committed an error output: {output['ename']}: {output['evalue']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_like_colab_with_tags_stripped(path):
    """Colab's Run all ignores every cell tag. The strict nbval run in this suite (notebooks/, solutions/)
    already executes each notebook and fails on any error; it honours only the tags and markers above, which
    the previous test forbids, and NBVAL_IGNORE_OUTPUT, which changes comparison, never execution. So that
    one execution is the same as a run with every tag stripped; here we check the only tags left are inert."""
    inert = {
        "header",
        "colab-setup",
        "hide-input",
        "hide-output",
        "parameters",
        "nbval-ignore-output",
        "predict",
    }
    used = {tag for cell in cells(path) for tag in cell.get("metadata", {}).get("tags", [])}
    assert used <= inert, f"tags whose effect on execution is unknown here: {sorted(used - inert)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_heading_line_starts_its_cell(path):
    """A '##' starts a slide and a '###' a sub-slide only as the first line of a markdown cell."""
    problems = []
    for index, cell in enumerate(cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        for number, line in heading_lines(source(cell)):
            if number != 0:
                problems.append(
                    f"cell {index}, line {number + 1}: {line!r} is not the first line of its cell"
                )
    assert not problems, "split these cells so the heading starts one:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernelspec_is_what_jupyterlab_writes(path):
    """Opening a notebook in JupyterLab must not change the file (no dirty checkout)."""
    metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert metadata["kernelspec"] == sync_notebooks.KERNELSPEC


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_header_navigation_points_at_files_that_exist(path):
    header = source(cells(path)[0])
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", header):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"


def test_slide_deck_builds_with_offline_reveal_and_hidden_test_markers(tmp_path):
    import build_slides

    decks = build_slides.build(tmp_path, notebooks=[NOTEBOOKS[0]])
    html = decks[0].read_text(encoding="utf-8")
    assert "unpkg.com" not in html and "cdnjs" not in html and "cdn.jsdelivr" not in html
    assert (tmp_path / "reveal.js" / "dist" / "reveal.js").exists()
    assert (tmp_path / "reveal.js" / "LICENSE").exists()
    assert "NBVAL_" not in html
    assert "width: 1280" in html and "height: 720" in html


def test_strip_test_markers_keeps_the_code():
    import build_slides

    code = "# NBVAL_IGNORE_OUTPUT\nimport time\n    # NBVAL_IGNORE_OUTPUT trailing\nx = 1  # keep me"
    assert build_slides.strip_test_markers(code) == "import time\nx = 1  # keep me"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_heading_starts_a_slide_or_sub_slide(path):
    """The slide metadata reveal.js and RISE follow: '##' starts a slide, '###' a sub-slide."""
    wrong = []
    for index, cell in enumerate(cells(path)):
        lines = source(cell).splitlines() if cell["cell_type"] == "markdown" else []
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if lines and lines[0].startswith("## ") and kind != "slide":
            wrong.append(f"cell {index} {lines[0]!r} is {kind!r}, not 'slide'")
        if lines and lines[0].startswith("### ") and kind != "subslide":
            wrong.append(f"cell {index} {lines[0]!r} is {kind!r}, not 'subslide'")
    assert not wrong, "run python tools/sync_notebooks.py:\n" + "\n".join(wrong)


# ---------------------------------------------------------------------------------------------------------
# The core path and what a slide may hold (issue 26), computed from the notebooks' slide metadata: no browser.
# The core path of a notebook = its slides and sub-slides outside sections whose '##' heading contains
# "(Optional)" and outside '## Exercises' (build_slides.slide_plan documents it); at most 25 per notebook.

import ast  # noqa: E402

import build_slides  # noqa: E402

LESSONS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
LESSON_IDS = [path.name for path in LESSONS]
HIDDEN_SLIDE_TYPES = {"skip", "notes"}


def slide_groups(path: Path) -> list[tuple[build_slides.Slide, list[dict]]]:
    """Every slide of the deck with the cells it shows (skipped cells and empty hidden-input cells left out)."""
    notebook_cells = cells(path)
    plan = build_slides.slide_plan(path)
    starts = [slide.cell for slide in plan] + [len(notebook_cells)]
    groups = []
    for slide, end in zip(plan, starts[1:], strict=True):
        shown = []
        for cell in notebook_cells[slide.cell : end]:
            kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
            hidden_input = build_slides.HIDE_INPUT_TAG in cell.get("metadata", {}).get("tags", [])
            if kind in HIDDEN_SLIDE_TYPES or (
                cell["cell_type"] == "code" and hidden_input and not cell["outputs"]
            ):
                continue
            shown.append(cell)
        groups.append((slide, shown))
    return groups


def only_imports(code: str) -> bool:
    """Whether ``code`` is nothing but import statements (and comments)."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in body)


def core_table() -> str:
    rows = []
    for path in LESSONS:
        plan = build_slides.slide_plan(path)
        count = {
            part: sum(slide.part == part for slide in plan) for part in ("core", "optional", "exercises")
        }
        rows.append(
            f"{path.stem}: {count['core']} core, {count['optional']} optional, {count['exercises']} exercises"
        )
    return "\n".join(rows)


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_core_path_has_at_most_25_slides(path):
    plan = build_slides.slide_plan(path)
    core = [slide for slide in plan if slide.core]
    listing = "\n".join(f"  {slide.number:>3} {slide.kind:<8} {slide.heading[:70]}" for slide in core)
    assert len(core) <= build_slides.MAX_CORE_SLIDES, (
        f"{path.name}: {len(core)} slides on the core path (at most {build_slides.MAX_CORE_SLIDES}); mark "
        f"sections '## N. (Optional) …' after the core, or merge/cut slides:\n{listing}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_heading_only_slide_and_no_imports_only_slide(path):
    problems = []
    for slide, shown in slide_groups(path):
        where = f"slide {slide.number} ({slide.heading[:60]!r})"
        if not shown:
            problems.append(f"{where} shows nothing")
            continue
        texts = [source(cell).strip() for cell in shown]
        if len(shown) == 1 and shown[0]["cell_type"] == "markdown" and len(texts[0].splitlines()) == 1:
            problems.append(f"{where} is only its heading: put its first explanation or code on it")
        if all(cell["cell_type"] == "code" and only_imports(source(cell)) for cell in shown):
            problems.append(
                f"{where} is only imports: merge them into the imports cell or the cell that uses them"
            )
    assert not problems, f"{path.parent.name}/{path.name}:\n" + "\n".join(problems)


def test_only_imports_and_slide_parts_on_a_small_notebook():
    assert only_imports("import torch\nfrom pathlib import Path  # files\n")
    assert not only_imports("import torch\ntorch.manual_seed(0)") and not only_imports("")

    def md(text, kind):
        return {"cell_type": "markdown", "source": text, "metadata": {"slideshow": {"slide_type": kind}}}

    notebook = {
        "cells": [
            md("# 09 · Title", "slide"),
            md("## 1. Core", "slide"),
            md("### 1.1 Core detail", "subslide"),
            md("### An aside (Optional)", "subslide"),
            md("### Back in the core", "subslide"),
            md("## 2. (Optional) Depth", "slide"),
            md("### Still optional", "subslide"),
            md("## Exercises", "slide"),
            md("**Exercise 09.1.** Do it.", "subslide"),
            md("## Summary", "slide"),
            md("text", "-"),
        ]
    }
    parts = [(slide.heading, slide.part) for slide in build_slides.slide_plan(notebook, "notebooks")]
    assert parts == [
        ("09 · Title", "core"),
        ("1. Core", "core"),
        ("1.1 Core detail", "core"),
        ("An aside (Optional)", "optional"),
        ("Back in the core", "core"),
        ("2. (Optional) Depth", "optional"),
        ("Still optional", "optional"),
        ("Exercises", "exercises"),
        ("**Exercise 09.1.** Do it.", "exercises"),
        ("Summary", "core"),
    ]
    kept = build_slides.core_cells(notebook)["cells"]
    assert [source(cell) for cell in kept if "Optional" in source(cell) or "optional" in source(cell)] == []
    assert len(kept) == len(notebook["cells"]) - 3


def test_core_deck_leaves_out_the_optional_slides(tmp_path):
    with_optional = [
        path for path in LESSONS if any(s.part == "optional" for s in build_slides.slide_plan(path))
    ]
    if not with_optional:
        pytest.skip("no notebook has an (Optional) section yet")
    path = with_optional[0]
    plan = build_slides.slide_plan(path)
    deck = build_slides.build(tmp_path, notebooks=[path], core=True)[0].read_text(encoding="utf-8")
    assert leaf_sections(deck) == sum(slide.part != "optional" for slide in plan), core_table()
    assert not re.search(r"<h[23][^>]*>[^<]*\(Optional\)", deck, re.I), (
        "an optional heading is in the core deck"
    )


def leaf_sections(page: str) -> int:
    """The number of reveal slides in a deck's HTML: <section> elements holding no other <section>."""
    import html.parser

    class Sections(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack: list[bool] = []  # per open section: has a child section
            self.leaves = 0

        def handle_starttag(self, tag, attrs):
            if tag == "section":
                if self.stack:
                    self.stack[-1] = True
                self.stack.append(False)

        def handle_endtag(self, tag):
            if tag == "section" and self.stack:
                self.leaves += not self.stack.pop()

    parser = Sections()
    parser.feed(page)
    return parser.leaves


def test_deck_template_never_shrinks_a_slide():
    """Sizes are the ones on screen at 1280×720: no margin (reveal scale 1) and no shrink-to-fit zoom."""
    template = (build_slides.TEMPLATES / "course_reveal" / "index.html.j2").read_text(encoding="utf-8")
    assert "margin: 0" in template and "style.zoom" not in template
    assert "--jp-code-font-size: 18px" in template and "--jp-content-font-size1: 20px" in template
