"""Tests that kill surviving mutants of utils/exercises/nb04.py.

Found by ``python tools/mutation_test.py utils/exercises/nb04.py`` (docs/authoring.md, "Mutation testing").
Expected values come from the exercise's recipe: GPT-2 tokens of The Verdict and the classic window loop.
"""

from __future__ import annotations

import torch

from utils.data import fetch
from utils.exercises import check, get_exercise
from utils.tokenizer import gpt2_tokenizer


def verdict_ids() -> list[int]:
    text = fetch("the-verdict.txt").read_text(encoding="utf-8")
    return gpt2_tokenizer().encode(text, allowed_special={"<|endoftext|>"})


def first_batch(batch_size: int, max_length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids = verdict_ids()
    starts = list(range(0, len(ids) - max_length, stride))[:batch_size]
    return (
        torch.tensor([ids[s : s + max_length] for s in starts]),
        torch.tensor([ids[s + 1 : s + max_length + 1] for s in starts]),
    )


def test_a_list_of_three_is_not_a_pair() -> None:
    # Survivor: `isinstance(answer, list) and len(answer) == 2` -> `or` (any list was turned into a tuple).
    inputs, targets = first_batch(8, 2, 2)
    result = check("04.1", [inputs, targets, targets])
    assert "Expected a pair (inputs, targets)" in result.message and "got a list" in result.message, (
        result.message
    )


def test_wrong_targets_with_right_inputs_fail() -> None:
    # Survivor: `not equal(inputs) or not equal(targets)` -> `and`: right inputs let any targets pass that
    # are shifted consistently (the shift test does not see the targets' last column).
    inputs, targets = first_batch(8, 2, 2)
    assert check("04.1", (inputs, targets)), "the recipe's batch must pass"
    wrong = targets.clone()
    wrong[:, -1] += 1
    result = check("04.1", (inputs, wrong))
    assert not result.passed and result.message.startswith("❌"), result.message


def test_expected_values_are_exposed_and_independent() -> None:
    # The prediction exercises expose their answers (tests look for them in outputs above the prompt).
    ids = verdict_ids()
    assert get_exercise("04.3").answer() == len(range(0, len(ids) - 11, 2)) // 8 == 320
    assert get_exercise("04.2").answer() == 8 - 2
    assert get_exercise("04.5").answer() == [4, 9, 14, 19]


def test_the_one_batch_too_many_diagnosis_names_both_causes() -> None:
    message = check("04.3", 321).message
    assert "5134" in message and "token 5145" in message and "drop_last=True drops" in message, message


def test_a_wider_view_of_the_inputs_is_one_window_too_many_only_at_plus_one() -> None:
    tokens = torch.tensor(verdict_ids())
    targets = tokens[1:].unfold(0, 5, 5)
    two_more = torch.cat([tokens, tokens[:5]]).unfold(0, 5, 5)  # 1,030 windows: not the off-by-one
    message = check("04.4", (two_more, targets)).message
    assert "one too many" not in message and "Expected shape" in message, message
    message = check("04.4", (tokens[:-1].unfold(0, 5, 5), tokens.unfold(0, 5, 5))).message
    assert "target_windows has 1029 windows, one too many" in message, message


def test_a_copy_of_the_targets_alone_is_caught() -> None:
    # Survivor: `_is_view(inputs) and _is_view(targets)` -> `or`.
    tokens = torch.tensor(verdict_ids())
    result = check("04.4", (tokens[:-1].unfold(0, 5, 5), tokens[1:].unfold(0, 5, 5).clone()))
    assert "they were copied" in result.message, result.message


def test_a_view_into_exactly_its_own_elements_counts_as_a_copy() -> None:
    # Boundary of `storage bytes > elements x element size`: a clone holds exactly its elements. (Here
    # .contiguous() alone copies nothing: windows of 5 starting every 5 tokens are contiguous already.)
    tokens = torch.tensor(verdict_ids())
    assert tokens[:-1].unfold(0, 5, 5).contiguous().untyped_storage().nbytes() == 5145 * 8
    inputs = tokens[:-1].unfold(0, 5, 5).clone()
    assert inputs.untyped_storage().nbytes() == inputs.numel() * inputs.element_size()
    assert "they were copied" in check("04.4", (inputs, tokens[1:].unfold(0, 5, 5))).message
