"""Sync and then execute notebooks top to bottom, writing their outputs in place (a clean Restart & Run All).

    python tools/execute_notebooks.py notebooks/02_embedding_lookup.ipynb [more.ipynb ...]
    python tools/execute_notebooks.py --all

Each notebook runs in a fresh kernel of this environment's Python, in its own folder, with execution
counts 1, 2, 3, ... and no timing metadata, so the committed file changes only where outputs change.
Set COURSE_DATA_MIRROR first when working offline (for example COURSE_DATA_MIRROR=../shared/data).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sync_notebooks  # noqa: E402


def execute(path: Path, timeout: int = 600) -> None:
    notebook = nbformat.read(path, as_version=4)
    # A cell marked "# NBVAL_RAISES_EXCEPTION" is expected to fail: let nbclient go on past it. The tag is
    # only needed while executing (nbval reads the comment, and warns when both are present).
    expected_to_fail = [cell for cell in notebook.cells
                        if cell.cell_type == "code" and "NBVAL_RAISES_EXCEPTION" in cell.source]
    for cell in expected_to_fail:
        cell.metadata.setdefault("tags", [])
        if "raises-exception" not in cell.metadata.tags:
            cell.metadata.tags.append("raises-exception")
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    # One stream output per cell and stream, however the kernel happened to flush (nbval merges them too).
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # nbval does not compare tracebacks; keep only the message, without this machine's paths.
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
    for cell in expected_to_fail:
        cell.metadata.tags.remove("raises-exception")
        if not cell.metadata.tags:
            del cell.metadata["tags"]
    nbformat.write(notebook, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook in notebooks/ and solutions/")
    args = parser.parse_args()
    paths = args.notebooks
    if args.all:
        paths = sorted(sync_notebooks.NOTEBOOKS.glob("*.ipynb")) + sorted(sync_notebooks.SOLUTIONS.glob("*.ipynb"))
    sync_notebooks.main([])
    for path in paths:
        print(f"executing {path} ...", flush=True)
        execute(path.resolve())
    sync_notebooks.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
