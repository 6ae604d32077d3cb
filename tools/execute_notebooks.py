"""Sync and then execute notebooks top to bottom, writing their outputs in place (a clean Restart & Run All).

    python tools/execute_notebooks.py notebooks/02_embedding_lookup.ipynb [more.ipynb ...]
    python tools/execute_notebooks.py --all

Each notebook runs in a fresh kernel of THIS environment's Python (``sys.executable``, whatever kernels are
installed under whatever names), in its own folder, with execution counts 1, 2, 3, ... and no timing
metadata, so the committed file changes only where outputs change. Execution stops at the first error,
exactly as Run All does in JupyterLab, VS Code and Colab: a cell that demonstrates an error must catch it
and print ``f"{type(error).__name__}: {error}"``. Set COURSE_DATA_MIRROR first when working offline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sync_notebooks  # noqa: E402

# The kernel is this interpreter, not a kernelspec looked up by name (which may belong to another Python).
KERNEL_CMD = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


class _CurrentEnvKernelSpecs(KernelSpecManager):
    """Answers every kernel name with this interpreter (jupyter_client 8 has no ``kernel_cmd`` any more)."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(argv=KERNEL_CMD, display_name="Python 3 (ipykernel)", language="python")


def current_env_kernel() -> KernelManager:
    return KernelManager(kernel_name="python3", kernel_spec_manager=_CurrentEnvKernelSpecs())


def execute(path: Path, timeout: int = 600) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        km=current_env_kernel(),
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    # One stream output per cell and stream, however the kernel happened to flush (nbval merges them too).
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(sync_notebooks.render(nbformat.from_dict(notebook)))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook in notebooks/ and solutions/")
    args = parser.parse_args()
    paths = args.notebooks
    if args.all:
        paths = sorted(sync_notebooks.NOTEBOOKS.glob("*.ipynb")) + sorted(
            sync_notebooks.SOLUTIONS.glob("*.ipynb")
        )
    sync_notebooks.main([])
    for path in paths:
        print(f"executing {path} ...", flush=True)
        execute(path.resolve())
    sync_notebooks.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
