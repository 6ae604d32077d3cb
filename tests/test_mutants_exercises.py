"""Tests that kill the mutants of utils/exercises/__init__.py that the other unit tests let survive.

Found by ``python tools/mutation_test.py utils/exercises/__init__.py`` (docs/authoring.md, "Mutation
testing"). Each test states the behaviour it pins.
"""

from __future__ import annotations

import dataclasses
import importlib

import pytest

import utils.exercises as exercises
from utils.exercises import all_exercises, check, get_exercise


def test_exercises_and_results_are_immutable() -> None:
    # Survivors: `@dataclass(frozen=True)` -> frozen=False on Exercise and on CheckResult.
    registered = get_exercise("05.1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        registered.hint = "the answer is ..."
    result = check("05.1", ...)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.passed = True


def test_the_decorator_returns_the_checker_itself() -> None:
    # Survivor: `return checker` -> `return None` in `exercise`: every nbNN.check_… name would be None.
    module = importlib.import_module("utils.exercises.nb05")
    decorated = [ex for ex in all_exercises("05") if "<locals>" not in ex.checker.__qualname__]
    assert decorated  # checkers registered by the data helpers (multiple_choice, …) are nested functions
    for registered in decorated:
        assert getattr(module, registered.checker.__name__) is registered.checker


def test_a_missing_dependency_is_named_not_hidden_as_an_unknown_id(monkeypatch) -> None:
    # Survivor: `if error.name != module` -> `if False`: a missing package became "No exercise '96.1'".
    def missing_package(name: str):
        raise ModuleNotFoundError("No module named 'some_missing_package'", name="some_missing_package")

    monkeypatch.setattr(exercises.importlib, "import_module", missing_package)
    with pytest.raises(ImportError, match="need the package 'some_missing_package'") as error:
        get_exercise("96.1")
    assert not isinstance(error.value, ModuleNotFoundError)
    assert "pip install -r requirements.txt" in str(error.value)


def test_a_missing_checks_module_is_an_unknown_id(monkeypatch) -> None:
    def no_such_module(name: str):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(exercises.importlib, "import_module", no_such_module)
    with pytest.raises(KeyError, match="No exercise '96.1'"):
        get_exercise("96.1")


def test_an_unknown_id_lists_the_known_ones() -> None:
    # Survivor: `", ".join(sorted(_REGISTRY)) or "none loaded"` -> `... and "none loaded"`.
    get_exercise("05.1")
    with pytest.raises(KeyError) as error:
        get_exercise("05.99")
    message = str(error.value)
    assert "known: " in message and "05.1" in message and "none loaded" not in message


def test_an_unknown_id_with_nothing_loaded_says_so(monkeypatch) -> None:
    monkeypatch.setattr(exercises, "_REGISTRY", {})
    monkeypatch.setattr(exercises.importlib, "import_module", lambda name: None)
    with pytest.raises(KeyError, match="known: none loaded"):
        get_exercise("96.1")
