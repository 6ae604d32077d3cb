"""Every checker of notebook 05, given right answers in every natural form and the classic wrong ones.

Right answers are computed here from the exercise's recipe (float64 and float32); each wrong answer must
fail with the message written for that mistake.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from exercise_table import assert_waits_without_a_hint

from utils.data import fetch
from utils.exercises import all_exercises, check
from utils.positional import apply_rope
from utils.tokenizer import gpt2_tokenizer
from utils.windows import create_dataloader

TEXT = fetch("the-verdict.txt").read_text(encoding="utf-8")


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


def stub(*args):
    ...


@pytest.mark.parametrize("exercise_id", ["05.1", "05.2", "05.3", "05.4", "05.5", "05.6", "05.7"])
@pytest.mark.parametrize("placeholder", [..., None, stub])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_every_registered_exercise_is_in_this_table():
    assert [ex.exercise_id for ex in all_exercises("05")] == ["05.1", "05.2", "05.3", "05.4", "05.5", "05.6", "05.7"]


# --- 05.1: the small pipeline -------------------------------------------------------------------------

class InputEmbedding(torch.nn.Module):
    def __init__(self, vocab_size: int, context_length: int, d_model: int) -> None:
        super().__init__()
        self.token = torch.nn.Embedding(vocab_size, d_model)
        self.position = torch.nn.Embedding(context_length, d_model)

    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        return self.token(token_ids) + self.position(torch.arange(token_ids.shape[-1]))


def small_batch() -> torch.Tensor:
    return next(iter(create_dataloader(TEXT, batch_size=2, max_length=6, stride=6, shuffle=False)))[0]


def recipe() -> tuple[InputEmbedding, torch.Tensor]:
    batch = small_batch()
    torch.manual_seed(123)
    return InputEmbedding(50257, 6, 12), batch


def test_small_pipeline_right_forms():
    module, batch = recipe()
    answer = module(batch)
    passes("05.1", answer)  # with requires_grad, as the module returns it
    passes("05.1", answer.detach())
    passes("05.1", answer.detach().double())
    ids = torch.tensor(gpt2_tokenizer().encode(TEXT)[:12]).reshape(2, 6)  # the batch by hand
    passes("05.1", module(ids.to(torch.int32)))


def test_small_pipeline_wrong_answers():
    module, batch = recipe()
    right = module(batch).detach()
    fails("05.1", torch.zeros(2, 6, 12), "not those of the recipe")
    fails("05.1", torch.randn(2, 6, 12, generator=torch.Generator().manual_seed(0)), "not those of the recipe")
    fails("05.1", module.token(batch), "position embeddings are missing")
    fails("05.1", batch, "these look like token IDs")
    fails("05.1", right.transpose(0, 1), "Expected shape")
    fails("05.1", right[:, :5], "Expected shape")
    fails("05.1", right.round().long(), "floating-point")
    fails("05.1", right.tolist(), "Expected a tensor")
    # the position layer created a second time after the seed: right tokens, another position table
    torch.manual_seed(123)
    twice = InputEmbedding(50257, 6, 12)
    twice.position = torch.nn.Embedding(6, 12)
    fails("05.1", twice(batch), "was a layer created twice")
    # a random draw between the seed and the layers (e.g. a shuffled DataLoader iterated there)
    torch.manual_seed(123)
    torch.randperm(10)
    fails("05.1", InputEmbedding(50257, 6, 12)(batch), "not those of the recipe")
    # a different batch (stride 1 instead of 6)
    module, _ = recipe()
    other = next(iter(create_dataloader(TEXT, batch_size=2, max_length=6, stride=1, shuffle=False)))[0]
    fails("05.1", module(other), "not those of the recipe")


def test_the_checker_leaves_the_global_random_state_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    module, batch = recipe()
    check("05.1", module(batch))
    torch.manual_seed(5)
    check("05.1", torch.zeros(2, 6, 12))
    assert torch.equal(torch.rand(3), expected)


# --- 05.2: add_positions --------------------------------------------------------------------------------

def add_positions(token_ids, token_layer, position_layer):
    return token_layer(token_ids) + position_layer(torch.arange(token_ids.shape[-1]))


def add_positions_by_weight(token_ids, token_layer, position_layer):
    return token_layer(token_ids) + position_layer.weight[: token_ids.shape[1]].unsqueeze(0)


def test_add_positions_right_forms():
    passes("05.2", add_positions)
    passes("05.2", add_positions_by_weight)


@pytest.mark.parametrize(("answer", "message"), [
    (lambda ids, tok, pos: tok(ids), "position embeddings are missing"),
    (lambda ids, tok, pos: tok(ids) + pos(torch.arange(4)), "your function raised"),  # hard-coded length
    (lambda ids, tok, pos: tok(ids) + pos(torch.arange(ids.shape[0]))[:, None], "values differ"),  # wrong axis
    (lambda ids, tok, pos: tok(ids) + pos(torch.arange(1, ids.shape[-1] + 1) % 8), "values differ"),  # off by 1
    (lambda ids, tok, pos: tok(ids) + pos.weight.sum(0), "values differ"),
    (lambda ids, tok, pos: tok(ids).sum(-1), "expected shape"),
    (lambda ids, tok, pos: (tok(ids) + pos(torch.arange(ids.shape[-1]))).tolist(), "Expected a tensor"),
    (lambda ids, tok, pos: None, "not answered yet"),
    (42, "Expected a function"),
])
def test_add_positions_wrong_answers(answer, message):
    result = check("05.2", answer)
    assert not result.passed and message in result.message, result.message


# --- 05.3: rope_dot -------------------------------------------------------------------------------------

def rope_dot(q, k, m, n):
    return (apply_rope(q.unsqueeze(0), [m]) @ apply_rope(k.unsqueeze(0), [n]).T).item()


def rope_dot_float32(q, k, m, n):
    return rope_dot(q.float(), k.float(), m, n)


def rope_dot_tensor(q, k, m, n):
    return (apply_rope(q[None], [m]) * apply_rope(k[None], [n])).sum()  # a 0-d tensor


def rope_dot_by_hand(q, k, m, n):
    """The complex form in float32: pair (x0, x1) as x0 + i·x1, times e^{i·pos·θ}."""
    theta = 10000 ** (-torch.arange(0, q.numel(), 2, dtype=torch.float32) / q.numel())
    rotate = lambda x, p: torch.view_as_complex(x.float().reshape(-1, 2).contiguous()) * torch.polar(  # noqa: E731
        torch.ones_like(theta), p * theta)
    return float((rotate(q, m) * rotate(k, n).conj()).real.sum())


def rope_dot_offset(q, k, m, n):
    """q·R_(n−m)k with non-negative positions, as the prompt suggests (apply_rope rejects negative ones)."""
    if n >= m:
        return rope_dot(q, k, 0, n - m)
    return rope_dot(q, k, m - n, 0)


@pytest.mark.parametrize("answer", [rope_dot, rope_dot_float32, rope_dot_tensor, rope_dot_by_hand, rope_dot_offset])
def test_rope_dot_right_forms(answer):
    passes("05.3", answer)


def swapped(q, k, m, n):
    return rope_dot(q, k, n, m)


@pytest.mark.parametrize(("answer", "message"), [
    (lambda q, k, m, n: float(q @ k), "the plain q·k"),
    (swapped, "positions swapped"),
    (lambda q, k, m, n: rope_dot(k, q, m, n), "positions swapped"),  # q and k exchanged
    (lambda q, k, m, n: float(apply_rope(q[None], [m]) @ k), "rotates only q"),
    (lambda q, k, m, n: rope_dot(q, k, m, n) + 0.01, "not the rotated score"),
    (lambda q, k, m, n: round(rope_dot(q, k, m, n), 1), "not the rotated score"),
    (lambda q, k, m, n: rope_dot(q, k, m + 1, n), "not the rotated score"),  # off by one
    (lambda q, k, m, n: "0.5", "a number"),
    (lambda q, k, m, n: 1 / 0, "your function raised ZeroDivisionError"),
    # The right idea q·R_(n−m)k with a negative offset: apply_rope raises; the message explains (review of 05,
    # item 7), it used to say only "your function raised ValueError".
    (lambda q, k, m, n: rope_dot(q, k, 0, n - m), "passed a negative position to apply_rope"),
    (lambda q, k, m, n: rope_dot(q, k, 0, n - m), "[m - n] for q and [0] for k"),
])
def test_rope_dot_wrong_answers(answer, message):
    fails("05.3", answer, message)


def test_rope_dot_must_depend_on_the_offset_only():
    calls = {"n": 0}

    def drifts(q, k, m, n):  # right on the five probes, then drifts with absolute position
        calls["n"] += 1
        return rope_dot(q, k, m, n) + (0.5 if calls["n"] > 6 else 0.0)

    fails("05.3", drifts, "depends only on m - n")


# --- 05.4: sinusoid_dot ---------------------------------------------------------------------------------

def sinusoid_dot(offset, dim):
    return sum(math.cos(offset / 10000 ** (2 * i / dim)) for i in range(dim // 2))


def sinusoid_dot_float32(offset, dim):
    theta = 10000 ** (-torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    return torch.cos(offset * theta).sum()  # a 0-d float32 tensor


def sinusoid_dot_numpy(offset, dim):
    return np.cos(offset * 10000.0 ** (-np.arange(0, dim, 2) / dim)).sum()  # a numpy float


@pytest.mark.parametrize("answer", [sinusoid_dot, sinusoid_dot_float32, sinusoid_dot_numpy])
def test_sinusoid_dot_right_forms(answer):
    passes("05.4", answer)


@pytest.mark.parametrize(("answer", "message"), [
    (lambda o, d: sum(math.cos(o / 10000 ** (2 * i / d)) for i in range(d)), "How many pairs"),  # d, not d/2
    (lambda o, d: sum(math.cos(o / 10000 ** (2 * i / d)) for i in range(d // 2 + 1)), "How many pairs"),
    (lambda o, d: sum(math.cos(o / 10000 ** (i / d)) for i in range(d // 2)), "Check the frequencies"),
    (lambda o, d: sum(math.sin(o / 10000 ** (2 * i / d)) for i in range(d // 2)), "How many pairs"),
    (lambda o, d: round(sinusoid_dot(o, d), 1), "Check the frequencies"),
    (lambda o, d: [sinusoid_dot(o, d)], "a number"),
])
def test_sinusoid_dot_wrong_answers(answer, message):
    fails("05.4", answer, message)


# --- 05.5: RoPE pairs that turn ---------------------------------------------------------------------------

def independent_count() -> int:
    return sum(1 for i in range(32) if 2047 / 10000 ** (2 * i / 64) >= 2 * math.pi)


@pytest.mark.parametrize("form", [int, float, np.int64, np.float64, torch.tensor, lambda n: torch.tensor(float(n))])
def test_rope_turns_right_forms(form):
    assert independent_count() == 21
    passes("05.5", form(independent_count()))


@pytest.mark.parametrize(("answer", "message"), [
    (11, "do NOT complete a turn"),
    (32, "Not every pair"),
    (64, "32 pairs in 64 dimensions"),
    (20, "Off by one"),
    (22, "Off by one"),
    # Read off section 6's printed count (46 for head dimension 128, context 4,096) or half of it: the
    # old setting (context 4,096) made 23 = 46 / 2 derivable above the prompt (review of 05, item 6).
    (46, "head dimension 128"),
    (23, "context of 4,096"),
    (41, "head dimension 128"),
    (5, "is not the number of pairs"),
    (21.5, "a whole number"),
    ("21", "a whole number"),
])
def test_rope_turns_wrong_answers(answer, message):
    fails("05.5", answer, message)


def test_rope_turns_messages_do_not_give_the_answer():
    # Before the rewrite, 24's diagnosis said "i ≤ 22.5", which is the answer in disguise.
    for wrong in [11, 20, 22, 23, 32, 41, 46, 64, 5]:
        message = check("05.5", wrong).message
        assert "20.1" not in message and not re.search(r"(?<![\d.,])21(?![\d.,])", message), message


NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_positional_embeddings.ipynb"


def test_no_output_above_or_at_the_05_5_prompt_reveals_the_count():
    """The prediction must not be answered by any committed output before the student answers it
    (issue 27: the count was printed right under the prompt, on the same slide)."""
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    prompt = next(i for i, c in enumerate(cells) if c.source.startswith("**Exercise 05.5"))
    measuring = next(i for i, c in enumerate(cells) if i > prompt and "pairs_that_turn is ..." in c.source)
    count = re.compile(r"(?<![\d.,])21(?![\d.,])")
    for cell in cells[: measuring + 1]:
        for output in cell.get("outputs", []):
            text = output.get("text", "") + output.get("data", {}).get("text/plain", "")
            assert not count.search(text), text


def test_no_pair_count_printed_above_the_05_5_prompt_halves_to_the_answer():
    """θ_i at d = 64 is θ_2i at d = 128, so a count for head dimension 128 printed above the prompt, halved,
    would give the answer away (review of 05, item 6: section 6 printed 46 for context 4,096, and the old
    question's answer was 23)."""
    from utils.exercises.nb05 import EXERCISE_05_5, rope_pairs_turning

    answer = rope_pairs_turning(**EXERCISE_05_5)
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    prompt = next(i for i, c in enumerate(cells) if c.source.startswith("**Exercise 05.5"))
    for cell in cells[:prompt]:
        for output in cell.get("outputs", []):
            text = output.get("text", "") + output.get("data", {}).get("text/plain", "")
            for line in text.splitlines():
                if "pairs" in line:
                    counts = {int(n) for n in re.findall(r"(?<![\d.,])\d+(?![\d.,]*\d)", line)}
                    assert answer not in counts and 2 * answer not in counts, line


# --- 05.6: multiple choice (was a keyword-graded open question) ---------------------------------------

@pytest.mark.parametrize("answer", ["a, c", "c, a", "AC", "(a), (c)", "a and c", ["a", "c"], ("C", "A"), "a,c"])
def test_longer_input_right_forms(answer):
    passes("05.6", answer)


REVERSED = ("A learned table gives no error at all at 2,000 tokens because it simply continues, and RoPE has no "
            "angle issue and never degrades")  # passed the keyword check before (issue 27)
STUFFED = ("no row index error does not exist out of range missing cannot never seen unseen angle extrapolat "
           "interpolat theta base distance rotation degrad")


@pytest.mark.parametrize(("answer", "message"), [
    ("b, d", "(b) is not right: a table is not a formula"),  # the reversed statement, as letters
    ("b, d", "(d) is not right: offsets longer than any in training"),
    ("a, c, d", "(d) is not right"),
    ("a, c, e", "(e) is not right: RoPE has no table"),
    ("a", "another statement is right too"),
    ("c", "another statement is right too"),
    ("f", "f is not one"),
    (REVERSED, "not with words"),
    (STUFFED, "not with words"),
    (3, "Expected the letter"),
])
def test_longer_input_wrong_answers(answer, message):
    fails("05.6", answer, message)


# --- 05.7: reflection, never ✅ -------------------------------------------------------------------------

GOOD = ("RoPE scores depend only on offsets, but offsets longer than the training windows were never seen, so "
        "the slow pairs reach angles the model never learned to score.")


@pytest.mark.parametrize("answer", [GOOD, REVERSED, STUFFED])
def test_reflection_is_noted_never_graded(answer):
    result = check("05.7", answer)
    assert result.message.startswith("📝"), result.message
    assert "✅" not in result.message and "offsets below L" in result.message


@pytest.mark.parametrize(("answer", "message"), [
    ("it breaks", "at least 8 words"),
    (["an", "answer"], "your answer as a string"),
])
def test_reflection_asks_for_sentences(answer, message):
    fails("05.7", answer, message)
