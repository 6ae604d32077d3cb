"""Installed package versions compared with the versions the course was tested with."""

from __future__ import annotations

import importlib.metadata as metadata
import re

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)
from .data import REPO_ROOT


def tested_versions() -> dict[str, str]:
    """Package name → version pinned in requirements.txt (the versions the outputs were made with)."""
    pins = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def installed_vs_tested(packages: list[str]) -> list[tuple[str, str, str]]:
    """(package, installed version without local build tag, tested version) for each package."""
    tested = tested_versions()
    rows = []
    for package in packages:
        try:
            installed = metadata.version(package).split("+")[0]
        except metadata.PackageNotFoundError:
            installed = "missing"
        rows.append((package, installed, tested.get(package.lower(), "unpinned")))
    return rows
