"""Build one offline reveal.js deck per notebook and solution notebook, sized for a 1280×720 projector.

    python tools/build_slides.py [OUTPUT_DIR]      # default: build/slides/ (git-ignored)

Open ``OUTPUT_DIR/index.html`` (or any ``NN_name.slides.html``) in a browser; no network is needed. What this
adds to a plain ``jupyter nbconvert --to slides``:

- reveal.js and MathJax are copied next to the decks from ``tools/vendor/`` (npm packages ``reveal.js`` and
  ``mathjax``, with their licences) instead of being loaded from a CDN; no jQuery, require.js or mermaid;
- a 1280×720 slide, code without prompts and wrapped instead of running off the slide, plots scaled to fit;
- the code of cells tagged ``hide-input`` is not shown (the plot is), ``# NBVAL_…`` test markers are removed.

Slides follow the notebooks' ``slideshow`` metadata written by ``tools/sync_notebooks.py`` (a new slide per
``##`` heading, a sub-slide per ``###``, the Colab setup cell skipped); outputs are the committed ones,
nothing is re-executed.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
TOOLS = REPO_ROOT / "tools"
VENDOR = TOOLS / "vendor"
TEMPLATES = TOOLS / "templates"
DEFAULT_OUTPUT = REPO_ROOT / "build" / "slides"
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


def shared_preprocessors(
    config: Config, remove_cell_tags: frozenset[str] = frozenset()
) -> list[Preprocessor]:
    """Hide the code of plotting cells tagged ``hide-input`` and the test markers (slides and website)."""
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT_TAG}
    config.TagRemovePreprocessor.remove_cell_tags = set(remove_cell_tags)
    config.TagRemovePreprocessor.enabled = True
    return [TagRemovePreprocessor(config=config), StripTestMarkers(config=config)]


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


def index_page(decks: list[Path]) -> str:
    items = "\n".join(
        f'<li><a href="{deck.name}">{html.escape(deck.name.removesuffix(".slides.html"))}</a></li>'
        for deck in decks
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Slide decks</title></head>\n'
        f"<body><h1>Token Embeddings, hands-on: slide decks</h1>\n<ul>\n{items}\n</ul>\n"
        f'<p>reveal.js and MathJax licences: <a href="reveal.js/LICENSE">reveal.js</a>, '
        f'<a href="mathjax/LICENSE">MathJax</a>.</p></body></html>\n'
    )


def build(output_dir: Path = DEFAULT_OUTPUT, notebooks: list[Path] | None = None) -> list[Path]:
    """Write ``NN_name.slides.html`` for every notebook (default: notebooks/ and solutions/); return them."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    copy_vendor(output_dir)
    slides = exporter()
    written = []
    for notebook in notebooks or all_notebooks():
        slides.links.page = Path(notebook).resolve().relative_to(REPO_ROOT).as_posix()
        body, _ = slides.from_filename(str(notebook))
        target = output_dir / f"{notebook.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    (output_dir / "index.html").write_text(index_page(written), encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    output_dir = Path(argv[0]).resolve() if argv else DEFAULT_OUTPUT
    decks = build(output_dir)
    print(f"wrote {len(decks)} decks into {output_dir} (open index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
