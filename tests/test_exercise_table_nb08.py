"""Table-driven test of notebook 08's exercise checkers: right answers in every natural form pass,
plausible wrong answers fail with the message meant for them, placeholders wait."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_table import assert_fails_with, assert_passes, assert_waits_without_a_hint

from utils.exercises import check
from utils.exercises.nb08 import KEEPS_ACCURACY_AT_4X
from utils.positional import alibi_bias, alibi_slopes


def alibi_broadcast(num_heads, seq_len):
    positions = torch.arange(seq_len)
    return -alibi_slopes(num_heads)[:, None, None] * (positions[:, None] - positions[None, :]).abs()


def alibi_float64(num_heads, seq_len):
    slopes = torch.tensor([2.0 ** (-8.0 * (h + 1) / num_heads) for h in range(num_heads)], dtype=torch.float64)
    power = 1 << (num_heads.bit_length() - 1)
    if power != num_heads:
        slopes = alibi_slopes(num_heads).double()
    positions = torch.arange(seq_len, dtype=torch.float64)
    return -slopes[:, None, None] * (positions[:, None] - positions[None, :]).abs()


def alibi_loops(num_heads, seq_len):
    slopes = alibi_slopes(num_heads).tolist()
    return torch.tensor([[[-slopes[h] * abs(i - j) for j in range(seq_len)] for i in range(seq_len)]
                         for h in range(num_heads)])


def alibi_numpy_then_tensor(num_heads, seq_len):
    distance = np.abs(np.arange(seq_len)[:, None] - np.arange(seq_len)[None, :])
    return torch.from_numpy(-alibi_slopes(num_heads).numpy()[:, None, None] * distance)


def alibi_library(num_heads, seq_len):
    return alibi_bias(num_heads, seq_len)


def alibi_positive(num_heads, seq_len):
    return -alibi_broadcast(num_heads, seq_len)


def alibi_signed(num_heads, seq_len):
    positions = torch.arange(seq_len)
    return -alibi_slopes(num_heads)[:, None, None] * (positions[:, None] - positions[None, :])


def alibi_signed_transposed(num_heads, seq_len):
    return alibi_signed(num_heads, seq_len).transpose(-2, -1)


def alibi_no_slopes(num_heads, seq_len):
    positions = torch.arange(seq_len)
    return -(positions[:, None] - positions[None, :]).abs().float().expand(num_heads, seq_len, seq_len)


def alibi_reversed_heads(num_heads, seq_len):
    return alibi_broadcast(num_heads, seq_len).flip(0)


def alibi_one_head(num_heads, seq_len):
    return alibi_broadcast(num_heads, seq_len)[0]


def alibi_off_by_one(num_heads, seq_len):
    return alibi_broadcast(num_heads, seq_len) - alibi_slopes(num_heads)[:, None, None]


def alibi_slopes_of_8(num_heads, seq_len):
    return alibi_broadcast(8, seq_len)[:num_heads] if num_heads <= 8 else alibi_broadcast(num_heads, seq_len)


def alibi_as_list(num_heads, seq_len):
    return alibi_broadcast(num_heads, seq_len).tolist()


def alibi_crashes(num_heads, seq_len):
    raise IndexError("index 4 is out of bounds")


def alibi_returns_nothing(num_heads, seq_len):
    alibi_broadcast(num_heads, seq_len)


def stub(num_heads, seq_len):
    ...


GOOD_EXPLANATION = ("The learned model has no trained row in its table for position 16, so it cannot look "
                    "anything up; ALiBi only penalises the distance |i - j|, which exists at every length.")

RIGHT = [
    ("08.1", {"alibi"}), ("08.1", ["alibi"]), ("08.1", ("ALiBi",)), ("08.1", "alibi"), ("08.1", frozenset({"alibi"})),
    ("08.1", [" alibi "]),
    ("08.2", alibi_broadcast), ("08.2", alibi_float64), ("08.2", alibi_loops), ("08.2", alibi_numpy_then_tensor),
    ("08.2", alibi_library),
    ("08.3", GOOD_EXPLANATION),
    ("08.3", "Position 16 was never trained: the learned embedding table simply has no vector for it. ALiBi's "
             "bias depends on how far apart two tokens are, so the nearest previous token wins at any length."),
    ("08.3", "Beyond row 15 the lookup fails (index out of range), while ALiBi uses only the relative offset "
             "between query and key, never an absolute position."),
]

WRONG = [
    ("08.1", set(), "empty set"),
    ("08.1", {"alibi", "learned"}, "cannot even read 64 tokens"),
    ("08.1", {"learned"}, "16 rows"),
    ("08.1", {"rope"}, "rope: accuracy below 0.9"),
    ("08.1", {"alibi", "rope"}, "rope: accuracy below 0.9"),
    ("08.1", {"alibi", "none", "sinusoidal"}, "none, sinusoidal: accuracy below 0.9"),
    ("08.1", {"NoPE"}, "none: accuracy below 0.9"),
    ("08.1", {"alibi", "t5"}, "is not one of the methods"),
    ("08.1", {1, 2}, "must be a method name"),
    ("08.1", 4, "Expected a set of method names"),
    ("08.2", alibi_positive, "wrong sign"),
    ("08.2", alibi_signed, "absolute distance"),
    ("08.2", alibi_signed_transposed, "absolute distance"),
    ("08.2", alibi_no_slopes, "slope 1"),
    ("08.2", alibi_reversed_heads, "reverse order"),
    ("08.2", alibi_one_head, "That is one head"),
    ("08.2", alibi_off_by_one, "values differ"),
    ("08.2", alibi_slopes_of_8, "values differ"),
    ("08.2", alibi_as_list, "Expected a tensor"),
    ("08.2", alibi_crashes, "your function raised IndexError"),
    ("08.2", 3.5, "Expected a function"),
    ("08.3", 42, "as a string"),
    ("08.3", "Table and distance.", "at least 10 words"),
    ("08.3", "ALiBi is better because it is newer and used by BLOOM, while GPT-2 is an older design.",
     "what the learned model lacks"),
    ("08.3", "The learned table has no row for position 16, so nothing can be added there; ALiBi just works "
             "fine for every sequence we gave it.", "what ALiBi's bias depends on"),
]


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT, ids=[f"{e}-{i}" for i, (e, _) in enumerate(RIGHT)])
def test_right_answers_pass(exercise_id, answer):
    assert_passes(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer", "message"), WRONG,
                         ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG)])
def test_wrong_answers_fail_with_their_message(exercise_id, answer, message):
    assert_fails_with(exercise_id, answer, message)


@pytest.mark.parametrize("exercise_id", ["08.1", "08.2", "08.3"])
@pytest.mark.parametrize("placeholder", [..., None, stub])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_a_function_that_returns_nothing_waits():
    assert check("08.2", alibi_returns_nothing).message.startswith("⏳")


def test_hints_do_not_give_the_prediction_away():
    from utils.exercises import get_exercise

    hint = get_exercise("08.1").hint.lower()
    assert "alibi" not in hint
    assert KEEPS_ACCURACY_AT_4X == {"alibi"}


def test_the_prediction_matches_the_committed_notebook():
    """08.1's answer is the measured one: ALiBi is the only method with accuracy ≥ 0.9 at T=64."""
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).resolve().parents[1] / "notebooks" /
                           "08_positions_measured.ipynb").read_text(encoding="utf-8"))
    table = next("".join(output["text"]) for cell in notebook["cells"] if cell["cell_type"] == "code"
                 for output in cell.get("outputs", []) if output.get("name") == "stdout"
                 and "".join(output["text"]).startswith("method "))
    keeps = set()
    for line in table.splitlines()[1:]:
        name, *values = line.split()
        if name != "chance" and values[2] != "n/a" and float(values[2]) >= 0.9:
            keeps.add(name)
    assert keeps == KEEPS_ACCURACY_AT_4X
