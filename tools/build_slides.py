"""Build one offline reveal.js deck per notebook and solution notebook, sized for a 1280×720 projector.

    python tools/build_slides.py [OUTPUT_DIR]              # default: build/slides/ (git-ignored)
    python tools/build_slides.py --core [OUTPUT_DIR]       # core path only; default: build/slides-core/
    python tools/build_slides.py [--core] [OUTPUT_DIR] notebooks/05_positional_embeddings.ipynb ...

Open ``OUTPUT_DIR/index.html`` (or any ``NN_name.slides.html``) in a browser; no network is needed. What this
adds to a plain ``jupyter nbconvert --to slides``:

- reveal.js and MathJax are copied next to the decks from ``tools/vendor/`` (npm packages ``reveal.js`` and
  ``mathjax``, with their licences) instead of being loaded from a CDN; no jQuery, require.js or mermaid;
- a 1280×720 slide, code without prompts and wrapped instead of running off the slide, plots scaled to fit;
  code and outputs at 18 px and prose at 20 px, never shrunk (a slide that does not fit fails
  ``tools/check_slides.py`` and the browser tests instead);
- ``--core`` leaves out every ``(Optional)`` section (see :func:`slide_plan` for the core path);
- the code of cells tagged ``hide-input`` is not shown (the plot is), ``# NBVAL_…`` test markers are removed.

Slides follow the notebooks' ``slideshow`` metadata written by ``tools/sync_notebooks.py`` (a new slide per
``##`` heading, a sub-slide per ``###``, the Colab setup cell and the imports cell after it skipped); outputs
are the committed ones, nothing is re-executed.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat
from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS = REPO_ROOT / "tools"
VENDOR = TOOLS / "vendor"
TEMPLATES = TOOLS / "templates"
DEFAULT_OUTPUT = REPO_ROOT / "build" / "slides"
DEFAULT_CORE_OUTPUT = REPO_ROOT / "build" / "slides-core"
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
HIDE_INPUT_TAG = "hide-input"
# A comment line that is only a test marker, or a trailing one after code.
MARKER_LINE = re.compile(r"^\s*#\s*NBVAL_\w+.*$")
MARKER_TRAILING = re.compile(r"\s*#\s*NBVAL_\w+.*$")


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
COLAB_BADGE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((https://colab\.research\.google\.com/[^)\s]+)\)"
)


OPTIONAL_MARK = "(optional)"  # compared case-insensitively with a '##' or '###' heading
EXERCISES_HEADING = "## Exercises"
MAX_CORE_SLIDES = 25


@dataclass(frozen=True)
class Slide:
    """One slide or sub-slide of a deck, as the notebook's slide metadata defines it.

    ``part`` is where the slide sits on the lecture's path:

    - ``"core"``: everything outside the two kinds below (title slide, numbered sections, ``## Summary``);
    - ``"optional"``: inside a section whose ``##`` heading contains ``(Optional)``, up to the next ``##``;
      also a ``###`` sub-slide whose own heading contains ``(Optional)``, up to the next ``##``/``###``;
    - ``"exercises"``: inside ``## Exercises`` (students' time; each exercise is a sub-slide there);
    - ``"solution"``: every slide after the title of a solution notebook (``solutions/``).

    The **core path** of a notebook is its ``"core"`` slides; the course keeps it at most
    :data:`MAX_CORE_SLIDES` per notebook (``tests/test_presenting.py``)."""

    number: int  # 1-based position in the deck
    cell: int  # index of the cell that starts it
    kind: str  # "slide" or "subslide"
    heading: str  # first line of its first cell, without '#' marks
    part: str

    @property
    def core(self) -> bool:
        return self.part == "core"


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def slide_plan(notebook: Path | dict, folder: str | None = None) -> list[Slide]:
    """The slides of ``notebook`` (a path or its JSON) in deck order, each with its :class:`Slide` part.

    Read from the cells' ``slideshow`` metadata (what reveal.js and RISE show), so a notebook must be synced
    (``tools/sync_notebooks.py``; ``tools/execute_notebooks.py`` does it)."""
    if isinstance(notebook, (str, Path)):
        folder = folder or Path(notebook).parent.name
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    folder = folder or "notebooks"
    slides: list[Slide] = []
    section = sub = "core"
    for index, cell in enumerate(notebook["cells"]):
        first_line = (_source(cell).splitlines() or [""])[0].strip()
        if cell["cell_type"] == "markdown" and first_line.startswith("## "):
            if first_line.lower().startswith(EXERCISES_HEADING.lower()):
                section = "exercises"
            elif OPTIONAL_MARK in first_line.lower():
                section = "optional"
            else:
                section = "core"
            sub = section
        elif cell["cell_type"] == "markdown" and first_line.startswith("### "):
            sub = "optional" if OPTIONAL_MARK in first_line.lower() else section
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
        if kind not in ("slide", "subslide"):
            continue
        part = sub
        if folder == "solutions" and slides:
            part = "solution"
        heading = (
            first_line.lstrip("#").strip() if cell["cell_type"] == "markdown" else "(code) " + first_line
        )
        slides.append(Slide(len(slides) + 1, index, kind, heading, part))
    return slides


def cell_parts(notebook: dict, folder: str = "notebooks") -> list[str]:
    """The part (``"core"``, ``"optional"``, …) of every cell: that of the slide it is shown on."""
    parts = ["core"] * len(notebook["cells"])
    plan = slide_plan(notebook, folder)
    starts = [slide.cell for slide in plan] + [len(notebook["cells"])]
    for slide, end in zip(plan, starts[1:], strict=True):
        parts[slide.cell : end] = [slide.part] * (end - slide.cell)
    return parts


def core_cells(notebook: dict, folder: str = "notebooks") -> dict:
    """``notebook`` without its optional slides (the cells of every ``"optional"`` slide of :func:`slide_plan`)."""
    parts = cell_parts(notebook, folder)
    kept = dict(notebook)
    kept["cells"] = [cell for cell, part in zip(notebook["cells"], parts, strict=True) if part != "optional"]
    return kept


def all_notebooks() -> list[Path]:
    return sorted((REPO_ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (REPO_ROOT / "solutions").glob("*.ipynb")
    )


def strip_test_markers(code: str) -> str:
    """``code`` without ``# NBVAL_…`` comments: they are for the test runner, not the audience."""
    kept = []
    for line in code.splitlines():
        if MARKER_LINE.match(line):
            continue
        kept.append(MARKER_TRAILING.sub("", line) if "NBVAL_" in line else line)
    return "\n".join(kept)


def github_url(repo_path: str) -> str:
    """Where a repository file that is not a page of the build lives online."""
    sys.path.insert(0, str(TOOLS))
    import sync_notebooks

    slug, branch = sync_notebooks.course_settings()
    kind = "tree" if (REPO_ROOT / repo_path).is_dir() else "blob"
    return f"https://github.com/{slug}/{kind}/{branch}/{repo_path}".rstrip("/")


def rewrite_links(markdown: str, page: str, resolve: Callable[[str, str], str | None]) -> str:
    """Point the relative links of ``markdown`` (written for the repository file ``page``) at built pages.

    ``resolve(repo_path, anchor)`` gives the new link for a repository path, or None for "not a page of the
    build", which then links to the file on GitHub. The Colab badge image (fetched from the internet)
    becomes a text link, so pages and decks show no broken image offline."""
    markdown = COLAB_BADGE.sub(r"[Open in Colab ↗](\1)", markdown)

    def replace(match: re.Match) -> str:
        target = match.group(1)
        if "://" in target or target.startswith(("#", "mailto:", "data:")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        repo_path = str(PurePosixPath(*(PurePosixPath(page).parent / path).parts))
        parts: list[str] = []
        for part in PurePosixPath(repo_path).parts:  # normalise "notebooks/../README.md"
            if part == "..":
                parts.pop()
            elif part != ".":
                parts.append(part)
        repo_path = "/".join(parts)
        new = resolve(repo_path, anchor)
        if new is None:
            new = github_url(repo_path) + (f"#{anchor}" if anchor else "")
        return f"]({new})"

    return MARKDOWN_LINK.sub(replace, markdown)


class RewriteLinks(Preprocessor):
    """Apply :func:`rewrite_links` to every markdown cell (``page`` and ``resolve`` set per notebook)."""

    page = ""
    resolve: Callable[[str, str], str | None] = staticmethod(lambda path, anchor: None)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, self.page, self.resolve)
        return cell, resources


def deck_link(repo_path: str, anchor: str) -> str | None:
    """Decks sit side by side in one folder; the README's course map is the decks' index page."""
    if repo_path.endswith(".ipynb") and repo_path.split("/")[0] in ("notebooks", "solutions"):
        return PurePosixPath(repo_path).stem + ".slides.html"
    if repo_path == "README.md":
        return "index.html"
    return None


class StripTestMarkers(Preprocessor):
    """Remove ``# NBVAL_…`` comments from every code cell's shown source."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.source = strip_test_markers(cell.source)
        return cell, resources


PLOT_TEXT = {
    "title": re.compile(r"""(?:set_title|suptitle|plt\.title)\(\s*f?(["'])(.+?)\1|\btitle=f?(["'])(.+?)\3"""),
    "x": re.compile(r"""(?:set_xlabel|plt\.xlabel)\(\s*f?(["'])(.+?)\1|\bxlabel=f?(["'])(.+?)\3"""),
    "y": re.compile(r"""(?:set_ylabel|plt\.ylabel)\(\s*f?(["'])(.+?)\1|\bylabel=f?(["'])(.+?)\3"""),
}
MARKDOWN_MARKS = re.compile(r"[*_`#$\\]|\{[^}]*\}")


def _plot_texts(code: str, kind: str) -> list[str]:
    found = []
    for match in PLOT_TEXT[kind].finditer(code):
        text = MARKDOWN_MARKS.sub("", match.group(2) or match.group(4) or "").strip()
        if text and text not in found:
            found.append(text)
    return found


def plot_alt_text(code: str, heading: str) -> str:
    """Alt text of a plot: the section it illustrates, its titles and axis labels as the code sets them.

    >>> plot_alt_text('ax.set_title("Cosine by offset")\\nax.set_xlabel("offset")', "3. Distances")
    'Plot for "3. Distances": Cosine by offset (x: offset)'"""
    alt = f'Plot for "{MARKDOWN_MARKS.sub("", heading).strip()}"' if heading else "Plot"
    titles = _plot_texts(code, "title")
    if titles:
        alt += ": " + "; ".join(titles[:4])
    axes = [f"{kind}: {', '.join(texts[:3])}" for kind in ("x", "y") if (texts := _plot_texts(code, kind))]
    if axes:
        alt += f" ({'; '.join(axes)})"
    return alt[:300]


class PlotAltText(Preprocessor):
    """Give every PNG output an alt text (``output.metadata["course_alt"]``, see :func:`plot_alt_text`)."""

    def preprocess(self, nb, resources):
        heading = ""
        for cell in nb.cells:
            source = _source(cell)
            if cell.cell_type == "markdown":
                for line in source.splitlines():
                    if line.startswith("#"):
                        heading = line.lstrip("#").strip()
                        break
                continue
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    output.setdefault("metadata", {})["course_alt"] = plot_alt_text(source, heading)
        return nb, resources


TABLE_CELL = re.compile(r"(<t[dh][^>]*>)(.*?)(</t[dh]>)", re.S)


def unescape_table_pipes(page: str) -> str:
    """``\\|`` inside a Markdown table cell is a literal ``|`` (GitHub's tables; nbconvert's renderer keeps the
    backslash, e.g. in ``<\\|endoftext\\|>``)."""
    return TABLE_CELL.sub(lambda m: m.group(1) + m.group(2).replace("\\|", "|") + m.group(3), page)


def shared_preprocessors(
    config: Config, remove_cell_tags: frozenset[str] = frozenset()
) -> list[Preprocessor]:
    """Hide the code of plotting cells tagged ``hide-input`` and the test markers (slides and website)."""
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT_TAG}
    config.TagRemovePreprocessor.remove_cell_tags = set(remove_cell_tags)
    config.TagRemovePreprocessor.enabled = True
    return [TagRemovePreprocessor(config=config), StripTestMarkers(config=config), PlotAltText(config=config)]


def copy_vendor(output_dir: Path) -> None:
    """reveal.js and MathJax (each with its LICENSE) into the build, so decks work offline."""
    for package in ("reveal.js", "mathjax"):
        target = output_dir / package
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(VENDOR / package, target)


@functools.cache
def exporter() -> SlidesExporter:
    """One configured exporter per process (compiling its templates is the slow part of a small build)."""
    config = Config()
    config.SlidesExporter.reveal_url_prefix = "reveal.js"
    config.SlidesExporter.reveal_width = str(SLIDE_WIDTH)
    config.SlidesExporter.reveal_height = str(SLIDE_HEIGHT)
    config.SlidesExporter.reveal_scroll = False
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.mathjax_url = "mathjax/es5/tex-svg-full.js"
    config.SlidesExporter.template_name = "course_reveal"
    config.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.SlidesExporter.extra_template_paths = [str(TEMPLATES / "common")]
    slides = SlidesExporter(config=config)
    for preprocessor in shared_preprocessors(config):
        slides.register_preprocessor(preprocessor, enabled=True)
    links = RewriteLinks(config=config)
    links.resolve = deck_link
    slides.register_preprocessor(links, enabled=True)
    slides.links = links
    return slides


def index_page(decks: list[Path], core: bool = False) -> str:
    items = "\n".join(f'<li><a href="{deck.name}">{html.escape(deck_title(deck))}</a></li>' for deck in decks)
    what = "slide decks, core path only (optional sections left out)" if core else "slide decks"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Slide decks</title></head>\n'
        f"<body><main><h1>Token Embeddings, hands-on: {what}</h1>\n<ul>\n{items}\n</ul>\n"
        f'<p>reveal.js and MathJax licences: <a href="reveal.js/LICENSE">reveal.js</a>, '
        f'<a href="mathjax/LICENSE">MathJax</a>.</p></main></body></html>\n'
    )


def deck_title(deck: Path) -> str:
    """``01 · Word vectors and analogies`` from the deck's notebook title, else its file name."""
    stem = deck.name.removesuffix(".slides.html")
    for folder in ("notebooks", "solutions"):
        notebook = REPO_ROOT / folder / f"{stem}.ipynb"
        if notebook.exists():
            title = notebook_title(notebook)
            return title + (
                " (solutions)" if folder == "solutions" and "solution" not in title.lower() else ""
            )
    return stem


def notebook_title(notebook: Path) -> str:
    """The first '# ' heading of a notebook (its generated header), else the file stem."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        for line in _source(cell).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return Path(notebook).stem


def build(
    output_dir: Path | None = None, notebooks: list[Path] | None = None, core: bool = False
) -> list[Path]:
    """Write ``NN_name.slides.html`` for every notebook (default: notebooks/ and solutions/); return them.

    ``core=True`` leaves out the optional slides (:func:`core_cells`); default folder build/slides-core/."""
    output_dir = Path(output_dir or (DEFAULT_CORE_OUTPUT if core else DEFAULT_OUTPUT))
    output_dir.mkdir(parents=True, exist_ok=True)
    copy_vendor(output_dir)
    slides = exporter()
    written = []
    for notebook in notebooks or all_notebooks():
        notebook = Path(notebook).resolve()
        inside = REPO_ROOT in notebook.parents
        slides.links.page = notebook.relative_to(REPO_ROOT).as_posix() if inside else notebook.name
        node = nbformat.reads(notebook.read_text(encoding="utf-8"), as_version=4)
        if core:
            node = nbformat.from_dict(core_cells(node, notebook.parent.name))
        node.metadata["title"] = notebook_title(notebook)
        body, _ = slides.from_notebook_node(node, resources={"metadata": {"name": notebook.stem}})
        target = output_dir / f"{notebook.stem}.slides.html"
        target.write_text(unescape_table_pipes(body), encoding="utf-8")
        written.append(target)
    (output_dir / "index.html").write_text(index_page(written, core), encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core", action="store_true", help="leave out the (Optional) sections")
    parser.add_argument(
        "output_dir", nargs="?", help="default build/slides/ (build/slides-core/ with --core)"
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook and solution")
    args = parser.parse_args(argv)
    output_dir = Path(args.output_dir).resolve() if args.output_dir else None
    decks = build(output_dir, args.notebooks or None, core=args.core)
    print(f"wrote {len(decks)} decks into {decks[0].parent if decks else output_dir} (open index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
