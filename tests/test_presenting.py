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
    inert = {"header", "colab-setup", "hide-input", "hide-output", "parameters", "nbval-ignore-output", "predict"}
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
