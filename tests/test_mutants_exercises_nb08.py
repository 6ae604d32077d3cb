"""Tests that kill surviving mutants of utils/exercises/nb08.py (the ALiBi checkers).

Found by ``python tools/mutation_test.py utils/exercises/nb08.py`` (docs/authoring.md, "Mutation testing").
The wrong answers are built here from the formula -slope_h * |i - j| with the paper's slopes 2^(-8h/n).
"""

from __future__ import annotations

import torch

from utils.exercises import check


def paper_bias(num_heads: int, seq_len: int) -> torch.Tensor:
    """ALiBi's bias for a power-of-two number of heads; the checker's first case is 4 heads, 5 tokens, and
    every wrong answer below fails there (the right answers are in tests/test_exercise_table_nb08.py)."""
    slopes = torch.tensor([2.0 ** (-8.0 * (h + 1) / num_heads) for h in range(num_heads)], dtype=torch.float64)
    positions = torch.arange(seq_len, dtype=torch.float64)
    distance = (positions[:, None] - positions[None, :]).abs()
    return -slopes[:, None, None] * distance


def verdict(answer) -> str:
    result = check("08.2", answer)
    assert not result.passed and result.message.startswith("❌"), result.message
    return result.message


def test_half_the_bias_is_not_close_enough() -> None:
    # Survivor: the acceptance test's rtol=1e-5 -> 1.00001 (a 50 % error passed).
    assert "values differ" in verdict(lambda h, t: 0.5 * paper_bias(h, t))


def test_an_all_zero_bias_gets_no_sign_diagnosis() -> None:
    # Survivors: rtol=1e-5 -> 1.00001 or atol=1e-7 -> 1.0000001 in the "wrong sign" and "opposite sign"
    # diagnoses; zeros lie within 1 (and within 100 %) of both for (4 heads, 5 tokens), where |bias| <= 1.
    message = verdict(lambda h, t: torch.zeros(h, t, t))
    assert "values differ" in message
    assert "wrong sign" not in message and "opposite sign" not in message


def test_a_bias_near_slope_one_is_not_called_slope_one() -> None:
    # Survivor: atol=1e-7 -> 1.0000001 in the "every head has slope 1" diagnosis (0.5 off -|i - j|).
    def near_slope_one(num_heads: int, seq_len: int) -> torch.Tensor:
        return paper_bias(1, seq_len).expand(num_heads, seq_len, seq_len) / 2.0 ** -8.0 + 0.5

    message = verdict(near_slope_one)
    assert "values differ" in message and "slope 1" not in message


def test_eight_words_are_enough_for_the_reflection() -> None:
    # 08.3 is now a multiple-choice item; its free-text prompt became the reflection 08.4 (never ✅).
    eight = "The table has no row; ALiBi uses distance."
    assert len(eight.split()) == 8
    assert check("08.4", eight).message.startswith("📝")
    seven = "The table has no row; ALiBi: distance."
    assert len(seven.split()) == 7
    assert "at least 8 words" in check("08.4", seven).message


def test_half_a_reversed_bias_is_not_called_reversed() -> None:
    # Survivors: rtol/atol -> ~1 in the "heads in reverse order" diagnosis.
    message = verdict(lambda h, t: 0.5 * paper_bias(h, t).flip(0))
    assert "values differ" in message and "reverse order" not in message
