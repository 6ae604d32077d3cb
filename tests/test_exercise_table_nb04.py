"""Every checker of notebook 04, given right answers in every natural form and the classic wrong ones.

Right answers are built independently of the checkers (the classic loop of the book, not utils.windows
internals); each wrong answer must fail with the message written for that mistake, in the reason.
Rows marked "used to pass" got ✅ before issue 27's fixes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_table import assert_fails_with, assert_passes, assert_waits_without_a_hint

# Imported at collection, so mutation testing attributes the module-level checkers to every test here.
import utils.exercises.nb04  # noqa: F401
from utils.data import fetch
from utils.exercises import all_exercises, check
from utils.tokenizer import gpt2_tokenizer
from utils.windows import create_dataloader

TEXT = fetch("the-verdict.txt").read_text(encoding="utf-8")
IDS = gpt2_tokenizer().encode(TEXT)
TOKENS = torch.tensor(IDS)
N = len(IDS)

passes = assert_passes
fails = assert_fails_with

EXERCISES = ["04.1", "04.2", "04.3", "04.4", "04.5", "04.6", "04.7"]


def test_every_registered_exercise_is_in_this_table():
    assert [ex.exercise_id for ex in all_exercises("04")] == EXERCISES


def batch(batch_size: int, max_length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    starts = list(range(0, N - max_length, stride))[:batch_size]
    return (
        torch.tensor([IDS[s : s + max_length] for s in starts]),
        torch.tensor([IDS[s + 1 : s + max_length + 1] for s in starts]),
    )


@pytest.mark.parametrize("exercise_id", EXERCISES)
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


# --- 04.1: first batch ---------------------------------------------------------------------------------


def test_first_batch_right_forms():
    loader = create_dataloader(TEXT, batch_size=8, max_length=2, stride=2, shuffle=False)
    passes("04.1", next(iter(loader)))  # the loader's own list [inputs, targets]
    passes("04.1", batch(8, 2, 2))  # a tuple from the classic loop
    passes("04.1", list(batch(8, 2, 2)))


def test_first_batch_wrong_answers():
    inputs, targets = batch(8, 2, 2)
    loader = create_dataloader(TEXT, batch_size=8, max_length=2, stride=2, shuffle=False)
    fails("04.1", loader, "That is the loader itself")
    fails("04.1", inputs, "Expected a pair (inputs, targets)")
    fails("04.1", (inputs, targets, targets), "got a tuple of 3 items")
    fails("04.1", (inputs.tolist(), targets), "Expected inputs as a tensor")
    fails("04.1", (inputs, targets.numpy()), "Expected targets as a tensor")
    fails("04.1", (inputs.T, targets.T), "Expected shape")  # transposed
    fails("04.1", (inputs[:-1], targets[:-1]), "Expected shape")  # one row short
    fails("04.1", (inputs, inputs), "moved one token along")  # targets not shifted
    fails("04.1", (targets, inputs), "moved one token along")  # swapped
    fails("04.1", batch(8, 2, 3), "The first row is right but later rows are not")
    shuffled = next(
        iter(
            create_dataloader(
                TEXT,
                batch_size=8,
                max_length=2,
                stride=2,
                shuffle=True,
                generator=torch.Generator().manual_seed(1),
            )
        )
    )
    fails("04.1", shuffled, "Right shape, wrong tokens")


# --- 04.2: tokens shared by neighbouring rows (used to check only the batch) ----------------------------


def test_shared_tokens_is_counted_in_the_batch():
    inputs, _ = batch(4, 8, 2)
    assert torch.equal(inputs[1, :6], inputs[0, 2:]) and not torch.equal(inputs[1, :7], inputs[0, 1:])


@pytest.mark.parametrize("form", [int, float, np.int64, torch.tensor])
def test_shared_tokens_right_forms(form):
    passes("04.2", form(6))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (batch(4, 8, 2), "a whole number"),  # used to pass: the batch instead of the count asked for
        (2, "2 is the stride"),
        (8, "8 is max_length"),
        (7, "shares with its own target row"),
        (10, "max_length + stride"),
        (5, "5 is not the number of tokens"),
        (6.5, "a whole number"),
        ("6", "a whole number"),
    ],
)
def test_shared_tokens_wrong_answers(answer, message):
    fails("04.2", answer, message)


# --- 04.3: number of batches, batch 8, max_length 11, stride 2 ------------------------------------------

WINDOWS = len(range(0, N - 11, 2))
BATCHES = WINDOWS // 8


def test_the_parameters_make_the_off_by_one_matter():
    assert (N, WINDOWS, BATCHES) == (5145, 2567, 320)
    assert (N - 11) % 2 == 0  # so the naive (n - L) / S + 1 counts one window too many
    assert N // 16 == ((N - 11) // 2 + 1) // 8 == -(-WINDOWS // 8) == 321


@pytest.mark.parametrize("form", [int, float, np.int64, np.int32, torch.tensor, lambda v: torch.tensor([v])])
def test_batch_count_right_forms(form):
    passes("04.3", form(BATCHES))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            N // 16,
            "One batch too many",
        ),  # used to pass: the naive 5145 // 16 (with max_length 8 it was right)
        (torch.tensor(321), "One batch too many"),
        (WINDOWS, "the number of windows"),
        (WINDOWS + 1, "one window too many"),
        (N // 88, "windows that do not overlap"),
        (N // 8, "divides the tokens by the batch size"),
        (BATCHES - 1, "is not the number of batches"),
        (BATCHES + 0.5, "a whole number"),
        (True, "a whole number"),
        ("320", "a whole number"),
    ],
)
def test_batch_count_wrong_answers(answer, message):
    fails("04.3", answer, message)


# --- 04.4: input and target windows as views, max_length 5, stride 5 ------------------------------------

DOUBLED = torch.cat([TOKENS, TOKENS])
INPUTS = TOKENS[:-1].unfold(0, 5, 5)
TARGETS = TOKENS[1:].unfold(0, 5, 5)


def test_unfold_right_forms():
    assert INPUTS.shape == (1028, 5) == (len(range(0, N - 5, 5)), 5)
    passes("04.4", (INPUTS, TARGETS))
    passes("04.4", [INPUTS, TARGETS])
    tokens32 = torch.tensor(IDS, dtype=torch.int32)  # embedding layers take int32 too
    passes("04.4", (tokens32[:-1].unfold(0, 5, 5), tokens32[1:].unfold(0, 5, 5)))
    passes("04.4", (TOKENS.unfold(0, 5, 5)[:-1], TOKENS[1:].unfold(0, 5, 5)))  # a view, last row dropped


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((TOKENS.unfold(0, 5, 5), TARGETS), "one too many"),  # used to pass (as inputs alone, at stride 4)
        (INPUTS, "got one tensor: make the targets too"),  # the old answer form
        ((INPUTS, TARGETS, TARGETS), "got a tuple of 3 items"),
        ((TARGETS, INPUTS), "swapped"),
        ((INPUTS, INPUTS), "Right inputs, wrong targets"),
        ((TOKENS[2:].unfold(0, 5, 5)[:1028], TARGETS), "wrong input windows"),
        ((INPUTS.clone(), TARGETS), "they were copied"),
        ((INPUTS, TARGETS.contiguous().clone()), "they were copied"),
        ((torch.stack([TOKENS[s : s + 5] for s in range(0, N - 5, 5)]), TARGETS), "they were copied"),
        ((TOKENS[:-1].unfold(0, 5, 1), TARGETS), "Expected shape"),
        ((TOKENS[:-1].unfold(0, 5, 5), torch.tensor(IDS)[1:].unfold(0, 5, 5)), "not of one tensor"),
        # a copy inside a larger tensor used to pass the storage-size test (review of notebook 04)
        ((DOUBLED[: N - 5].view(-1, 5), DOUBLED[1 : N - 4].view(-1, 5)), "they were copied"),
        ((INPUTS.T, TARGETS.T), "Expected shape"),
        ((INPUTS.tolist(), TARGETS), "input_windows as a tensor"),
        ((INPUTS, TARGETS.numpy()), "target_windows as a tensor"),
    ],
)
def test_unfold_wrong_answers(answer, message):
    fails("04.4", answer, message)


# --- 04.5: skipped positions -----------------------------------------------------------------------------

SKIPPED = [4, 9, 14, 19]


@pytest.mark.parametrize(
    "form",
    [
        list,
        tuple,
        set,
        torch.tensor,
        np.array,
        lambda v: [np.int64(x) for x in v],
        lambda v: list(reversed(v)),
        lambda v: [float(x) for x in v],  # 4.0, 9.0, …: whole numbers written as floats
    ],
)
def test_skipped_positions_right_forms(form):
    passes("04.5", form(SKIPPED))


def test_skipped_positions_match_an_independent_count():
    inputs = {s + t for s in range(0, 20, 5) for t in range(4)}
    assert [p for p in range(20) if p not in inputs] == SKIPPED


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([0, 5, 10, 15], "where the windows start"),
        ([5, 10, 15], "where the windows start"),  # off by one
        ([3, 8, 13, 18], "the last tokens of the input windows"),
        ([4, 9, 14], "there are 4 such positions"),  # missing one
        ([4, 9, 14, 19, 20], "Not these positions"),  # one too many
        ([4, 8, 14, 19], "Not these positions"),
        ([], "An empty list"),
        ([4, 9, 14, 19, 19], "appears twice"),
        (4, "a list of whole numbers"),
        ("4, 9, 14, 19", "a list of whole numbers"),
        ([4.5, 9, 14, 19], "a whole number"),
        (torch.tensor([[4, 9], [14, 19]]), "as a flat list"),
    ],
)
def test_skipped_positions_wrong_answers(answer, message):
    fails("04.5", answer, message)


# --- 04.6: multiple choice (used to be a keyword-graded open question) ---------------------------------

REVERSED = (
    "Random offsets show every token exactly once per epoch, while strided windows show some tokens "
    "several times and never others"
)
STUFFED = (
    "once exactly every token each token random average expect never miss twice several chance some tokens"
)


@pytest.mark.parametrize("answer", ["b", "B", "(b)", "b)", " b ", ["b"], ("B",)])
def test_choice_right_forms(answer):
    passes("04.6", answer)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (REVERSED, "not with words"),  # used to pass the keyword check
        (STUFFED, "not with words"),  # used to pass the keyword check
        ("a", "that is reversed"),
        ("c", "each pass draws new offsets"),
        ("d", "not a systematic hole"),
        ("b, d", "(d) is not right"),
        ("e", "e is not one"),
        (["b", "c"], "(c) is not right"),
        (2, "the letter(s) of your choice"),
    ],
)
def test_choice_wrong_answers(answer, message):
    fails("04.6", answer, message)


# --- 04.7: reflection, never ✅ --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "Each pass draws new offsets, so after k passes only about e^-k of the tokens were never drawn.",
        REVERSED,  # a wrong statement is noted too, never ticked: the model answer shows the difference
        STUFFED,
    ],
)
def test_reflection_is_noted_never_ticked(answer):
    result = check("04.7", answer)
    assert result.message.startswith("📝") and "✅" not in result.message, result.message
    assert "e^-k" in result.message and "33" in result.message


@pytest.mark.parametrize(("answer", "message"), [("random is fine", "at least 8 words"), (42, "as a string")])
def test_reflection_asks_for_sentences(answer, message):
    fails("04.7", answer, message)
