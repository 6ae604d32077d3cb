"""Tests that kill surviving mutants of utils/exercises/nb05.py (tolerances and diagnoses).

Found by ``python tools/mutation_test.py utils/exercises/nb05.py`` (docs/authoring.md, "Mutation testing").
Right values are computed here from the exercises' recipes and formulas; each wrong answer sits just
outside (or just inside) the tolerance the checker documents.
"""

from __future__ import annotations

import math

import torch

from utils.data import fetch
from utils.exercises import check
from utils.windows import create_dataloader


def recipe_parts() -> tuple[torch.Tensor, torch.Tensor]:
    """05.1's token embeddings (2, 6, 12) and position table (6, 12): seed 123, token table, then positions."""
    text = fetch("the-verdict.txt").read_text(encoding="utf-8")
    batch = next(iter(create_dataloader(text, batch_size=2, max_length=6, stride=6, shuffle=False)))[0]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(123)
        token, position = torch.nn.Embedding(50257, 12), torch.nn.Embedding(6, 12)
        return token(batch).detach(), position.weight.detach().clone()


def message(exercise_id: str, answer) -> str:
    result = check(exercise_id, answer)
    assert not result.passed and result.message.startswith("❌"), result.message
    return result.message


def test_small_pipeline_tolerances_are_tight() -> None:
    token_part, positions = recipe_parts()
    assert check("05.1", token_part + positions), "the recipe must pass"
    # Survivor: atol=1e-6 -> 1.000001 in the acceptance test (0.5 off everywhere passed).
    assert "same vector is added" in message("05.1", token_part + positions + 0.5)
    # Survivor: atol=1e-6 -> 1.000001 in the "token embeddings alone" diagnosis.
    shifted = message("05.1", token_part + 0.5)
    assert "same vector is added" in shifted and "alone" not in shifted
    # Survivors: rtol/atol -> 1.00001 in "the same vector is added in both rows".
    rows_differ = token_part + positions
    rows_differ[1] += 0.5
    differ = message("05.1", rows_differ)
    assert "not those of the recipe" in differ and "same vector" not in differ
    # Survivor: rtol=1e-5 -> 1.00001 there: row 1 gets 1.5 × the vectors added to row 0.
    scaled_rows = token_part + positions
    scaled_rows[1] = token_part[1] + 1.5 * positions
    scaled = message("05.1", scaled_rows)
    assert "not those of the recipe" in scaled and "same vector" not in scaled


def test_add_positions_tolerance_is_tight() -> None:
    # Survivor: rtol/atol -> ~1 in 05.2's value test (0.5 off everywhere passed).
    def half_off(token_ids, token_layer, position_layer):
        return token_layer(token_ids) + position_layer.weight[: token_ids.shape[-1]] + 0.5

    assert "the values differ" in message("05.2", half_off)

    # Survivor: rtol=1e-5 -> 1.00001 there (1.5 × the right values passed).
    def half_again(token_ids, token_layer, position_layer):
        return 1.5 * (token_layer(token_ids) + position_layer.weight[: token_ids.shape[-1]])

    assert "the values differ" in message("05.2", half_again)


def rope_score(q: torch.Tensor, k: torch.Tensor, m: int, n: int) -> float:
    """q rotated by m and k by n, pair (2i, 2i+1) by angle position · 10000^(-2i/d), then their dot product."""
    def rotate(x: torch.Tensor, position: int) -> torch.Tensor:
        out = x.clone().double()
        for i in range(x.shape[-1] // 2):
            angle = position * 10000.0 ** (-2 * i / x.shape[-1])
            a, b = float(x[2 * i]), float(x[2 * i + 1])
            out[2 * i] = a * math.cos(angle) - b * math.sin(angle)
            out[2 * i + 1] = a * math.sin(angle) + b * math.cos(angle)
        return out
    return float(rotate(q, m) @ rotate(k, n))


def test_rope_dot_tolerance_scales_with_the_vectors() -> None:
    # Survivors: `abs_tol=1e-5 * scale` -> `/ scale`, and `scale = |q| * |k|` -> `|q| / |k|`. The checker
    # promises "relative 1e-5, or 1e-5 of the problem's natural scale |q||k|": an error of 0.5e-5 |q||k|
    # is within that, on scores of any size.
    def slightly_off(q, k, m, n):
        return rope_score(q, k, m, n) + 0.5e-5 * float(q.norm() * k.norm())

    assert check("05.3", slightly_off), check("05.3", slightly_off).message


def sinusoid_sum(offset: int, dim: int) -> float:
    return sum(math.cos(offset * 10000.0 ** (-2 * i / dim)) for i in range(dim // 2))


def test_sinusoid_dot_tolerance_is_1e_5_of_dim_over_2() -> None:
    # Survivors: `_close(got, expected, dim / 2)` -> `dim * 2` and `dim / 3`.
    assert check("05.4", lambda offset, dim: sinusoid_sum(offset, dim) + 0.45e-5 * dim), "inside the tolerance"
    assert "sinusoid_dot(0, 4) gave" in message("05.4", lambda offset, dim: sinusoid_sum(offset, dim) + 1.5e-5 * dim)


def test_a_value_instead_of_a_function_is_told_so() -> None:
    # Survivors: `if not callable(...)` -> `if False` in 05.3 and 05.4 (the call then fails as "your function
    # raised TypeError", which blames code the student did not write).
    assert "Expected a function rope_dot" in message("05.3", 0.5)
    assert "Expected a function sinusoid_dot" in message("05.4", 32.0)


def test_rope_pairs_turning_counts_whole_turns_between_0_and_context_minus_1() -> None:
    from utils.exercises.nb05 import rope_pairs_turning

    # One pair (θ_0 = 1 rad): positions 0 … 6 reach 6 rad < 2π, positions 0 … 7 reach 7 rad ≥ 2π.
    assert rope_pairs_turning(2, 7) == 0 and rope_pairs_turning(2, 8) == 1
    # Llama 2 and Llama 3 heads, counted here from 2π · base^(2i/d) ≤ context - 1.
    for dim, context, base in [(128, 4096, 10_000.0), (128, 8192, 500_000.0), (64, 4096, 10_000.0)]:
        expected = sum(1 for i in range(dim // 2) if 2 * math.pi * base ** (2 * i / dim) <= context - 1)
        assert rope_pairs_turning(dim, context, base) == expected
    assert rope_pairs_turning(128, 4096) == 46 and rope_pairs_turning(128, 8192, 500_000.0) == 35
    assert rope_pairs_turning(64, 2048) == 21 and rope_pairs_turning(64, 4096) == 23  # 05.5, and the old 05.5
