"""Every checker of notebook 04, given right answers in every natural form and the classic wrong ones.

Right answers are built independently of the checkers (the classic loop of the book, not utils.windows
internals); each wrong answer must fail with the message written for that mistake.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_table import assert_waits_without_a_hint

from utils.data import fetch
from utils.exercises import check
from utils.tokenizer import gpt2_tokenizer
from utils.windows import create_dataloader

TEXT = fetch("the-verdict.txt").read_text(encoding="utf-8")
IDS = gpt2_tokenizer().encode(TEXT)
TOKENS = torch.tensor(IDS)


def batch(batch_size: int, max_length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    starts = list(range(0, len(IDS) - max_length, stride))[:batch_size]
    return (torch.tensor([IDS[s:s + max_length] for s in starts]),
            torch.tensor([IDS[s + 1:s + max_length + 1] for s in starts]))


def passes(exercise_id: str, answer) -> None:
    result = check(exercise_id, answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def fails(exercise_id: str, answer, message: str) -> None:
    result = check(exercise_id, answer)
    assert not result.passed
    assert result.message.startswith("❌"), result.message
    assert message in result.message, result.message
    assert "Hint:" in result.message


@pytest.mark.parametrize("exercise_id", ["04.1", "04.2", "04.3", "04.4", "04.5", "04.6"])
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


# --- 04.1 / 04.2: first batches -------------------------------------------------------------------------

@pytest.mark.parametrize(("exercise_id", "settings"), [("04.1", (8, 2, 2)), ("04.2", (4, 8, 2))])
def test_first_batch_right_forms(exercise_id, settings):
    batch_size, max_length, stride = settings
    loader = create_dataloader(TEXT, batch_size=batch_size, max_length=max_length, stride=stride, shuffle=False)
    passes(exercise_id, next(iter(loader)))  # the loader's own list [inputs, targets]
    passes(exercise_id, batch(*settings))  # a tuple from the classic loop
    passes(exercise_id, list(batch(*settings)))


@pytest.mark.parametrize(("exercise_id", "settings"), [("04.1", (8, 2, 2)), ("04.2", (4, 8, 2))])
def test_first_batch_wrong_answers(exercise_id, settings):
    batch_size, max_length, stride = settings
    inputs, targets = batch(*settings)
    loader = create_dataloader(TEXT, batch_size=batch_size, max_length=max_length, stride=stride, shuffle=False)
    fails(exercise_id, loader, "That is the loader itself")
    fails(exercise_id, inputs, "Expected a pair (inputs, targets)")
    fails(exercise_id, (inputs, targets, targets), "got a tuple of 3 items")
    fails(exercise_id, (inputs.tolist(), targets), "Expected inputs as a tensor")
    fails(exercise_id, (inputs, targets.numpy()), "Expected targets as a tensor")
    fails(exercise_id, (inputs.T, targets.T), "Expected shape")  # transposed
    fails(exercise_id, (inputs[:-1], targets[:-1]), "Expected shape")  # one row short
    fails(exercise_id, (inputs, inputs), "shifted left by one token")  # targets not shifted
    fails(exercise_id, (targets, inputs), "shifted left by one token")  # swapped
    wrong_stride = batch(batch_size, max_length, stride + 1)
    fails(exercise_id, wrong_stride, "The first row is right but later rows are not")
    shuffled = next(iter(create_dataloader(TEXT, batch_size=batch_size, max_length=max_length, stride=stride,
                                           shuffle=True, generator=torch.Generator().manual_seed(1))))
    fails(exercise_id, shuffled, "Right shape, wrong tokens")


# --- 04.3: number of batches --------------------------------------------------------------------------

WINDOWS = len(range(0, len(IDS) - 8, 2))
BATCHES = WINDOWS // 8


@pytest.mark.parametrize("form", [int, np.int64, np.int32, torch.tensor, lambda v: torch.tensor([v])])
def test_batch_count_right_forms(form):
    assert BATCHES == 321  # 5,145 tokens: (5145 - 8 - 1) // 2 + 1 = 2569 windows
    passes("04.3", form(BATCHES))


@pytest.mark.parametrize(("answer", "message"), [
    (BATCHES + 1, "counts the last, partial batch"),
    (WINDOWS, "the number of windows"),
    (WINDOWS - 1, "the number of windows"),
    (BATCHES - 1, "Not the number of batches"),
    (float(BATCHES), "a whole number"),
    (True, "a whole number"),
    (torch.tensor(float(BATCHES)), "a whole number"),
    ("321", "a whole number"),
])
def test_batch_count_wrong_answers(answer, message):
    fails("04.3", answer, message)


# --- 04.4: unfold view -------------------------------------------------------------------------------

def test_unfold_right_forms():
    tokens = torch.tensor(IDS)
    passes("04.4", tokens[:-1].unfold(0, 4, 4))
    passes("04.4", tokens.unfold(0, 4, 4))  # 5,145 = 4 · 1,286 + 1: here the same 1,286 windows
    tokens32 = torch.tensor(IDS, dtype=torch.int32)  # embedding layers take int32 too
    passes("04.4", tokens32[:-1].unfold(0, 4, 4))


def test_unfold_wrong_answers():
    tokens = torch.tensor(IDS)
    view = tokens[:-1].unfold(0, 4, 4)
    fails("04.4", view.clone(), "they were copied")
    fails("04.4", view.contiguous().clone(), "they were copied")
    fails("04.4", torch.stack([tokens[s:s + 4] for s in range(0, len(IDS) - 4, 4)]), "they were copied")
    fails("04.4", tokens[1:].unfold(0, 4, 4), "wrong windows")  # the targets
    fails("04.4", tokens[:-1].unfold(0, 4, 1), "Expected shape")  # stride 1
    fails("04.4", tokens[1:].unfold(0, 4, 4)[:, :4], "wrong windows")  # off by one: starts at token 1
    fails("04.4", view.T, "Expected shape")  # transposed
    fails("04.4", view.tolist(), "Expected a 2-D tensor")


# --- 04.5: skipped positions -----------------------------------------------------------------------------

SKIPPED = [4, 9, 14, 19]


@pytest.mark.parametrize("form", [list, tuple, set, torch.tensor, np.array, lambda v: [np.int64(x) for x in v],
                                  lambda v: list(reversed(v))])
def test_skipped_positions_right_forms(form):
    passes("04.5", form(SKIPPED))


def test_skipped_positions_match_an_independent_count():
    inputs = {s + t for s in range(0, 20, 5) for t in range(4)}
    assert [p for p in range(20) if p not in inputs] == SKIPPED


@pytest.mark.parametrize(("answer", "message"), [
    ([0, 5, 10, 15], "where the windows start"),
    ([5, 10, 15], "where the windows start"),  # off by one
    ([3, 8, 13, 18], "the last tokens of the input windows"),
    ([4, 9, 14], "there are 4 such positions"),  # missing one
    ([4, 9, 14, 19, 20], "Not these positions"),  # one too many
    ([4, 8, 14, 19], "Not these positions"),
    (4, "a list of whole numbers"),
    ("4, 9, 14, 19", "a list of whole numbers"),
    ([4.0, 9, 14, 19], "a whole number"),
    (torch.tensor([[4, 9], [14, 19]]), "as a flat list"),
])
def test_skipped_positions_wrong_answers(answer, message):
    fails("04.5", answer, message)


# --- 04.6: open question -----------------------------------------------------------------------------

GOOD = ("With stride = max_length every token is an input exactly once per epoch. Random offsets draw windows "
        "at random, so some tokens are seen twice and some never in one pass; on billions of tokens only the "
        "average matters.")


def test_open_question_accepts_a_reasoned_answer():
    passes("04.6", GOOD)
    passes("04.6", GOOD.upper())


@pytest.mark.parametrize(("answer", "message"), [
    ("random is fine", "at least 12 words"),
    ("Strided windows and random windows are both good ways to feed a model with many examples of text.",
     "how often each token is an input"),
    ("With stride = max_length every token is an input exactly once per epoch, which is what one wants here.",
     "what random offsets give instead"),
    (42, "your answer as a text"),
])
def test_open_question_rejects_empty_or_one_sided_answers(answer, message):
    fails("04.6", answer, message)
