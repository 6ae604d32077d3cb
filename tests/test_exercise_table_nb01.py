"""Every exercise of notebook 01, table-driven: right answers in every natural form pass (✅), plausible
wrong answers fail with the message meant for that mistake (❌), placeholders wait (⏳)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_table import assert_waits_without_a_hint

from utils.exercises import check
from utils.exercises.nb01 import MATRIX_WORDS, _glove


@pytest.fixture(scope="module")
def kv():
    return _glove()


def _similarity(kv, words=MATRIX_WORDS, dtype=torch.float32, normalise=True):
    x = torch.tensor(np.asarray(kv[words]), dtype=dtype)
    if normalise:
        x = x / x.norm(dim=1, keepdim=True)
    return x @ x.T


EXPLANATION = ("The vectors answer daughter: it is a close neighbour of sister (second after wife), while niece "
               "ranks only second. sister alone pulls the answer to the female family words near it.")

RIGHT = {
    "01.1": [lambda kv: ("man", "king", "woman", "queen"), lambda kv: ["france", "paris", "italy", "rome"],
             lambda kv: ("walk", "walked", "swim", "swam"), lambda kv: (" man", "king", "woman", "queen ")],
    "01.2": [lambda kv: _similarity(kv), lambda kv: _similarity(kv, dtype=torch.float64),
             lambda kv: _similarity(kv).numpy(), lambda kv: _similarity(kv).round(decimals=4),
             lambda kv: _similarity(kv).requires_grad_()],
    "01.3": [lambda kv: "cereal", lambda kv: np.str_("cereal"), lambda kv: kv.doesnt_match(
        ["breakfast", "cereal", "dinner", "lunch"])],
    "01.4": [lambda kv: ("brother", "sister", "nephew", "niece", EXPLANATION),
             lambda kv: ("brother", "sister", "nephew", "niece",             # exactly 15 words
                         "daughter is a close neighbour of sister, so it beats niece which ranks second here."),
             lambda kv: ["big", "bigger", "small", "smaller",
                         "The top answer is larger, a near neighbour of bigger and a synonym of it; smaller "
                         "comes second, so the offset from big to bigger is drowned by similarity to bigger."]],
}

WRONG = {  # (answer, a substring of the message that mistake must get)
    "01.1": [
        (lambda kv: "man king woman queen", "Expected a tuple of four words"),
        (lambda kv: ("man", "king", "woman"), "got 3 items"),
        (lambda kv: ("man", "king", "woman", "Queen"), "Not in the GloVe 6B vocabulary"),
        (lambda kv: ("man", "king", "man", "king"), "four different words"),
        (lambda kv: ("man", "king", "woman", "king"), "four different words"),
        (lambda kv: ("brother", "sister", "nephew", "niece"), "the vectors answer 'daughter', not 'niece'"),
        (lambda kv: ("big", "bigger", "small", "smaller"), "the vectors answer 'larger'"),
        (lambda kv: ("man", "king", "woman", "princess"), "the vectors answer 'queen'"),  # guessed, not computed
        (lambda kv: ("good", "better", "bad", "worse"), "already the nearest neighbour of 'bad'"),
        (lambda kv: ("madrid", "indonesian", "employed", "indian"), "The reverse question"),   # any triple
        (lambda kv: ("nationalist", "election", "leave", "wait"), "do not share one relation"),
    ],
    "01.2": [
        (lambda kv: _similarity(kv, normalise=False), "The diagonal should be 1"),
        (lambda kv: _similarity(kv) + 0.5 * torch.eye(6), "The diagonal should be 1"),
        (lambda kv: _similarity(kv) + 1e-3 * torch.eye(6), "The diagonal should be 1"),
        (lambda kv: _similarity(kv, words=MATRIX_WORDS[::-1]), "Some entries differ"),         # wrong order
        (lambda kv: _similarity(kv).round(decimals=2), "Some entries differ"),                 # too coarse
        (lambda kv: _similarity(kv) * 0 + torch.eye(6), "Some entries differ"),
        (lambda kv: torch.tensor(np.asarray(kv[MATRIX_WORDS])), "Expected shape (6, 6)"),
        (lambda kv: _similarity(kv)[:5, :5], "Expected shape (6, 6)"),
        (lambda kv: _similarity(kv).tolist(), "Expected a torch.Tensor"),
    ],
    "01.3": [
        (lambda kv: "dinner", "not the word the vectors find"),
        (lambda kv: "breakfast", "not the word the vectors find"),
        (lambda kv: "pizza", "should be one of"),
        (lambda kv: ["cereal"], "Expected one word"),
        (lambda kv: 1, "Expected one word"),
    ],
    "01.4": [
        (lambda kv: ("man", "king", "woman", "queen", EXPLANATION), "get man : king :: woman : queen right"),
        (lambda kv: ("brother", "sister", "nephew", "niece", "daughter is a neighbour of sister."), "at least 15"),
        (lambda kv: ("brother", "sister", "nephew", "niece", EXPLANATION.replace("daughter", "someone")),
         "name the word the vectors actually answer ('daughter')"),
        (lambda kv: ("brother", "sister", "nephew", "niece",
                     "The vectors answer daughter, which is simply wrong because the model is bad at this "
                     "kind of family question in general, I think."), "Support the explanation"),
        (lambda kv: ("brother", "sister", "nephew", "niece",                  # b named, no evidence
                     "The vectors answer daughter instead, because sister and daughter are both female "
                     "family words in the news, I think."), "Support the explanation"),
        (lambda kv: ("brother", "sister", "nephew", "niece",                  # evidence word, no b or c
                     "The vectors answer daughter, its rank is first and niece ranks second, so the model "
                     "is confused here."), "Support the explanation"),
        (lambda kv: ("brother", "sister", "nephew", "niece"), "got 4 items"),
        (lambda kv: ("brother", "sister", "nephew", "niece", 42), "an explanation (a string)"),
        (lambda kv: ("brother", "sister", "nephew", "Niece", EXPLANATION), "Not in the GloVe 6B vocabulary"),
    ],
}


@pytest.mark.parametrize("exercise_id, index", [(e, i) for e, answers in RIGHT.items() for i in range(len(answers))])
def test_right_answers_pass(kv, exercise_id, index):
    result = check(exercise_id, RIGHT[exercise_id][index](kv))
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("exercise_id, index", [(e, i) for e, answers in WRONG.items() for i in range(len(answers))])
def test_wrong_answers_fail_with_their_message(kv, exercise_id, index):
    make, expected = WRONG[exercise_id][index]
    result = check(exercise_id, make(kv))
    assert not result.passed
    assert result.message.startswith("❌"), result.message
    assert expected in result.message, result.message
    assert "Hint:" in result.message


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_every_exercise_of_the_notebook_is_in_the_table():
    from utils.exercises import all_exercises

    assert {ex.exercise_id for ex in all_exercises("01")} == set(RIGHT) == set(WRONG)


def test_hints_do_not_give_the_odd_one_out_away():
    from utils.exercises import get_exercise

    assert "cereal" not in get_exercise("01.3").hint
