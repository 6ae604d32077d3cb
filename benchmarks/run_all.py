"""Run every benchmark of the course in one go and print their tables.

    python benchmarks/run_all.py            # everything (several minutes on a 2-core laptop)
    python benchmarks/run_all.py windows    # only the benchmarks whose file name contains "windows"

Each benchmark times the course's own implementation against the baseline a user would otherwise use, in
the same run, and prints the ratios. The figures measured for the course are in benchmarks/README.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["bench_embedding_lookup.py", "bench_windows.py", "bench_analogies.py", "bench_load_vectors.py",
         "bench_notebooks.py"]


def main(filters: list[str]) -> int:
    scripts = [HERE / name for name in ORDER if (HERE / name).exists()]
    scripts += sorted(p for p in HERE.glob("bench_*.py") if p.name not in ORDER)
    if filters:
        scripts = [p for p in scripts if any(f in p.name for f in filters)]
    failures = 0
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        failures += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
        print(f"--- {script.name}: {time.perf_counter() - start:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
