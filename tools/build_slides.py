"""Build one reveal.js slide deck per notebook into build/slides/ (git-ignored).

    python tools/build_slides.py

Slides follow the notebooks' `slideshow` metadata (a new slide per '##' heading, a sub-slide per '###',
the Colab setup cell skipped); outputs are the committed ones, nothing is re-executed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbconvert import SlidesExporter

REPO_ROOT = Path(__file__).resolve().parents[1]


def build(output_dir: Path = REPO_ROOT / "build" / "slides") -> list[Path]:
    """Write ``NN_name.slides.html`` for every notebook; return the paths written."""
    output_dir.mkdir(parents=True, exist_ok=True)
    exporter = SlidesExporter()
    written = []
    for notebook in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        html, _ = exporter.from_filename(str(notebook))
        target = output_dir / f"{notebook.stem}.slides.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
        print(f"wrote {target.relative_to(REPO_ROOT)}")
    return written


if __name__ == "__main__":
    build()
    sys.exit(0)
