"""Run notebooks the way Google Colab does, offline, and compare their outputs with the committed ones.

What a student's Colab session does, step by step, and how it is simulated here:

1. A fresh runtime holds Colab's preinstalled packages. Here: a virtual environment (no system site
   packages) with only ``tests/colab/preinstalled.txt`` (torch, numpy, scipy, matplotlib, pyarrow, tqdm,
   numba, ipykernel; the versions and where they come from are in that file), built once and kept in
   ``build/colab-sim/`` (rebuilt when the file or the Python changes).
2. The notebook opens in ``/content`` with nothing else there. Here: an empty temporary folder holding only
   the notebook file.
3. The kernel has imported ``google.colab``. Here: a stub package (``tests/colab/stub``) installed in the
   environment and imported by the kernel at start-up.
4. The setup cell clones the course from GitHub and pip-installs ``requirements-colab.txt``. Here: git's
   ``url.<base>.insteadOf`` (through ``GIT_CONFIG_COUNT/KEY/VALUE``) sends the clone to a local repository
   made from this checkout's working tree, ``COURSE_COLAB_DIR`` puts the clone in the temporary /content,
   and pip installs from a local folder of wheels (``PIP_NO_INDEX``, ``PIP_FIND_LINKS``), downloaded here
   beforehand: the notebook itself runs with no network, like the rest of the tests.
5. *Run all*. Here: strict nbval with this kernel (``--nbval-kernel-name``), the course's sanitizer, outputs
   compared cell by cell with the committed ones (``# NBVAL_IGNORE_OUTPUT`` cells, i.e. timings, aside).

    python tools/colab_simulation.py --prepare        # build the environment and the wheels (network)
    python tools/colab_simulation.py                  # the representative set (as in .ci/run)
    python tools/colab_simulation.py --all            # every notebook and solution notebook
    python tools/colab_simulation.py notebooks/04_sliding_window_batching.ipynb

It prints per notebook whether it passed and how long its setup cell took.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COLAB_FILES = REPO_ROOT / "tests" / "colab"
PREINSTALLED = COLAB_FILES / "preinstalled.txt"
STUB = COLAB_FILES / "stub"
CACHE = REPO_ROOT / "build" / "colab-sim"
KERNEL_NAME = "colab-sim"
SETUP_TAG = "colab-setup"
# One notebook per kind of setup: nothing beyond requirements-colab.txt and the data text (04), and the
# transformer stack of requirements-colab-transformers.txt with its model package (07).
REPRESENTATIVE = [
    "notebooks/04_sliding_window_batching.ipynb",
    "notebooks/07_inside_a_trained_transformer.ipynb",
]
# What a Colab session downloads at run time (the rest ships in the clone or in pip packages).
MIRRORED = ["the-verdict.txt"]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PIP_QUIET = ["--quiet", "--disable-pip-version-check"]


@dataclass
class Result:
    notebook: str
    passed: bool
    setup_seconds: float | None
    total_seconds: float
    log: str
    cloned: bool  # the setup cell cloned the course into the temporary /content
    installed: list[str]  # what the setup cell installed into the fresh runtime


def course_slug() -> str:
    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return settings["tool"]["course"]["github_slug"]


def colab_python() -> str:
    return os.environ.get("COURSE_COLAB_PYTHON", sys.executable)


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, **kwargs)


def install_cpu_torch(python: str, requirement: str) -> None:
    """PyTorch's CPU build: its own index first (a local wheel on pip's find-links counts too), with a short
    timeout and one retry, so an unreachable index costs seconds; PyPI's build only when that fails."""
    try:
        _run(
            [
                python,
                "-m",
                "pip",
                "install",
                *PIP_QUIET,
                "--timeout",
                "20",
                "--retries",
                "1",
                "--index-url",
                CPU_INDEX,
                requirement,
            ]
        )
    except subprocess.CalledProcessError:
        print(
            f"colab simulation: {CPU_INDEX} is unreachable and no local wheel fits; torch from PyPI",
            file=sys.stderr,
        )
        _run([python, "-m", "pip", "install", *PIP_QUIET, requirement])


def environment(build: bool = True) -> Path | None:
    """The simulated Colab runtime's virtual environment (built once per preinstalled.txt and Python)."""
    python = colab_python()
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=True
    ).stdout
    key = hashlib.sha256((PREINSTALLED.read_text(encoding="utf-8") + version).encode()).hexdigest()[:12]
    venv = CACHE / f"venv-{key}"
    ready = venv / "READY"
    if ready.exists() or not build:
        return venv if ready.exists() else None
    shutil.rmtree(venv, ignore_errors=True)
    _run([python, "-m", "venv", "--clear", str(venv)])
    venv_python = str(venv / "bin" / "python")
    pins = [
        line.strip()
        for line in PREINSTALLED.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    install_cpu_torch(venv_python, next(pin for pin in pins if pin.startswith("torch==")))
    _run([venv_python, "-m", "pip", "install", *PIP_QUIET, *pins])
    site = subprocess.run(
        [venv_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shutil.copytree(STUB / "google", Path(site) / "google", dirs_exist_ok=True)
    ready.write_text(version, encoding="utf-8")
    return venv


def wheelhouse(venv: Path, build: bool = True) -> Path | None:
    """Wheels of everything the setup cells install beyond the preinstalled packages, exactly what pip would
    fetch in Colab (resolved against the environment), so that the setup cell itself needs no network."""
    requirements = sorted(str(path) for path in REPO_ROOT.glob("requirements-colab*.txt"))
    digest = hashlib.sha256(b"".join(Path(path).read_bytes() for path in requirements)).hexdigest()[:12]
    folder = venv.parent / f"{venv.name}-wheels-{digest}"
    if (folder / "READY").exists() or not build:
        return folder if (folder / "READY").exists() else None
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    report = folder / "report.json"
    python = str(venv / "bin" / "python")
    args = [arg for path in requirements for arg in ("-r", path)]
    _run([python, "-m", "pip", "install", *PIP_QUIET, "--dry-run", "--report", str(report), *args])
    pins = [
        f"{item['metadata']['name']}=={item['metadata']['version']}"
        for item in json.loads(report.read_text(encoding="utf-8"))["install"]
    ]
    _run([python, "-m", "pip", "download", *PIP_QUIET, "--no-deps", "--dest", str(folder), *pins])
    (folder / "READY").write_text("\n".join(pins), encoding="utf-8")
    return folder


def github_stand_in(root: Path) -> Path:
    """A git repository on branch [tool.course] branch holding this checkout's working tree (tracked and
    untracked files, not the ignored ones): what the setup cell's ``git clone`` receives."""
    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["course"]
    repo = root / "github" / (settings["github_slug"].split("/")[-1] + ".git")
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-C", str(repo), "-c", "user.name=sim", "-c", "user.email=sim@localhost"]
    _run(["git", "init", "--quiet", "--initial-branch", settings["branch"], str(repo)])
    _run([*git, "add", "--all"])
    _run([*git, "commit", "--quiet", "--no-verify", "-m", "working tree"])
    return repo


def mirror_folder(root: Path) -> Path:
    """A mirror holding the text the notebooks download in Colab (from this machine's data, mirror or cache)."""
    sys.path.insert(0, str(REPO_ROOT))
    from utils.data import fetch

    folder = root / "mirror"
    folder.mkdir()
    for name in MIRRORED:
        shutil.copyfile(fetch(name, progress=False), folder / name)
    return folder


def kernel_spec(root: Path, venv: Path, repo: Path, mirror: Path, content: Path) -> Path:
    """A Jupyter data folder with the kernel 'colab-sim': the environment's Python, google.colab imported."""
    jupyter = root / "jupyter"
    spec = jupyter / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    slug = course_slug()
    env = {
        "COURSE_COLAB_DIR": str(content / slug.split("/")[-1]),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{repo.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": f"https://github.com/{slug}.git",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse(venv)),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "COURSE_DATA_MIRROR": str(mirror),
        "COURSE_OFFLINE": "1",
        "PYTHONHASHSEED": "4242",
        # No network for the notebook itself (as in the course's other tests): every proxy is a closed port.
        **{name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")},
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    argv = [
        str(fresh_runtime(root, venv) / "bin" / "python"),
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--IPKernelApp.exec_lines=import google.colab",
    ]
    spec_json = {"argv": argv, "display_name": "Colab (simulated)", "language": "python", "env": env}
    (spec / "kernel.json").write_text(json.dumps(spec_json, indent=1), encoding="utf-8")
    return jupyter


def fresh_runtime(root: Path, venv: Path) -> Path:
    """A new environment per session that sees the preinstalled packages (a .pth line) but receives what the
    setup cell installs, so every session starts like a new Colab runtime and the built one stays clean."""
    runtime = root / "runtime"
    _run([colab_python(), "-m", "venv", "--without-pip", str(runtime)])
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = _run([str(runtime / "bin" / "python"), "-c", query], capture_output=True, text=True).stdout.strip()
    base = _run([str(venv / "bin" / "python"), "-c", query], capture_output=True, text=True).stdout.strip()
    Path(site, "colab-preinstalled.pth").write_text(base + "\n", encoding="utf-8")
    return runtime


def setup_cell_index(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    for index, cell in enumerate(code):
        if SETUP_TAG in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"])
            if "COURSE_COLAB_DIR" not in source:
                raise SystemExit(
                    f"{notebook}: its setup cell does not read COURSE_COLAB_DIR and would clone into "
                    "/content; run python tools/sync_notebooks.py"
                )
            return index
    raise SystemExit(f"{notebook}: no code cell tagged {SETUP_TAG!r}")


def run_notebook(relative: str, venv: Path, repo: Path, mirror: Path, scratch: Path) -> Result:
    """One Colab session: a fresh /content with only the notebook, Run All under strict nbval."""
    notebook = REPO_ROOT / relative  # an absolute path stays as it is
    setup_index = setup_cell_index(notebook)
    root = Path(tempfile.mkdtemp(prefix=notebook.stem[:2] + "-", dir=scratch))
    content = root / "content"
    content.mkdir()
    shutil.copyfile(notebook, content / notebook.name)
    jupyter = kernel_spec(root, venv, repo, mirror, content)
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    report = root / "report.xml"
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TERM", "USER")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env["JUPYTER_PATH"] = str(jupyter)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(root / "pytest.ini"),
        "--rootdir",
        str(root),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-p",
        "no:randomly",
        "-q",
        "--nbval",
        "--nbval-kernel-name",
        KERNEL_NAME,
        "--nbval-sanitize-with",
        str(REPO_ROOT / "tests" / "sanitize.cfg"),
        "--nbval-cell-timeout",
        "600",
        "--junitxml",
        str(report),
        str(content / notebook.name),
    ]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    total = time.perf_counter() - start
    setup_seconds = None
    if report.exists():
        cases = ElementTree.parse(report).getroot().iter("testcase")
        for case in cases:
            if (
                re.search(rf"::Cell {setup_index}$", case.get("name", ""))
                or case.get("name") == f"Cell {setup_index}"
            ):
                setup_seconds = float(case.get("time", "nan"))
    cloned = (content / course_slug().split("/")[-1] / "utils" / "__init__.py").is_file()
    runtime_site = (root / "runtime").glob("lib/*/site-packages/*.dist-info")
    installed = sorted(path.name.split("-")[0].lower() for path in runtime_site)
    log = completed.stdout + completed.stderr
    return Result(relative, completed.returncode == 0, setup_seconds, total, log, cloned, installed)


def prepared() -> Path | None:
    """The built environment with its wheels, or None when ``--prepare`` has not run for these files."""
    venv = environment(build=False)
    return venv if venv is not None and wheelhouse(venv, build=False) is not None else None


def simulate(notebooks: list[str], scratch: Path | None = None) -> list[Result]:
    venv = environment()
    wheelhouse(venv)
    with tempfile.TemporaryDirectory(prefix="colab-sim-", dir=scratch) as folder:
        root = Path(folder)
        repo = github_stand_in(root)
        mirror = mirror_folder(root)
        return [run_notebook(notebook, venv, repo, mirror, root) for notebook in notebooks]


def every_notebook() -> list[str]:
    return [
        str(path.relative_to(REPO_ROOT))
        for folder in ("notebooks", "solutions")
        for path in sorted((REPO_ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", help=f"default: {' '.join(REPRESENTATIVE)}")
    parser.add_argument("--all", action="store_true", help="every notebook and solution notebook")
    parser.add_argument("--prepare", action="store_true", help="only build the environment and the wheels")
    args = parser.parse_args(argv)
    if args.prepare:
        venv = environment()
        print(f"prepared {venv.relative_to(REPO_ROOT)} and {wheelhouse(venv).relative_to(REPO_ROOT)}")
        return 0
    notebooks = every_notebook() if args.all else (args.notebooks or REPRESENTATIVE)
    failed = 0
    for result in simulate(notebooks):
        setup = "?" if result.setup_seconds is None else f"{result.setup_seconds:.1f} s"
        verdict = "passed" if result.passed else "FAILED"
        print(
            f"{verdict}  {result.notebook}  (setup cell {setup}, whole notebook {result.total_seconds:.0f} s; "
            f"cloned: {result.cloned}; installed: {', '.join(result.installed) or 'nothing'})"
        )
        if not result.passed:
            failed += 1
            print(result.log[-6000:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
