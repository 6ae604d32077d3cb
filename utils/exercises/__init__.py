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
import numbers
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .. import _guard  # noqa: F401  (stops when another `utils` shadows this package)


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
    """The registered exercise ``exercise_id`` ("NN.k"), importing ``utils.exercises.nbNN`` if needed.

    Raises:
        KeyError: no such exercise (the message lists the known ids).
        ImportError: the checks of that notebook could not be imported (a missing dependency, say); the
            message says that this is the course's problem, not the student's.
    """
    if exercise_id not in _REGISTRY:
        module = f"utils.exercises.nb{str(exercise_id).split('.')[0]}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:  # the module exists but needs a package that is not installed
                raise ImportError(f"The checks for exercise {exercise_id!r} need the package {error.name!r}, "
                                  f"which is not installed: python -m pip install -r requirements.txt") from error
    if exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none loaded"
        raise KeyError(f"No exercise {exercise_id!r}. Check the id in the exercise's text (known: {known}).")
    return _REGISTRY[exercise_id]


def all_exercises(notebook: str) -> list[Exercise]:
    """Every exercise registered for notebook ``notebook`` ("01", "02", ...)."""
    importlib.import_module(f"utils.exercises.nb{notebook}")
    return [ex for key, ex in sorted(_REGISTRY.items()) if key.startswith(f"{notebook}.")]


class StudentCodeError(Exception):
    """The student's function raised while a checker called it (see :func:`call_student`)."""

    def __init__(self, error: BaseException):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


class NotAnswered(Exception):
    """The answer is still the placeholder: ``...``, ``None``, or a function whose body is only ``...``."""


def _stub():  # the bytecode of a function whose body is `...`, `pass` or only a docstring
    ...


def is_stub(answer: Any) -> bool:
    """Whether ``answer`` is still a placeholder: ``...``, ``None`` or a function that does nothing."""
    if answer is None or answer is Ellipsis:
        return True
    code = getattr(answer, "__code__", None)
    return code is not None and code.co_code == _stub.__code__.co_code


def call_student(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's ``function``; its exceptions become :class:`StudentCodeError`, ``None`` NotAnswered.

    Checkers call student code only through this, so :func:`check` can tell the student's crash ("your
    function raised …") from the checker's own failure ("the check could not run …").
    """
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        raise StudentCodeError(error) from error
    if result is None or result is Ellipsis:
        raise NotAnswered()
    return result


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Check a student's answer to exercise ``exercise_id`` and return a friendly verdict.

    ``answer`` left as ``...`` (Ellipsis) or ``None``, or a function whose body is still ``...``, counts as
    not attempted yet (⏳, no hint: hints come after a first try). A wrong answer gets ❌, the reason and
    the hint. When the check itself cannot run (its data cannot be loaded, say), the message says so.
    The global random generators of ``random``, NumPy and PyTorch are left as they were.
    """
    ex = get_exercise(exercise_id)
    waiting = CheckResult(exercise_id, False, f"⏳ Exercise {exercise_id} ({ex.title}): not answered yet. "
                                              "Replace the ... with your answer and run the cell again.")
    if is_stub(answer):
        return waiting
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            ex.checker(answer)
    except NotAnswered:
        return waiting
    except NotYet as reason:
        return CheckResult(exercise_id, False, f"❌ Exercise {exercise_id} ({ex.title}): not yet. {reason}\n"
                                               f"   Hint: {ex.hint}")
    except StudentCodeError as error:
        return CheckResult(exercise_id, False, f"❌ Exercise {exercise_id} ({ex.title}): your function raised "
                                               f"{error}\n   Hint: {ex.hint}")
    except Exception as error:  # the checker's own failure (data, dependency): not the student's fault
        return CheckResult(exercise_id, False, f"⚠️ Exercise {exercise_id} ({ex.title}): the check itself could "
                                               f"not run ({type(error).__name__}: {error}). This says nothing "
                                               "about your answer; fix the environment (see the README's "
                                               "troubleshooting table) and run the cell again.")
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
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


def as_int(answer: Any, what: str) -> int:
    """``answer`` as a Python int when it is any integer (Python, NumPy, a one-element integer tensor).

    Raises NotYet for floats, bools and everything else, naming ``what`` was expected.
    """
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and not answer.is_floating_point() \
            and answer.dtype != torch.bool:
        return int(answer.item())
    if isinstance(answer, numbers.Integral) and not isinstance(answer, (bool, np.bool_)):
        return int(answer)
    raise NotYet(f"Expected {what} (a whole number), got a {type(answer).__name__}: {answer!r}.")


def as_float(answer: Any, what: str) -> float:
    """``answer`` as a Python float when it is a real number (Python, NumPy, a one-element tensor)."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and answer.dtype != torch.bool:
        return float(answer.item())
    if isinstance(answer, numbers.Real) and not isinstance(answer, (bool, np.bool_)):
        return float(answer)
    raise NotYet(f"Expected {what} (a number), got a {type(answer).__name__}: {answer!r}.")
