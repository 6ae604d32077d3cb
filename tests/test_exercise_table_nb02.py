"""Table-driven test of notebook 02's exercise checkers: right answers in every natural form pass,
plausible wrong answers fail with the message meant for them, placeholders wait."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_table import assert_fails_with, assert_passes, assert_waits_without_a_hint

from utils.exercises.nb02 import adamw_changed_rows, single_token_variants

RIGHT_IDS = [5, 0, 3, 2, 5, 1]


def rows_any(embedding):
    return (embedding.weight.grad != 0).any(dim=1).nonzero().flatten().tolist()


def rows_abs_sum(embedding):
    return torch.where(embedding.weight.grad.abs().sum(dim=1) > 0)[0].tolist()


def rows_as_tensor(embedding):
    return (embedding.weight.grad != 0).any(dim=1).nonzero().flatten()


def rows_as_numpy(embedding):
    return list(np.flatnonzero((embedding.weight.grad != 0).any(dim=1).numpy()))


def rows_loop(embedding):
    return [i for i, row in enumerate(embedding.weight.grad) if any(x != 0 for x in row.tolist())]


def rows_row_sum(embedding):  # the classic slip: a row [1, -1, 0] sums to 0
    return (embedding.weight.grad.sum(dim=1) != 0).nonzero().flatten().tolist()


def rows_wrong_axis(embedding):
    return (embedding.weight.grad != 0).any(dim=0).nonzero().flatten().tolist()


def rows_unsorted(embedding):
    return sorted(rows_any(embedding), reverse=True)


def rows_all(embedding):
    return list(range(embedding.num_embeddings))


def rows_crash(embedding):
    return embedding.grad.nonzero()


def rows_float(embedding):
    return [float(i) for i in rows_any(embedding)]


def rows_forgot_return(embedding):
    rows_any(embedding)


RIGHT = [
    ("02.1", RIGHT_IDS), ("02.1", tuple(RIGHT_IDS)), ("02.1", torch.tensor(RIGHT_IDS)),
    ("02.1", np.array(RIGHT_IDS)), ("02.1", [np.int64(i) for i in RIGHT_IDS]),
    ("02.2", (8, 16, 768)), ("02.2", torch.Size([8, 16, 768])), ("02.2", [8, 16, 768]),
    ("02.2", (np.int64(8), np.int64(16), torch.tensor(768))),
    ("02.3", 102_926_336), ("02.3", np.int64(102_926_336)), ("02.3", torch.tensor(102_926_336)),
    ("02.4", rows_any), ("02.4", rows_abs_sum), ("02.4", rows_as_tensor), ("02.4", rows_as_numpy),
    ("02.4", rows_loop),
    ("02.5", list(range(8))), ("02.5", tuple(reversed(range(8)))), ("02.5", torch.arange(8)),
    ("02.5", np.arange(8)),
    ("02.6", "man"), ("02.6", "House"), ("02.6", "I"), ("02.6", "a"),
    ("02.2", (8.0, 16.0, 768.0)), ("02.2", np.array([8, 16, 768])), ("02.2", torch.tensor([8, 16, 768])),
    ("02.3", 102926336.0), ("02.3", 50257 * 1024 * 16 / 8), ("02.6", " the "), ("02.6", "queen"),  # queen: exactly 3 rows
]

WRONG = [
    ("02.1", [6, 1, 4, 3, 6, 2], "one too large"),
    ("02.1", [0, 1, 2, 3, 5, 5], "wrong order"),
    ("02.1", [0, 5, 3, 2, 5, 1], "wrong order"),
    ("02.1", [5, 0, 3, 2, 1], "expect 6 IDs"),
    ("02.1", [4, 0, 3, 2, 4, 1], "alphabetical order"),
    ("02.1", ["the", "fox"], "integer token ID"),
    ("02.2", (8, 16, 50257), "not the vocabulary size"),
    ("02.2", (16, 8, 768), "swapped"),
    ("02.2", (8, 768), "three numbers"),
    ("02.2", (8, 16, 1024), "which axes"),
    ("02.2", (8.0, 16.5, 768.0), "whole number"),
    ("02.2", "8, 16, 768", "Expected a tuple"),
    ("02.3", 50_257 * 1024, "number of parameters"),
    ("02.3", 50_257 * 1024 * 4, "float32"),
    ("02.3", 50_257 * 768 * 2, "GPT-2 medium has 50,257 rows"),
    ("02.3", 102.926336, "whole number"),
    ("02.3", 102_926_337, "Not the right number of bytes"),
    ("02.4", rows_row_sum, "add up to 0"),
    ("02.4", rows_wrong_axis, "columns"),
    ("02.4", rows_unsorted, "increasing order"),
    ("02.4", rows_all, "non-zero gradient"),
    ("02.4", rows_crash, "your function raised AttributeError"),
    ("02.4", rows_float, "whole number"),
    ("02.4", 3, "Expected a function"),
    ("02.5", [0, 1, 2, 3, 4, 5], "rows with a gradient"),
    ("02.5", [5, 4, 3, 2, 1, 0], "rows with a gradient"),
    ("02.5", list(range(9)), "padding row"),
    ("02.5", [1, 2, 3, 4, 5, 6, 7], "run the cell below"),
    ("02.5", [0, 1, 2, 3], "run the cell below"),
    ("02.6", "embedding", "find a word with at least 3"),
    ("02.6", "two words", "single word"),
    ("02.6", "king", "notebook's own example"), ("02.6", " King ", "notebook's own example"),
    ("02.6", "x", "single letter"), ("02.6", "q", "single letter"), ("02.6", "xqzjv", "not a word"), ("02.6", "123", "not a word"),
    ("02.6", "!!", "not a word"),
    ("02.6", 5, "Expected a word"),
]


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT, ids=[f"{e}-{i}" for i, (e, _) in enumerate(RIGHT)])
def test_right_answers_pass(exercise_id, answer):
    assert_passes(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer", "message"), WRONG,
                         ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG)])
def test_wrong_answers_fail_with_their_message(exercise_id, answer, message):
    assert_fails_with(exercise_id, answer, message)


def stub(embedding):
    ...


@pytest.mark.parametrize("exercise_id", ["02.1", "02.2", "02.3", "02.4", "02.5", "02.6"])
@pytest.mark.parametrize("placeholder", [..., None, stub])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_a_function_that_forgets_to_return_is_told_so():
    assert_fails_with("02.4", rows_forgot_return, "did you forget `return`?")


def test_adamw_moves_every_row_but_the_zero_padding_row():
    assert adamw_changed_rows() == [0, 1, 2, 3, 4, 5, 6, 7]  # rows 6 and 7 have no gradient
    # ids 0..5 all appear, so build the case where the decay alone moves a row: plain SGD would not.
    torch.manual_seed(0)
    table = torch.nn.Embedding(4, 2)
    before = table.weight.detach().clone()
    optimizer = torch.optim.AdamW(table.parameters(), lr=0.1)
    table(torch.tensor([1])).sum().backward()
    optimizer.step()
    assert (table.weight.detach() != before).any(dim=1).tolist() == [True, True, True, True]


def test_a_row_sum_test_would_miss_a_row_of_the_checker_cases():
    from utils.exercises.nb02 import _gradient_cases

    assert any(rows_row_sum(embedding) != expected for embedding, expected in _gradient_cases())


def test_word_variants_are_single_tokens():
    assert single_token_variants("king") == [" KING", " King", " king", "KING", "King", "king"]
