"""The committed outputs do not depend on a network or on the hash seed: checked in the main run itself.

Every notebook and solution notebook runs once under strict nbval, each in a fresh kernel. The kernels inherit
the conditions ``tests/conftest.py`` sets for the whole session (:data:`conftest.KERNEL_CONDITIONS`): downloads
forbidden (``COURSE_OFFLINE=1``), every HTTP(S) proxy pointed at a closed local port (no route out), and a fixed
``PYTHONHASHSEED`` other than the random one of the run that made the committed outputs. So the one strict run
is also the offline, other-hash-seed run; an earlier version of this file ran every notebook a second time for
that, which doubled the suite's time. Order cannot matter: each notebook has a kernel of its own, and
pytest-xdist runs them in whatever order its workers pick.

This test proves a kernel started like nbval's really runs under those conditions.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import KERNEL_CONDITIONS


def test_a_notebook_kernel_runs_offline_with_another_hash_seed():
    probe = textwrap.dedent("""
        import os, sys, urllib.request
        import utils.data
        print(sys.flags.hash_randomization, os.environ["PYTHONHASHSEED"], utils.data.offline_mode())
        try:
            urllib.request.urlopen("http://example.com/", timeout=5)
            print("reached the network")
        except OSError as error:
            print("no route out:", type(error).__name__)
    """)
    # nbval --nbval-current-env starts its kernels with this interpreter and this environment, as here.
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    flags, no_route = result.stdout.splitlines()
    assert flags == f"1 {KERNEL_CONDITIONS['PYTHONHASHSEED']} True"
    assert no_route.startswith("no route out: "), no_route


def test_the_kernel_hash_seed_changes_what_set_order_depends_on():
    """The fixed seed is not the default one: string hashes (and so the order of a set of strings) differ."""
    code = "print(hash('token embeddings'))"
    seeded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    unseeded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONHASHSEED": "0", "PATH": ""}
    ).stdout
    assert seeded != unseeded
