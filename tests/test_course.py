"""Course-wide consistency: every notebook follows the skeleton, stays in sync and lints (slides: test_presenting)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from utils.data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import sync_notebooks  # noqa: E402

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((REPO_ROOT / "solutions").glob("*.ipynb"))
LESSONS = {lesson.filename: lesson for lesson in sync_notebooks.COURSE_MAP}
PRIVATE = re.compile(r"(/(?:home|root|Users|work|tmp|private|var)/[\w.-]+)|(0x[0-9a-f]{8,})|([A-Z]:\\\\)")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_setup_check.ipynb"


def test_badges_setup_cells_slides_and_readme_are_in_sync():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "sync_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_notebook_is_on_the_course_map_and_numbered_in_order():
    names = [path.name for path in NOTEBOOKS]
    for name in names:
        assert name in LESSONS, f"{name} is not in COURSE_MAP (tools/sync_notebooks.py)"
        assert name.startswith(LESSONS[name].number + "_")
    numbers = [int(LESSONS[name].number) for name in names]
    assert numbers == list(range(len(numbers))), f"notebooks are not numbered 00, 01, ... without gaps: {numbers}"


def test_readme_course_map_links_every_notebook_with_its_badge():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        lesson = LESSONS[path.name]
        assert f"[{lesson.title}](notebooks/{path.name})" in readme
        assert sync_notebooks.colab_url("notebooks", path.name) in readme
    slug, branch = sync_notebooks.course_settings()
    for url in re.findall(r"https://colab\.research\.google\.com/github/[^)\s]+", readme):
        assert url.startswith(f"https://colab.research.google.com/github/{slug}/blob/{branch}/"), url


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_header_badge_and_setup_cell(path):
    cells = load(path)["cells"]
    first = cells[0]
    assert first["cell_type"] == "markdown" and "header" in tags(first)
    slug, branch = sync_notebooks.course_settings()
    badge = f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path.parent.name}/{path.name}"
    assert badge in source(first)
    setup = [cell for cell in cells if "colab-setup" in tags(cell)]
    lesson = next(lesson for lesson in sync_notebooks.COURSE_MAP
                  if path.name in (lesson.filename, sync_notebooks.solution_name(lesson)))
    assert len(setup) == 1 and source(setup[0]) == sync_notebooks.setup_source(lesson)
    assert setup[0]["outputs"] == [], "the setup cell must print nothing outside Colab"
    assert cells.index(setup[0]) <= 3, "the setup cell must come before any other code"
    for cell in cells:
        assert "slide_type" in cell["metadata"].get("slideshow", {}), "every cell needs slide metadata"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_skeleton(path):
    cells = load(path)["cells"]
    markdown = [source(c) for c in cells if c["cell_type"] == "markdown"]
    assert "**What you will learn.**" in markdown[1], "the second cell says what you will learn"
    assert "**Prerequisites.**" in markdown[1]
    headings = [m.splitlines()[0] for m in markdown if m.startswith("## ")]
    assert "## Exercises" in headings and headings[-1] == "## Summary", headings
    assert headings.index("## Exercises") < headings.index("## Summary")
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    assert re.search(r'check\("\d\d\.\d+"', code), "exercises must use check(...)"
    index = sync_notebooks.COURSE_MAP.index(LESSONS[path.name])
    if index + 1 < len(sync_notebooks.COURSE_MAP):
        following = sync_notebooks.COURSE_MAP[index + 1].filename
        summary = markdown[-1]
        assert following in summary, f"the summary must link to the next notebook, {following}"
    assert "use_course_style()" in code, "figures use the course style"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_checked_solution(path):
    number = LESSONS[path.name].number
    notebook_code = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "code")
    used = set(re.findall(r'check\("(\d\d\.\d+)"', notebook_code))
    solutions = REPO_ROOT / "solutions" / sync_notebooks.solution_name(LESSONS[path.name])
    assert solutions.exists(), f"missing {solutions.name}"
    solution_code = "\n".join(source(c) for c in load(solutions)["cells"] if c["cell_type"] == "code")
    asserted = set(re.findall(r'assert check\("(\d\d\.\d+)"', solution_code))
    from utils.exercises import all_exercises

    registered = {ex.exercise_id for ex in all_exercises(number)}
    assert used == registered, f"exercises in the notebook {sorted(used)} vs registered {sorted(registered)}"
    assert asserted == registered, f"solutions assert {sorted(asserted)}, registered {sorted(registered)}"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_outputs_are_clean(path):
    code_cells = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code_cells]
    assert counts == list(range(1, len(counts) + 1)), "commit the outputs of one clean Restart & Run All"
    for index, cell in enumerate(code_cells, start=1):
        text = source(cell)
        for output in cell["outputs"]:
            where = f"code cell {index}"
            if output["output_type"] == "stream" and output["name"] == "stderr":
                assert "NBVAL_IGNORE_OUTPUT" in text, f"{where} committed stderr: {''.join(output['text'])[:200]}"
            assert output["output_type"] != "error", \
                f"{where} committed an error: catch it and print f\"{{type(error).__name__}}: {{error}}\""
            shown = json.dumps(output.get("text", "")) + json.dumps(output.get("data", {}).get("text/plain", ""))
            shown += json.dumps(output.get("evalue", ""))
            match = PRIVATE.search(shown)
            assert not match, f"{where} shows a machine-specific value: {match.group(0)}"
            if output["output_type"] == "execute_result":
                value = json.dumps(output.get("data", {}).get("text/plain", ""))
                assert "<Figure size" not in value and "<Axes" not in value and "matplotlib." not in value, \
                    f"{where} leaves a figure as its value: end plotting cells with plt.show()"


def test_ruff_lints_utils_tests_tools_and_notebooks():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "utils", "tests", "tools", "benchmarks",
                             "notebooks", "solutions"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_github_workflow_runs_the_readme_test_command():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"## Run the tests\n+```bash\n(.+?)\n```", readme).group(1).strip()
    workflow = (REPO_ROOT / ".github" / "workflows" / "tests.yml").read_text()
    assert f"run: {command}" in workflow
    for system in ("ubuntu-latest", "macos-latest", "windows-latest"):
        assert system in workflow
    assert "cache: pip" in workflow
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().splitlines()[-1] == command
