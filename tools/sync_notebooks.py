"""Keep every notebook's header, Colab setup cell, slide metadata and the README course map in sync.

The GitHub slug and branch are set in one place, ``[tool.course]`` in ``pyproject.toml``; the course map
(file, title, what it teaches) is :data:`COURSE_MAP` below. Run

    python tools/sync_notebooks.py          # rewrite notebooks and README.md
    python tools/sync_notebooks.py --check  # exit 1 and list what disagrees (used by the tests)

Only cell sources and metadata change; outputs are left as they are, so nbval results are unaffected.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
SOLUTIONS = REPO_ROOT / "solutions"
README = REPO_ROOT / "README.md"
HEADER_TAG = "header"
SETUP_TAG = "colab-setup"
MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


@dataclass(frozen=True)
class Lesson:
    number: str
    filename: str
    title: str
    teaches: str
    # what the Colab setup cell installs beyond requirements-colab.txt (a heavy stack only one notebook needs)
    colab_extra: str | None = None


COURSE_MAP = [
    Lesson("00", "00_setup_check.ipynb", "Setup check",
           "your environment, package versions and offline readiness",
           colab_extra="requirements-colab-transformers.txt"),
    Lesson("01", "01_word_vectors_and_analogies.ipynb", "Word vectors and analogies",
           "why one-hot vectors carry no meaning; pretrained GloVe vectors; similarity, neighbours, "
           "king − man + woman ≈ queen; evaluation against the published papers"),
    Lesson("02", "02_embedding_lookup.ipynb", "Embedding lookup",
           "`torch.nn.Embedding` as a trainable lookup table; shapes `(B, T) → (B, T, d)`; "
           "GPT-2/GPT-3 sizes; which rows a gradient touches"),
    Lesson("03", "03_embedding_vs_one_hot_linear.ipynb", "Embedding = one-hot × linear",
           "an embedding layer is a one-hot linear layer, forward and backward; why the lookup wins, measured"),
    Lesson("04", "04_sliding_window_batching.ipynb", "Sliding-window batching",
           "GPT-2 BPE tokens of a real text; next-token pairs; sliding windows, stride and overlap; "
           "`DataLoader` batches; zero-copy windows beyond RAM"),
    Lesson("05", "05_positional_embeddings.ipynb", "Positional embeddings",
           "why position must be added; learned absolute, sinusoidal, rotary (RoPE) and ALiBi positions; "
           "beyond the training length; the full input pipeline",
           colab_extra="requirements-colab-transformers.txt"),
    Lesson("06", "06_training_word_embeddings.ipynb", "Training word embeddings",
           "word2vec (skip-gram, negative sampling) as two `nn.Embedding` tables, trained on a real corpus "
           "and compared with gensim"),
    Lesson("07", "07_inside_a_trained_transformer.ipynb", "Inside a trained transformer",
           "the token and position tables of a real trained model (all-MiniLM-L6-v2, offline): neighbours "
           "vs GloVe, the learned position table beside the sinusoidal one, the embedding layer rebuilt "
           "by hand, static rows vs contextual vectors; GPT-2 by one setting online",
           colab_extra="requirements-colab-transformers.txt"),
    Lesson("08", "08_positions_measured.ipynb", "Positions measured",
           "a tiny causal transformer trained with no positions, learned, sinusoidal, RoPE and ALiBi on two "
           "tasks; accuracy beyond the training length against the order-blind floor, over seeds"),
]


def course_settings() -> tuple[str, str]:
    """The GitHub slug and branch from ``[tool.course]`` in pyproject.toml."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["course"]
    return config["github_slug"], config["branch"]


def colab_url(folder: str, filename: str) -> str:
    slug, branch = course_settings()
    return f"https://colab.research.google.com/github/{slug}/blob/{branch}/{folder}/{filename}"


def badge(folder: str, filename: str) -> str:
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(folder, filename)})")


def header_source(lesson: Lesson, folder: str = "notebooks") -> str:
    """Markdown of a notebook's first cell: title, Colab badge, navigation."""
    index = COURSE_MAP.index(lesson)
    # A solution notebook links to its neighbours' solutions (files beside it in solutions/).
    target = solution_name if folder == "solutions" else (lambda other: other.filename)
    nav = []
    if index > 0:
        previous = COURSE_MAP[index - 1]
        nav.append(f"[← {previous.number} {previous.title}]({target(previous)})")
    nav.append("[Course map](../README.md#course-map)")
    if index + 1 < len(COURSE_MAP):
        following = COURSE_MAP[index + 1]
        nav.append(f"[{following.number} {following.title} →]({target(following)})")
    title = f"# {lesson.number} · {lesson.title}"
    if folder == "solutions":
        title += " — solutions (for instructors)"
    return f"{title}\n\n{badge(folder, solution_name(lesson) if folder == 'solutions' else lesson.filename)}" \
           f"\n\n{' · '.join(nav)}"


COLAB_DIR_ENV = "COURSE_COLAB_DIR"


def setup_source(lesson: Lesson | None = None) -> str:
    """The Colab setup cell: fetch the course and the packages Colab lacks; locally do nothing.

    The clone goes to ``/content/<repository>`` unless ``COURSE_COLAB_DIR`` names another folder
    (tests/test_colab_simulation.py runs it in a temporary folder)."""
    slug, branch = course_settings()
    folder = "/content/" + slug.split("/")[-1]
    extra = f', "-r",\n                    f"{{COURSE_DIR}}/{lesson.colab_extra}"' if lesson and lesson.colab_extra else ""
    return f'''# Setup for Google Colab: fetch the course's code and data and the packages Colab lacks.
# Locally (and in CI) this cell does nothing. Running it twice is harmless.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    # Colab works in /content; COURSE_COLAB_DIR moves the clone (the course's Colab test uses it).
    COURSE_DIR = os.environ.get("{COLAB_DIR_ENV}", "{folder}")
    if not os.path.isdir(COURSE_DIR):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",
                        "https://github.com/{slug}.git", COURSE_DIR], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "-r",
                    f"{{COURSE_DIR}}/requirements-colab.txt"{extra}], check=True)
    if COURSE_DIR not in sys.path:
        sys.path.insert(0, COURSE_DIR)'''


def solution_name(lesson: Lesson) -> str:
    return lesson.filename.replace(".ipynb", "_solutions.ipynb")


def slide_type(cell: dict, previous: str | None, folder: str = "notebooks") -> str:
    """Slide type for RISE / nbconvert slides: a new slide per '##' heading, a sub-slide per '###'.

    Each exercise ("**Exercise NN.k.**" starting a markdown cell) gets a sub-slide of its own under
    "## Exercises", and a slide of its own in a solution notebook (which has no '##' sections)."""
    tags = cell.get("metadata", {}).get("tags", [])
    source = "".join(cell.get("source", ""))
    if HEADER_TAG in tags:
        return "slide"
    if SETUP_TAG in tags:
        return "skip"
    if cell["cell_type"] == "markdown":
        if source.startswith("## "):
            return "slide"
        if source.startswith("### "):
            return "subslide"
        if source.startswith("**Exercise "):
            return "slide" if folder == "solutions" else "subslide"
    return "-" if previous is not None else "slide"


def sync_notebook(path: Path, lesson: Lesson, folder: str) -> dict:
    """Return the notebook at ``path`` with header, setup cell, slide and kernel metadata regenerated."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    # Exactly what JupyterLab writes for this environment's kernel, so opening a notebook changes nothing.
    notebook.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
    cells = notebook["cells"]
    header = next((c for c in cells if HEADER_TAG in c.get("metadata", {}).get("tags", [])), None)
    if header is None:
        raise SystemExit(f"{path}: no cell tagged {HEADER_TAG!r} (the title + badge cell must be first)")
    header["source"] = header_source(lesson, folder)
    for cell in cells:
        if SETUP_TAG in cell.get("metadata", {}).get("tags", []):
            cell["source"] = setup_source(lesson)
    previous, imports_pending = None, True
    for cell in cells:
        kind = slide_type(cell, previous, folder)
        if kind == "-" and imports_pending and cell["cell_type"] == "code":
            # The first code cell after the Colab setup (the imports) is skipped on slides (reveal.js and RISE:
            # run the notebook before presenting), so the title slide holds only the title, the links and
            # "What you will learn", and no slide is only an imports cell.
            kind = "skip"
        if cell["cell_type"] == "code" and SETUP_TAG not in cell.get("metadata", {}).get("tags", []):
            imports_pending = False
        cell.setdefault("metadata", {})["slideshow"] = {"slide_type": kind}
        previous = kind
        if "hide-input" in cell["metadata"].get("tags", []):
            # JupyterLab (and its live slideshow, RISE) collapse the code of plotting cells as the decks do.
            cell["metadata"].setdefault("jupyter", {})["source_hidden"] = True
    return notebook


def render(notebook: dict) -> str:
    """Serialise exactly as Jupyter does, so a synced notebook and a saved one never differ by format."""
    return nbformat.writes(nbformat.from_dict(notebook)) + "\n"


def course_map_markdown() -> str:
    rows = ["| # | notebook | teaches | Colab |", "|---|---|---|---|"]
    for lesson in COURSE_MAP:
        present = (NOTEBOOKS / lesson.filename).exists()
        name = f"[{lesson.title}](notebooks/{lesson.filename})" if present else f"{lesson.title} (coming)"
        colab = badge("notebooks", lesson.filename) if present else ""
        rows.append(f"| {lesson.number} | {name} | {lesson.teaches} | {colab} |")
    return "\n".join(rows)


def sync_readme(text: str) -> str:
    pattern = re.compile(re.escape(MAP_START) + ".*?" + re.escape(MAP_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {MAP_START} … {MAP_END} block")
    return pattern.sub(lambda _: f"{MAP_START}\n{course_map_markdown()}\n{MAP_END}", text)


def planned_files() -> dict[Path, str]:
    """Every file this tool manages, with the content it should have."""
    files: dict[Path, str] = {}
    for lesson in COURSE_MAP:
        for folder, name in (("notebooks", lesson.filename), ("solutions", solution_name(lesson))):
            path = REPO_ROOT / folder / name
            if path.exists():
                files[path] = render(sync_notebook(path, lesson, folder))
    files[README] = sync_readme(README.read_text(encoding="utf-8"))
    # JupyterLab's live slideshow (RISE) reads rise.css from the notebook's folder: 18 px code, 20 px prose.
    rise_css = (REPO_ROOT / "tools" / "templates" / "rise" / "rise.css").read_text(encoding="utf-8")
    for folder in ("notebooks", "solutions"):
        files[REPO_ROOT / folder / "rise.css"] = rise_css
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report drift instead of rewriting")
    args = parser.parse_args(argv)
    stale = [
        path
        for path, content in planned_files().items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]
    if args.check:
        for path in stale:
            print(f"out of sync: {path.relative_to(REPO_ROOT)} (run python tools/sync_notebooks.py)")
        return 1 if stale else 0
    for path, content in planned_files().items():
        if path in stale:
            path.write_text(content, encoding="utf-8", newline="\n")
            print(f"updated {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
