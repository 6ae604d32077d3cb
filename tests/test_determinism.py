"""The committed outputs do not depend on notebook order, hash seed, or a network.

The main pytest run executes every notebook once under strict nbval. This test runs them all a second
time in a fresh process, in the reverse order, with a different PYTHONHASHSEED, with downloads forbidden
(COURSE_OFFLINE=1) and every HTTP(S) proxy pointed at a closed local port (so no route out), and asserts
that strict nbval passes again. Set COURSE_SKIP_SECOND_RUN=1 to skip it during quick local iterations.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from utils.data import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb")) + sorted((REPO_ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.skipif(bool(os.environ.get("COURSE_SKIP_SECOND_RUN")), reason="COURSE_SKIP_SECOND_RUN is set")
def test_second_run_in_reverse_order_with_another_hash_seed_and_no_network():
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "PYTHONHASHSEED": "4242", "COURSE_OFFLINE": "1",
           "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed,
           "ALL_PROXY": closed, "NO_PROXY": "", "no_proxy": ""}
    order = [str(path.relative_to(REPO_ROOT)) for path in reversed(NOTEBOOKS)]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *order],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    tail = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert " passed" in result.stdout.splitlines()[-1], tail
