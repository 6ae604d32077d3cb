"""Tests that kill surviving mutants of utils/exercises/nb04.py.

Found by ``python tools/mutation_test.py utils/exercises/nb04.py`` (docs/authoring.md, "Mutation testing").
Expected values come from the exercise's recipe: GPT-2 tokens of The Verdict and the classic window loop.
"""

from __future__ import annotations

import torch

from utils.data import fetch
from utils.exercises import check
from utils.tokenizer import gpt2_tokenizer


def verdict_ids() -> list[int]:
    text = fetch("the-verdict.txt").read_text(encoding="utf-8")
    return gpt2_tokenizer().encode(text, allowed_special={"<|endoftext|>"})


def first_batch(batch_size: int, max_length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids = verdict_ids()
    starts = [s for s in range(0, len(ids) - max_length, stride)][:batch_size]
    return (torch.tensor([ids[s:s + max_length] for s in starts]),
            torch.tensor([ids[s + 1:s + max_length + 1] for s in starts]))


def test_a_list_of_three_is_not_a_pair() -> None:
    # Survivor: `isinstance(answer, list) and len(answer) == 2` -> `or` (any list was turned into a tuple).
    inputs, targets = first_batch(8, 2, 2)
    result = check("04.1", [inputs, targets, targets])
    assert "Expected a pair (inputs, targets)" in result.message and "got a list" in result.message, \
        result.message


def test_wrong_targets_with_right_inputs_fail() -> None:
    # Survivor: `not equal(inputs) or not equal(targets)` -> `and`: right inputs let any targets pass that
    # are shifted consistently (the shift test does not see the targets' last column).
    inputs, targets = first_batch(4, 8, 2)
    assert check("04.2", (inputs, targets)), "the recipe's batch must pass"
    wrong = targets.clone()
    wrong[:, -1] += 1
    result = check("04.2", (inputs, wrong))
    assert not result.passed and result.message.startswith("❌"), result.message


def test_two_off_the_window_count_is_not_called_the_window_count() -> None:
    # Survivor: `abs(answer - windows) <= 1` -> `<= 2` in 04.3 (max_length 8, stride 2, batch 8).
    windows = len(range(0, len(verdict_ids()) - 8, 2))
    for answer in (windows + 2, windows - 2):
        message = check("04.3", answer).message
        assert "Not the number of batches" in message and "number of windows" not in message, message
    assert "number of windows" in check("04.3", windows + 1).message


def test_twelve_words_are_enough() -> None:
    # Survivors: `len(answer.split()) < 12` -> `<= 12` and `< 13` in the open-answer check.
    twelve = "Each token is an input exactly once; random offsets miss some tokens."
    assert len(twelve.split()) == 12
    assert check("04.6", twelve), check("04.6", twelve).message
    eleven = "Each token is an input exactly once; random offsets miss some."
    assert "at least 12 words" in check("04.6", eleven).message
