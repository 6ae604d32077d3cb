"""Every relative link in the notebooks and Markdown files points at a file (and heading) that exists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from utils.data import REPO_ROOT

SKIP_DIRS = {
    ".git",
    ".venv",
    ".venv-ci",
    "build",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
}
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""(?:href|src)=["']([^"']+)["']""")
FENCE = re.compile(r"^\s*(```|~~~)")


def documents() -> list[Path]:
    found = []
    for path in sorted(REPO_ROOT.rglob("*")):
        parts = set(path.relative_to(REPO_ROOT).parts)
        if parts & SKIP_DIRS or any(part.endswith(".egg-info") for part in parts):
            continue
        if path.suffix in (".md", ".ipynb") and path.is_file():
            found.append(path)
    return found


def markdown_of(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def without_code(markdown: str) -> str:
    """Drop fenced code blocks and inline code: a link inside code is an example, not a link."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(lines)


def github_anchor(heading: str) -> str:
    """The anchor GitHub (and JupyterLab, case aside) gives a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*$", without_code(markdown_of(path)), flags=re.M)
    return {github_anchor(h) for h in headings} | set(re.findall(r'id="([^"]+)"', markdown_of(path)))


def relative_links(path: Path) -> list[str]:
    text = without_code(markdown_of(path))
    links = MARKDOWN_LINK.findall(text) + HTML_LINK.findall(text)
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link, flags=re.I)]


def test_anchor_rules():
    assert github_anchor("Course map") == "course-map"
    assert github_anchor("5. The full input pipeline") == "5-the-full-input-pipeline"
    assert github_anchor("`nn.Embedding` as a table") == "nnembedding-as-a-table"


DOCUMENTS = documents()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_relative_links_resolve(path):
    broken = []
    for link in relative_links(path):
        target, _, anchor = unquote(link).partition("#")
        resolved = (path.parent / target).resolve() if target else path
        if not resolved.exists():
            broken.append(f"{link}: no such file")
        elif (
            anchor
            and resolved.suffix in (".md", ".ipynb")
            and anchor.lower() not in {a.lower() for a in anchors(resolved)}
        ):
            broken.append(f"{link}: no heading with anchor #{anchor}")
        elif REPO_ROOT not in resolved.parents and resolved != REPO_ROOT:
            broken.append(f"{link}: points outside the repository")
    assert not broken, "\n".join(broken)


def test_documents_are_found():
    names = {p.relative_to(REPO_ROOT).as_posix() for p in DOCUMENTS}
    assert {"README.md", "docs/authoring.md", "notebooks/00_setup_check.ipynb"} <= names
