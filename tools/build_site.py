"""Build the course as a static website from the committed notebooks (nothing is re-executed).

    python tools/build_site.py [OUTPUT_DIR]      # default: build/site/ (git-ignored)

Open ``OUTPUT_DIR/index.html`` in a browser; no network and no server are needed. The site has:

- ``index.html``: the README with the course map; every notebook and every solution notebook as one page
  (``notebooks/NN_name.html``, ``solutions/NN_name_solutions.html``) with its committed outputs and plots;
  the guides (``docs/``, ``data/README``, ``benchmarks/README``) as pages; a listing of the solutions;
- a navigation bar on every page (home, course map, solutions, previous/next notebook); links between
  notebooks and Markdown files point at their pages, links to other repository files at GitHub;
- math rendered by MathJax 3, served from ``static/mathjax`` (npm package ``mathjax``, with its licence);
  code of plotting cells tagged ``hide-input`` hidden (the plot is shown), ``# NBVAL_…`` markers removed.

Why nbconvert's HTML exporter and not Jupyter Book / Sphinx + myst-nb: it is already pinned (the tests use
it), so nothing new has to be installed offline in CI, it renders exactly what JupyterLab shows, and the
whole site builds in seconds. It has no full-text search; the course map and navigation bar replace it.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import sys
from pathlib import Path, PurePosixPath

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_slides  # noqa: E402
import sync_notebooks  # noqa: E402

REPO_ROOT = build_slides.REPO_ROOT
DEFAULT_OUTPUT = REPO_ROOT / "build" / "site"
MARKDOWN_PAGES = ["README.md", "docs/*.md", "data/README.md", "benchmarks/README.md"]
SETUP_TAG = "colab-setup"
HEADING_ID = re.compile(r'<h[1-6] id="([^"]+)">')


def markdown_files() -> list[str]:
    found: list[str] = []
    for pattern in MARKDOWN_PAGES:
        found += sorted(path.relative_to(REPO_ROOT).as_posix() for path in REPO_ROOT.glob(pattern))
    return found


def notebook_files() -> list[str]:
    return [path.relative_to(REPO_ROOT).as_posix() for path in build_slides.all_notebooks()]


def site_path(repo_path: str) -> str | None:
    """The page (relative to the site root) that shows a repository file or folder, or None."""
    if repo_path == "README.md":
        return "index.html"
    if repo_path in ("solutions", "solutions/", "solutions/index.md"):
        return "solutions/index.html"
    if repo_path in ("notebooks", "notebooks/"):
        return "index.html"
    if repo_path in notebook_files() or repo_path in markdown_files():
        return str(PurePosixPath(repo_path).with_suffix(".html"))
    return None


def relative(target: str, page: str) -> str:
    """``target`` (site path) as seen from the page at site path ``page``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def link_resolver(page: str):
    def resolve(repo_path: str, anchor: str) -> str | None:
        target = site_path(repo_path)
        if target is None:
            return None
        return relative(target, page) + (f"#{anchor}" if anchor else "")

    return resolve


def page_title(repo_path: str) -> str:
    """A readable title: a notebook's header title ("05 · Positional embeddings"), a guide's first heading."""
    path = REPO_ROOT / repo_path
    if repo_path.endswith(".ipynb"):
        title = build_slides.notebook_title(path)
        if repo_path.startswith("solutions/") and "solution" not in title.lower():
            title += " (solutions)"
        return title
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return PurePosixPath(repo_path).stem


def navigation(repo_path: str, page: str) -> list[dict]:
    """Home, course map, solutions, and the previous/next notebook of the same folder (by title)."""
    nav = [
        {"href": relative("index.html", page), "text": "Token Embeddings, hands-on"},
        {"href": relative("index.html", page) + "#course-map", "text": "Course map"},
        {"href": relative("solutions/index.html", page), "text": "Solutions"},
    ]
    folder = PurePosixPath(repo_path).parent.as_posix()
    siblings = [path for path in notebook_files() if path.startswith(folder + "/")]
    if repo_path in siblings:
        index = siblings.index(repo_path)
        if index > 0:
            previous = siblings[index - 1]
            nav.append({"href": relative(site_path(previous), page), "text": "← " + page_title(previous)})
        if index + 1 < len(siblings):
            following = siblings[index + 1]
            nav.append(
                {
                    "href": relative(site_path(following), page),
                    "cls": "next",
                    "text": page_title(following) + " →",
                }
            )
    return nav


OPTIONAL_TAG = "course-optional"


class MarkOptionalSections(build_slides.Preprocessor):
    """Tag the cells of optional sections (``celltag_course-optional``, styled by the site template), and
    their first cell also ``course-optional-start`` (its heading gets a label). Only for the site's copy."""

    folder = "notebooks"

    def preprocess(self, nb, resources):
        if self.folder != "notebooks":
            return nb, resources
        parts = build_slides.cell_parts(nb, self.folder)
        previous = "core"
        for cell, part in zip(nb.cells, parts, strict=True):
            if part == "optional":
                tags = cell.setdefault("metadata", {}).setdefault("tags", [])
                tags.append(OPTIONAL_TAG)
                if previous != "optional" or (
                    cell.cell_type == "markdown"
                    and build_slides.OPTIONAL_MARK in cell.source.split("\n")[0].lower()
                ):
                    tags.append(OPTIONAL_TAG + "-start")
            previous = part
        return nb, resources


def exporter() -> tuple[HTMLExporter, build_slides.RewriteLinks]:
    config = Config()
    config.HTMLExporter.template_name = "course_site"
    config.HTMLExporter.extra_template_basedirs = [str(build_slides.TEMPLATES)]
    config.HTMLExporter.extra_template_paths = [str(build_slides.TEMPLATES / "common")]
    html = HTMLExporter(config=config)
    # Readers of the website do not run the Colab setup cell; the badge link stays in the header.
    for preprocessor in build_slides.shared_preprocessors(config, remove_cell_tags=frozenset({SETUP_TAG})):
        html.register_preprocessor(preprocessor, enabled=True)
    links = build_slides.RewriteLinks(config=config)
    html.register_preprocessor(links, enabled=True)
    html.optional = MarkOptionalSections(config=config)
    html.register_preprocessor(html.optional, enabled=True)
    return html, links


def solutions_listing() -> str:
    rows = [
        "# Solutions (for instructors)",
        "",
        "Each solution notebook computes every exercise's answer, says why, and proves it passes its check.",
        "",
    ]
    for lesson in sync_notebooks.COURSE_MAP:
        name = sync_notebooks.solution_name(lesson)
        if (REPO_ROOT / "solutions" / name).exists():
            rows.append(f"- [{lesson.number} · {lesson.title}]({name})")
    return "\n".join(rows)


def write_page(
    html: HTMLExporter,
    links: build_slides.RewriteLinks,
    notebook: nbformat.NotebookNode,
    repo_path: str,
    output_dir: Path,
    title: str,
) -> Path:
    page = site_path(repo_path)
    links.page, links.resolve = repo_path, link_resolver(page)
    html.optional.folder = PurePosixPath(repo_path).parent.as_posix() if repo_path.endswith(".ipynb") else ""
    html.mathjax_url = relative("static/mathjax/es5/tex-svg-full.js", page)
    resources = {"site": {"nav": navigation(repo_path, page)}, "metadata": {"name": title}}
    body, _ = html.from_notebook_node(notebook, resources=resources)
    # GitHub's heading anchors are lower-case ("#course-map"), nbconvert's keep the case ("#Course-map").
    body = HEADING_ID.sub(
        lambda m: (
            m.group(0) + (f'<a id="{m.group(1).lower()}"></a>' if m.group(1) != m.group(1).lower() else "")
        ),
        body,
    )
    target = output_dir / page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(build_slides.unescape_table_pipes(body), encoding="utf-8")
    return target


def markdown_notebook(text: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell(text))
    return notebook


def build(output_dir: Path = DEFAULT_OUTPUT) -> list[Path]:
    """Write every page of the site into ``output_dir``; return the pages written."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    static = output_dir / "static" / "mathjax"
    if static.exists():
        shutil.rmtree(static)
    shutil.copytree(build_slides.VENDOR / "mathjax", static)
    html, links = exporter()
    pages = []
    for repo_path in notebook_files():
        notebook = nbformat.read(REPO_ROOT / repo_path, as_version=4)
        pages.append(write_page(html, links, notebook, repo_path, output_dir, page_title(repo_path)))
    for repo_path in markdown_files():
        text = (REPO_ROOT / repo_path).read_text(encoding="utf-8")
        title = "Token Embeddings, hands-on" if repo_path == "README.md" else page_title(repo_path)
        pages.append(write_page(html, links, markdown_notebook(text), repo_path, output_dir, title))
    pages.append(
        write_page(
            html, links, markdown_notebook(solutions_listing()), "solutions/index.md", output_dir, "Solutions"
        )
    )
    return pages


def main(argv: list[str]) -> int:
    output_dir = Path(argv[0]).resolve() if argv else DEFAULT_OUTPUT
    pages = build(output_dir)
    print(f"wrote {len(pages)} pages into {output_dir} (open index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
