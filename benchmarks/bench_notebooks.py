"""Wall time of the strict-nbval suite: every notebook and solution notebook, in one pytest run.

    python benchmarks/bench_notebooks.py

Per notebook, the time is the sum of its cells' test times as pytest's JUnit report records them (kernel
start-up included in the first cell); the total is the wall time of the whole run.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "nbval.xml"
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "notebooks", "solutions", "-q", f"--junitxml={report}"],
            cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, "COURSE_OFFLINE": "1"},
        )
        wall = time.perf_counter() - start
        per_file: dict[str, float] = collections.defaultdict(float)
        for case in ElementTree.parse(report).iter("testcase"):
            notebook = case.get("classname", "").split("::")[0] or case.get("file", "?")
            per_file[notebook] += float(case.get("time", 0))
    print(f"{'notebook':<62} {'seconds':>8}")
    for name, seconds in sorted(per_file.items()):
        print(f"{name:<62} {seconds:8.1f}")
    print(f"{'whole strict-nbval suite (wall time)':<62} {wall:8.1f}")
    print("nbval:", result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
