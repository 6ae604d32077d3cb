"""Exercise checks with friendly feedback.

A student computes an answer and calls ``check("02.1", answer)``. The check says whether the answer is
right; when it is not, it says what kind of answer was expected (a type, a shape, a property) and gives a
hint, but never prints the solution. Checks for notebook NN live in ``utils/exercises/nbNN.py`` and are
registered with the :func:`exercise` decorator; ``check`` imports that module on first use.

Solutions for instructors are in ``solutions/``; each solution cell ends with ``assert check(...)``, so
CI proves the solutions pass their own checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class NotYet(Exception):
    """Raised by a checker when an answer is wrong; the message is shown to the student."""


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise: its id ("NN.k"), a title, a hint, and the checker function."""

    exercise_id: str
    title: str
    hint: str
    checker: Callable[[Any], None]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of :func:`check`: truthy when passed, shown as a friendly message."""

    exercise_id: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


_REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str, hint: str) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register a checker: a function that returns quietly for a right answer and raises NotYet otherwise."""

    def register(checker: Callable[[Any], None]) -> Callable[[Any], None]:
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker)
        return checker

    return register


def get_exercise(exercise_id: str) -> Exercise:
    """The registered exercise ``exercise_id`` ("NN.k"), importing ``utils.exercises.nbNN`` if needed."""
    if exercise_id not in _REGISTRY:
        notebook = exercise_id.split(".")[0]
        try:
            importlib.import_module(f"utils.exercises.nb{notebook}")
        except ModuleNotFoundError:
            pass
    if exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none loaded"
        raise KeyError(f"No exercise {exercise_id!r}. Check the id in the exercise's text (known: {known}).")
    return _REGISTRY[exercise_id]


def all_exercises(notebook: str) -> list[Exercise]:
    """Every exercise registered for notebook ``notebook`` ("01", "02", ...)."""
    importlib.import_module(f"utils.exercises.nb{notebook}")
    return [ex for key, ex in sorted(_REGISTRY.items()) if key.startswith(f"{notebook}.")]


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Check a student's answer to exercise ``exercise_id`` and return a friendly verdict.

    ``answer`` left as ``...`` (Ellipsis) or ``None`` counts as not attempted yet.
    """
    ex = get_exercise(exercise_id)
    if answer is None or answer is Ellipsis:
        return CheckResult(exercise_id, False, f"⏳ Exercise {exercise_id} ({ex.title}): not answered yet. "
                                               f"Replace the ... with your answer. Hint: {ex.hint}")
    try:
        ex.checker(answer)
    except NotYet as reason:
        return CheckResult(exercise_id, False, f"❌ Exercise {exercise_id} ({ex.title}): not yet. {reason}\n"
                                               f"   Hint: {ex.hint}")
    except Exception as error:  # the student's function crashed inside the check
        return CheckResult(exercise_id, False, f"❌ Exercise {exercise_id} ({ex.title}): your answer raised "
                                               f"{type(error).__name__}: {error}\n   Hint: {ex.hint}")
    return CheckResult(exercise_id, True, f"✅ Exercise {exercise_id} ({ex.title}): correct!")


# Small helpers checkers share ------------------------------------------------------------------------


def expect_type(answer: Any, kind: type | tuple[type, ...], what: str) -> None:
    """Raise NotYet unless ``answer`` is an instance of ``kind``; ``what`` describes the expected answer."""
    if not isinstance(answer, kind):
        raise NotYet(f"Expected {what}, got a {type(answer).__name__}.")


def expect_shape(answer: Any, shape: tuple[int, ...]) -> None:
    """Raise NotYet unless ``answer.shape`` equals ``shape``."""
    got = tuple(getattr(answer, "shape", ()))
    if got != tuple(shape):
        raise NotYet(f"Expected shape {tuple(shape)}, got {got}.")
