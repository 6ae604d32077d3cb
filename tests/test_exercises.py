"""The exercise-check mechanism, and every registered exercise's checker."""

from __future__ import annotations

import pkgutil

import numpy as np
import pytest
import torch

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


# The data helpers of utils.exercises: multiple choice, reflection, whole and close numbers, reference cases.


def _register_samples():
    from utils.exercises import close_number, matches_reference, multiple_choice, reflection, whole_number

    multiple_choice("99.1", "one right", "h", {"a": (False, "A is a myth."), "b": (True, "B."), "c": (False, "C.")})
    multiple_choice("99.2", "two right", "h", {"a": (True, "x"), "b": (False, "y is wrong"), "c": (True, "z")})
    reflection("99.3", "in your words", "The model answer.")
    whole_number("99.4", "windows", "h", "the number of windows", lambda: 320, {321: "naive floor division"})
    close_number("99.5", "cosine", "h", "the cosine", 0.5, abs_tol=0.01, mistakes={-0.5: "sign flipped"})
    matches_reference("99.6", "double", "h", lambda x: 2 * x, [(1,), (3,)],
                      mistakes=[(lambda x: x + 2, "added instead of multiplied")])


@pytest.mark.parametrize(("exercise_id", "answer"), [
    ("99.1", "b"), ("99.1", "B"), ("99.1", "(b)"), ("99.1", " b) "), ("99.1", ["b"]),
    ("99.2", "a, c"), ("99.2", "ac"), ("99.2", "A and C"), ("99.2", ("a", "c")),
    ("99.4", 320), ("99.4", 320.0), ("99.4", np.int64(320)), ("99.4", torch.tensor(320)),
    ("99.5", 0.5), ("99.5", 0.505), ("99.5", np.float32(0.5)),
    ("99.6", lambda x: x * 2),
])
def test_data_helpers_accept_right_answers_in_natural_forms(exercise_id, answer):
    _register_samples()
    result = check(exercise_id, answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize(("exercise_id", "answer", "reason"), [
    ("99.1", "a", "A is a myth"), ("99.1", "a, b", "A is a myth"), ("99.1", "abc", "A is a myth"),
    ("99.1", "because b is right", "not with words"), ("99.1", "d", "d is not one"), ("99.1", 2, "letter"),
    ("99.2", "a", "another statement is right"), ("99.2", "a, b, c", "y is wrong"),
    ("99.3", "too short", "full sentences"),
    ("99.4", 321, "naive floor division"), ("99.4", 5, "5 is not the number of windows"),
    ("99.4", 320.5, "whole number"), ("99.4", "320", "whole number"), ("99.4", True, "whole number"),
    ("99.5", -0.5, "sign flipped"), ("99.5", 0.2, "is not the cosine"),
    ("99.6", lambda x: x + 2, "added instead of multiplied"), ("99.6", lambda x: 3 * x, "input (1)"),
    ("99.6", lambda x: print(end=""), "did you forget `return`"), ("99.6", 5, "Expected a function"),
])
def test_data_helpers_diagnose_wrong_answers(exercise_id, answer, reason):
    _register_samples()
    result = check(exercise_id, answer)
    assert not result.passed and result.message.startswith("❌") and reason in result.message, result.message


def test_a_reflection_is_noted_with_the_model_answer_and_never_ticked():
    _register_samples()
    result = check("99.3", "Random offsets show every token exactly once per epoch, never several times.")
    assert result.message.startswith("📝") and "The model answer." in result.message and "✅" not in result.message


def test_a_crash_while_the_check_uses_the_answer_is_the_answers_problem():
    from utils.exercises import exercise, using_answer

    @exercise("99.7", "a layer", "h")
    def checker(layer):
        with using_answer("your layer"):
            layer(torch.ones(2, dtype=torch.float32))

    result = check("99.7", torch.nn.Linear(2, 2).double())
    assert result.message.startswith("❌") and "your layer raised" in result.message, result.message
    assert "environment" not in result.message


def test_the_expected_value_of_a_number_exercise_is_exposed_for_tests():
    _register_samples()
    from utils.exercises import get_exercise

    assert get_exercise("99.4").answer() == 320 and get_exercise("99.1").answer is None
