"""A Colab session, simulated offline: notebooks run from an empty /content through their setup cell.

tools/colab_simulation.py does the work (its docstring lists each step). It builds a virtual environment of
Colab's preinstalled packages once (about 1.7 GB in build/colab-sim/, minutes the first time), so it runs
only when asked: ``COURSE_COLAB_SIMULATION=1``, after ``python tools/colab_simulation.py --prepare`` (the one
step that needs the network; .ci/run does both). All notebooks:
``python tools/colab_simulation.py --all``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))

import colab_simulation  # noqa: E402
import sync_notebooks  # noqa: E402

ENABLED = os.environ.get("COURSE_COLAB_SIMULATION", "").strip().lower() in ("1", "true", "yes", "on")


def test_every_setup_cell_lets_the_course_folder_move():
    """The simulation (and anyone without a writable /content) relies on COURSE_COLAB_DIR."""
    for lesson in sync_notebooks.COURSE_MAP:
        source = sync_notebooks.setup_source(lesson)
        assert f'os.environ.get("{sync_notebooks.COLAB_DIR_ENV}", "/content/' in source
    for path in sorted(REPO_ROOT.glob("*/[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        setup = [c for c in cells if "colab-setup" in c.get("metadata", {}).get("tags", [])]
        for cell in setup:
            assert sync_notebooks.COLAB_DIR_ENV in "".join(cell["source"]), (
                f"{path.name}: stale setup cell; run python tools/sync_notebooks.py"
            )


def test_representative_notebooks_run_as_in_colab():
    if not ENABLED:
        pytest.skip("set COURSE_COLAB_SIMULATION=1 to simulate Colab (.ci/run does)")
    if colab_simulation.prepared() is None:
        pytest.fail(
            "The simulated Colab runtime is not built: run python tools/colab_simulation.py --prepare"
        )
    results = colab_simulation.simulate(colab_simulation.REPRESENTATIVE)
    for result in results:
        print(
            f"{result.notebook}: setup cell {result.setup_seconds} s, whole notebook {result.total_seconds:.0f} s"
        )
    for result in results:
        assert result.cloned, (
            f"{result.notebook}: the setup cell did not clone the course\n{result.log[-4000:]}"
        )
        assert {"tiktoken", "gensim"} <= set(result.installed), (
            f"{result.notebook}: the setup cell did not install requirements-colab.txt: {result.installed}"
        )
        assert result.passed, (
            f"{result.notebook} differs from its committed outputs in Colab:\n{result.log[-6000:]}"
        )
