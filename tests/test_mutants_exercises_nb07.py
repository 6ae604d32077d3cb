"""Tests that kill surviving mutants of utils/exercises/nb07.py (07.2 embedding by hand, 07.5 length).

Found by ``python tools/mutation_test.py utils/exercises/nb07.py`` (docs/authoring.md, "Mutation testing").
Last run: 149 mutants, 116 killed, 33 survived. Five of the survivors (the True/False flags of 07.5's options,
07.6's min_words) are killed by these tests when the mutant is applied by hand: the runner does not attribute
module-level registrations (multiple_choice, reflection) to the tests. The other 28 are equivalent: the
checkers' own data (seeds, table sizes and values, masks, case lengths), an axis -1 -> 1 on 2-D tensors, the
lru_cache size. (That run predates the tables at the model's scale with eps = 1e-4; the eps diagnoses
of 07.2 have their rows in tests/test_exercise_table_nb07.py.)
The right layer is written here from the recipe: token + position + token-type rows, then LayerNorm.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.exercises import check


def summed_rows(token_ids, tables) -> torch.Tensor:
    return tables.token[token_ids] + tables.position[: len(token_ids)] + tables.token_type[0]


def by_hand(token_ids, tables) -> torch.Tensor:
    return F.layer_norm(
        summed_rows(token_ids, tables),
        (tables.token.shape[1],),
        tables.layer_norm_weight,
        tables.layer_norm_bias,
        tables.layer_norm_eps,
    )


def failure(answer) -> str:
    result = check("07.2", answer)
    assert not result.passed and result.message.startswith("❌"), result.message
    return result.message


def test_the_recipe_passes() -> None:
    assert check("07.2", by_hand), check("07.2", by_hand).message


def test_values_half_again_too_large_fail() -> None:
    # Survivor: rtol=1e-5 -> 1.00001 in the acceptance test (1.5 × the right values passed).
    assert "the values differ" in failure(lambda ids, tables: 1.5 * by_hand(ids, tables))


def test_a_scaled_sum_is_not_called_the_sum_before_the_layer_norm() -> None:
    # Survivor: rtol=1e-5 -> 1.00001 in the diagnoses (1.5 × the summed rows was called "before the LayerNorm").
    message = failure(lambda ids, tables: 1.5 * summed_rows(ids, tables))
    assert "the values differ" in message and "before the LayerNorm" not in message


def test_a_wrong_full_length_answer_gets_a_verdict_not_a_checker_crash() -> None:
    # Survivors: `if length < 12` -> `<= 12` / `< 13`: at the table's full length 12 there is no shifted
    # position row 12, and the checker itself crashed (⚠️) instead of saying the values differ.
    def wrong_at_full_length(token_ids, tables):
        right = by_hand(token_ids, tables)
        return right if len(token_ids) < 12 else right.flip(0)

    assert "For 12 token IDs the values differ" in failure(wrong_at_full_length)


def test_fifteen_words_are_enough_for_the_reflection() -> None:
    # Survivors: `len(words) < 15` -> `<= 15` / `< 16` (07.5 then, the 07.6 reflection now: min_words=15).
    fifteen = (
        "The slow direction tells near from far, the fast one tells apart neighbouring positions precisely."
    )
    assert len(fifteen.split()) == 15
    assert check("07.6", fifteen).message.startswith("📝")
    assert "at least 15 words" in check("07.6", fifteen.rsplit(" ", 1)[0]).message


def test_the_unbiased_variance_is_told_apart_from_other_wrong_layers() -> None:
    # The d - 1 variance differs from LayerNorm's by sqrt(8 / 7) on the 8-d tables: named, not "values differ".
    def unbiased(token_ids, tables):
        summed = summed_rows(token_ids, tables)
        normalised = (summed - summed.mean(-1, keepdim=True)) / torch.sqrt(
            summed.var(-1, unbiased=True, keepdim=True) + tables.layer_norm_eps
        )
        return normalised * tables.layer_norm_weight + tables.layer_norm_bias

    message = failure(unbiased)
    assert "unbiased" in message and "the values differ" not in message


def test_a_crash_without_384_is_reported_as_the_crash() -> None:
    # Only an error naming the model's width 384 is blamed on a hard-coded width.
    def crashes(token_ids, tables):
        raise ValueError("something else")

    message = failure(crashes)
    assert "ValueError: something else" in message and "small random tables" not in message


def test_a_right_width_with_wrong_length_is_not_blamed_on_384() -> None:
    message = failure(lambda ids, tables: by_hand(ids, tables)[:1] if len(ids) > 1 else by_hand(ids, tables))
    assert "expected shape (5, 8), got (1, 8)" in message and "small random tables" not in message
