"""Stop at the first import when another ``utils`` shadows the course's package.

``utils`` is a common name: a ``utils.py`` or a ``utils/`` folder in the notebook's folder or on
``PYTHONPATH`` comes before the course's editable install on Python's search path. When that other package
lacks a module, Python falls back to the course's, and the result is a silent mixture (``utils.data`` from
the course, ``utils.plots`` from a yolov5 checkout). Every course module imports this one first, so such a
mixture stops with an ImportError naming both paths instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

COURSE_UTILS = Path(__file__).resolve().parent


def _describe(module: object) -> str:
    origin = getattr(module, "__file__", None)
    if origin:
        return str(Path(origin).resolve())
    locations = list(getattr(module, "__path__", []))
    return f"a folder without __init__.py: {', '.join(map(str, locations)) or '?'}"


def check_course_utils() -> None:
    """ImportError unless ``sys.modules["utils"]`` is the course's package (this file's folder)."""
    imported = sys.modules.get("utils")
    origin = getattr(imported, "__file__", None)
    if imported is not None and origin and Path(origin).resolve().parent == COURSE_UTILS:
        return
    raise ImportError(
        f"Another `utils` shadows the course's package: Python imported {_describe(imported)} "
        f"instead of {COURSE_UTILS / '__init__.py'}. Rename or move the other one (a utils.py file or a "
        "utils/ folder in the notebook's folder or on PYTHONPATH), then restart the kernel."
    )


check_course_utils()
