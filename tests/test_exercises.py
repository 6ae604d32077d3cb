"""The exercise-check mechanism, and every registered exercise's checker."""

from __future__ import annotations

import pkgutil

import pytest

import utils.exercises as exercises
from utils.exercises import NotYet, check, exercise


@pytest.fixture
def toy_exercise(monkeypatch):
    monkeypatch.setattr(exercises, "_REGISTRY", dict(exercises._REGISTRY))

    @exercise("99.1", "the answer", "think of Douglas Adams")
    def _(answer):
        exercises.expect_type(answer, int, "an integer")
        if answer != 42:
            raise NotYet("That integer is not the answer.")


def test_right_answer_passes(toy_exercise):
    result = check("99.1", 42)
    assert result and result.passed
    assert repr(result).startswith("✅")


def test_wrong_answer_explains_without_the_solution(toy_exercise):
    result = check("99.1", 41)
    assert not result
    assert "not the answer" in result.message and "Douglas Adams" in result.message
    assert "42" not in result.message


def test_wrong_type_says_what_was_expected(toy_exercise):
    assert "Expected an integer, got a str" in check("99.1", "42").message


@pytest.mark.parametrize("blank", [None, ...])
def test_unanswered_exercise_is_pointed_out(toy_exercise, blank):
    result = check("99.1", blank)
    assert not result and "not answered yet" in result.message


def test_a_crashing_answer_is_reported_not_raised(toy_exercise, monkeypatch):
    @exercise("99.2", "a function", "return a number")
    def _(answer):
        answer()

    result = check("99.2", lambda: 1 / 0)
    assert not result and "ZeroDivisionError" in result.message


def test_unknown_exercise_id_is_a_clear_error():
    with pytest.raises(KeyError, match="No exercise '77.7'"):
        check("77.7", 1)


def notebook_numbers() -> list[str]:
    return sorted(m.name[2:] for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("nb"))


@pytest.mark.parametrize("notebook", notebook_numbers())
def test_every_checker_rejects_blank_and_nonsense_answers(notebook):
    registered = exercises.all_exercises(notebook)
    assert registered, f"utils/exercises/nb{notebook}.py registers no exercise"
    for ex in registered:
        assert ex.hint and ex.title
        for nonsense in (None, object(), "", -1):
            assert not check(ex.exercise_id, nonsense), f"{ex.exercise_id} accepted {nonsense!r}"
