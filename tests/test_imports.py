"""The package structure: nobody's `utils` can silently take the course's place; one topic per module.

The hijack cases run in fresh interpreters (subprocesses), as a student's kernel would, with a foreign
`utils` on PYTHONPATH or in the current folder.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from utils.data import REPO_ROOT

UTILS = REPO_ROOT / "utils"
# Modules written to the current structure: relative imports, the guard, ruff format.
RESTRUCTURED = [
    "__init__",
    "_guard",
    "data",
    "download",
    "glove_check",
    "token_ids",
    "tokenizer",
    "validation",
    "windows",
]
FORMATTED = (
    [f"utils/{name}.py" for name in RESTRUCTURED]
    + [
        f"tests/{name}.py"
        for name in (
            "conftest",
            "test_data",
            "test_imports",
            "test_tokenizer",
            "test_windows",
            "test_error_catalogue",
            "test_environment",
            "test_colab_simulation",
        )
    ]
    + ["tools/colab_simulation.py"]
)


def run_python(code: str, *, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_course_package_is_imported_from_any_folder(tmp_path):
    result = run_python(
        "import utils.data, utils.windows; print(utils.__file__, utils.windows.__file__)", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(UTILS / "__init__.py"), str(UTILS / "windows.py")]


@pytest.mark.parametrize("with_init", [True, False], ids=["package", "folder-without-init"])
@pytest.mark.parametrize("module", ["utils.data", "utils.windows", "utils.tokenizer", "utils.token_ids"])
def test_foreign_utils_on_pythonpath_stops_with_both_paths(tmp_path, with_init, module):
    """A yolov5-style `utils/` earlier on the path would otherwise yield a mixed package."""
    foreign = tmp_path / "other-project" / "utils"
    foreign.mkdir(parents=True)
    (foreign / "plots.py").write_text("def plot():\n    pass\n", encoding="utf-8")
    if with_init:
        (foreign / "__init__.py").write_text("", encoding="utf-8")
    result = run_python(f"import {module}", cwd=tmp_path, pythonpath=foreign.parent)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ImportError: Another `utils` shadows the course's package"), result.stderr
    assert str(foreign.resolve()) in last_line and str(UTILS / "__init__.py") in last_line


def test_utils_py_in_the_notebook_folder_fails_at_the_first_import(tmp_path):
    """Python never asks the course's code here, so the error is Python's own; it is loud, and the README
    says what it means (tests/test_error_catalogue.py keeps that row)."""
    (tmp_path / "utils.py").write_text("HELPER = 1\n", encoding="utf-8")
    result = run_python("from utils.data import fetch", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: No module named 'utils.data'; 'utils' is not a package"
    )


def test_every_module_is_listed_in_the_package_docstring():
    import utils

    modules = {path.stem for path in UTILS.glob("*.py") if not path.stem.startswith("_")}
    modules |= {path.name for path in UTILS.iterdir() if (path / "__init__.py").exists()}
    listed = set(re.findall(r"``(\w+)``", utils.__doc__))
    assert modules <= listed, f"not listed in utils/__init__.py: {sorted(modules - listed)}"


def test_every_package_is_packaged():
    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        str(path.parent.relative_to(REPO_ROOT)).replace(os.sep, ".") for path in UTILS.rglob("__init__.py")
    }
    assert packages == set(settings["tool"]["setuptools"]["packages"])


@pytest.mark.parametrize("name", RESTRUCTURED)
def test_restructured_modules_import_relatively_and_run_the_guard(name):
    tree = ast.parse((UTILS / f"{name}.py").read_text(encoding="utf-8"))
    absolute = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.level == 0
        and (node.module or "").split(".")[0] == "utils"
    ]
    absolute += [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.split(".")[0] == "utils"
    ]
    assert absolute == [], f"utils/{name}.py imports {absolute} absolutely"
    if name != "_guard":
        guarded = any(
            isinstance(node, ast.ImportFrom)
            and node.level == 1
            and node.module is None
            and any(alias.name == "_guard" for alias in node.names)
            for node in tree.body
        )
        assert guarded, f"utils/{name}.py does not import _guard"


@pytest.mark.parametrize("name", RESTRUCTURED)
def test_restructured_modules_stay_short(name):
    lines = len((UTILS / f"{name}.py").read_text(encoding="utf-8").splitlines())
    assert lines <= 300, f"utils/{name}.py has {lines} lines"


def test_formatter_policy_holds_for_the_listed_files():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", *FORMATTED],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_licence_and_packaging_metadata():
    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert settings["project"]["license"] == "MIT"
    assert settings["project"]["license-files"] == ["LICENSE"]
    licence = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "2026 Token Embeddings, hands-on authors" in licence
    assert "setuptools>=77" in settings["build-system"]["requires"]
    dependencies = settings["project"]["dependencies"]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+>=[0-9][\w.]*", line) for line in dependencies), dependencies
