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
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
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
    # The expected value as a zero-argument callable, for exercises whose answer is a value the notebook could
    # print (tests check that no output above a prediction prompt reveals it); None for the others.
    answer: Callable[[], Any] | None = None


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


def exercise(
    exercise_id: str, title: str, hint: str, answer: Callable[[], Any] | None = None
) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register a checker: a function that returns quietly for a right answer and raises NotYet otherwise.

    ``answer``, when given, is a zero-argument callable returning the expected value (see :class:`Exercise`).
    """

    def register(checker: Callable[[Any], None]) -> Callable[[Any], None]:
        _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker, answer)
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
    """The student's code raised while a checker used it (see :func:`call_student` and :func:`using_answer`)."""

    def __init__(self, error: BaseException, doing: str = "your function raised"):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error
        self.doing = doing


class Noted(Exception):
    """Raised by a reflection checker: free text is recorded and compared with a model answer, never graded."""


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
    if result is Ellipsis:
        raise NotAnswered()
    if result is None:
        raise NotYet("Your function returned None: did you forget `return`?")
    return result


@contextmanager
def using_answer(what: str = "your answer"):
    """Run a checker's use of the student's returned object; its exceptions are the answer's problem.

    Example: ``with using_answer("your layer"): output = layer(x)``. A crash there (a float64 ``nn.Linear``
    fed float32 input, say) is reported as "your layer raised … when the check used it", not blamed on the
    environment.
    """
    try:
        yield
    except (NotYet, NotAnswered, StudentCodeError, Noted):
        raise
    except Exception as error:
        raise StudentCodeError(error, f"{what} raised, when the check used it,") from error


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
    except Noted as model_answer:
        return CheckResult(exercise_id, True, f"📝 Exercise {exercise_id} ({ex.title}): noted, not graded "
                                              f"(no program can grade meaning). Compare your answer with the "
                                              f"model answer: {model_answer}")
    except NotYet as reason:
        return CheckResult(exercise_id, False, f"❌ Exercise {exercise_id} ({ex.title}): not yet. {reason}\n"
                                               f"   Hint: {ex.hint}")
    except StudentCodeError as error:
        return CheckResult(exercise_id, False, f"❌ Exercise {exercise_id} ({ex.title}): {error.doing} "
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


def as_int(answer: Any, what: str, integral_floats: bool = False) -> int:
    """``answer`` as a Python int when it is any integer (Python, NumPy, a one-element integer tensor).

    With ``integral_floats`` a float with no fractional part (``768 / 3`` is ``256.0``) counts as that whole
    number too. Raises NotYet for other floats, bools and everything else, naming ``what`` was expected.
    """
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and not answer.is_floating_point() \
            and answer.dtype != torch.bool:
        return int(answer.item())
    if isinstance(answer, numbers.Integral) and not isinstance(answer, (bool, np.bool_)):
        return int(answer)
    if integral_floats:
        value = answer.item() if isinstance(answer, torch.Tensor) and answer.numel() == 1 else answer
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) \
                and float(value).is_integer():
            return int(value)
    raise NotYet(f"Expected {what} (a whole number), got a {type(answer).__name__}: {answer!r}.")


def as_float(answer: Any, what: str) -> float:
    """``answer`` as a Python float when it is a real number (Python, NumPy, a one-element tensor)."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1 and answer.dtype != torch.bool:
        return float(answer.item())
    if isinstance(answer, numbers.Real) and not isinstance(answer, (bool, np.bool_)):
        return float(answer)
    raise NotYet(f"Expected {what} (a number), got a {type(answer).__name__}: {answer!r}.")


# Checkers as data -------------------------------------------------------------------------------------
# Most checkers are one of a few kinds: a whole number, a measured float, a function compared with a reference
# on cases, a choice between statements, or free text. Each helper below registers such a checker from its
# right answer plus its catalogue of diagnosed mistakes, so a checker reads as data.


def _value(answer: Any) -> Any:
    """The expected value: ``answer`` itself, or what a zero-argument callable returns (computed lazily)."""
    return answer() if callable(answer) else answer


def _as_callable(answer: Any) -> Callable[[], Any]:
    return answer if callable(answer) else (lambda: answer)


def whole_number(
    exercise_id: str,
    title: str,
    hint: str,
    what: str,
    answer: int | Callable[[], int],
    mistakes: Mapping[int, str] | Callable[[], Mapping[int, str]] = (),
) -> None:
    """Register a check whose answer is a whole number (``768 / 3`` = 256.0 counts as 256).

    ``mistakes`` maps a known wrong value to its diagnosis (or is a callable returning that mapping, when the
    values are computed); any other wrong value gets a generic message naming ``what`` was asked.
    """

    def checker(given: Any) -> None:
        number = as_int(given, what, integral_floats=True)
        expected = int(_value(answer))
        if number == expected:
            return
        known = dict(_value(mistakes) or {})
        known.pop(expected, None)  # a catalogue entry can never shadow the right answer
        if number in known:
            raise NotYet(known[number])
        raise NotYet(f"{number} is not {what}.")

    _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker, _as_callable(answer))


def close_number(
    exercise_id: str,
    title: str,
    hint: str,
    what: str,
    answer: float | Callable[[], float],
    rel_tol: float = 1e-2,
    abs_tol: float = 0.0,
    mistakes: Mapping[float, str] | Callable[[], Mapping[float, str]] = (),
) -> None:
    """Register a check whose answer is a real number, right within ``rel_tol``/``abs_tol`` of ``answer``.

    A wrong value within the same tolerance of a key of ``mistakes`` gets that diagnosis.
    """

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= max(rel_tol * abs(b), abs_tol)

    def checker(given: Any) -> None:
        number = as_float(given, what)
        expected = float(_value(answer))
        if near(number, expected):
            return
        for wrong, diagnosis in dict(_value(mistakes) or {}).items():
            if near(number, float(wrong)):
                raise NotYet(diagnosis)
        raise NotYet(f"{number:.4g} is not {what}.")

    _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker, _as_callable(answer))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        a, b = torch.as_tensor(a), torch.as_tensor(b)
        if a.shape != b.shape:
            return False
        if a.is_floating_point() or b.is_floating_point():
            return torch.allclose(a.double(), b.double(), rtol=1e-5, atol=1e-6)
        return torch.equal(a, b)
    return a == b


def matches_reference(
    exercise_id: str,
    title: str,
    hint: str,
    reference: Callable[..., Any],
    cases: Sequence[tuple] | Callable[[], Sequence[tuple]],
    mistakes: Sequence[tuple[Callable[..., Any], str]] = (),
    compare: Callable[[Any, Any], bool] = _same,
) -> None:
    """Register a check that calls the student's function on ``cases`` (argument tuples) and compares each
    result with ``reference``'s. On the first differing case, a mistake function that reproduces the student's
    result on every case names the mistake; otherwise the message shows the case that differs.
    """

    def checker(student: Any) -> None:
        if not callable(student):
            raise NotYet(f"Expected a function, got a {type(student).__name__}.")
        all_cases = list(_value(cases))
        results = [call_student(student, *args) for args in all_cases]
        for args, result in zip(all_cases, results, strict=True):
            with using_answer("your function's result"):
                same = compare(result, reference(*args))
            if not same:
                for wrong, diagnosis in mistakes:
                    if all(compare(r, wrong(*a)) for a, r in zip(all_cases, results, strict=True)):
                        raise NotYet(diagnosis)
                shown = ", ".join(_short(a) for a in args)
                raise NotYet(f"For the input ({shown}) your function's result differs from the expected one.")

    _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_LETTERS = re.compile(r"[a-z]")


def multiple_choice(exercise_id: str, title: str, hint: str, options: Mapping[str, tuple[bool, str]]) -> None:
    """Register a multiple-choice / true-false item: ``options`` maps a letter to (is it right?, why).

    The student answers a letter ("b", "B", "(b)", "b)") or, when several options are right, all of them
    ("a, c", "ac", ["a", "c"]). Each wrongly chosen option is answered with its own explanation, so every
    distractor names its misconception; a right but incomplete choice is told that more is right.
    """
    letters = {key.lower() for key in options}
    right = {key.lower() for key, (correct, _) in options.items() if correct}
    if not right or any(len(key) != 1 for key in letters):
        raise ValueError(f"{exercise_id}: options need single-letter keys and at least one right option.")
    why = {key.lower(): reason for key, (_, reason) in options.items()}
    listed = ", ".join(sorted(letters))

    def checker(given: Any) -> None:
        if isinstance(given, str):
            text = given.lower().replace("and", ",")
            words = re.findall(r"[a-z]+", text)
            if any(len(word) > 1 and not set(word) <= letters for word in words):
                raise NotYet(f"Answer with the letter(s) of your choice ({listed}), not with words.")
            chosen = set(_LETTERS.findall(text))
        elif isinstance(given, (list, tuple, set, frozenset)) and all(isinstance(g, str) for g in given):
            chosen = {g.strip().strip("()").lower() for g in given}
        else:
            raise NotYet(f"Expected the letter(s) of your choice as a string, e.g. \"{min(letters)}\".")
        unknown = chosen - letters
        if not chosen or unknown:
            raise NotYet(f"Choose among the letters {listed}" + (f" ({', '.join(sorted(unknown))} is not one)."
                                                                 if unknown else "."))
        wrong = sorted(chosen - right)
        if wrong:
            raise NotYet(" ".join(f"({key}) is not right: {why[key]}" for key in wrong))
        if chosen != right:
            raise NotYet("Everything you chose is right, but another statement is right too.")

    _REGISTRY[exercise_id] = Exercise(exercise_id, title, hint, checker)


def reflection(exercise_id: str, title: str, model_answer: str, min_words: int = 8) -> None:
    """Register a free-text reflection: never graded with ✅ (no keyword list can grade meaning).

    An answer of at least ``min_words`` words gets 📝 and the model answer to compare with; a shorter one is
    asked for a full sentence or two.
    """

    def checker(given: Any) -> None:
        expect_type(given, str, "your answer as a string of one or two sentences")
        if len(given.split()) < min_words:
            raise NotYet(f"Write one or two full sentences (at least {min_words} words) in your own words.")
        raise Noted(model_answer)

    _REGISTRY[exercise_id] = Exercise(
        exercise_id, title, "write what you would say to a classmate, then compare.", checker
    )
