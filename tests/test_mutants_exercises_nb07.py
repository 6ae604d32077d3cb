"""Tests that kill surviving mutants of utils/exercises/nb07.py (07.2 embedding by hand, 07.5 length).

Found by ``python tools/mutation_test.py utils/exercises/nb07.py`` (docs/authoring.md, "Mutation testing").
The right layer is written here from the recipe: token + position + token-type rows, then LayerNorm.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.exercises import check


def summed_rows(token_ids, tables) -> torch.Tensor:
    return tables.token[token_ids] + tables.position[: len(token_ids)] + tables.token_type[0]


def by_hand(token_ids, tables) -> torch.Tensor:
    return F.layer_norm(summed_rows(token_ids, tables), (tables.token.shape[1],), tables.layer_norm_weight,
                        tables.layer_norm_bias, tables.layer_norm_eps)


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


def test_fifteen_words_are_enough() -> None:
    # Survivors: `len(words) < 15` -> `<= 15` / `< 16` in 07.5.
    fifteen = ("The slow direction tells near from far, the fast one tells apart neighbouring positions "
               "precisely.")
    assert len(fifteen.split()) == 15
    assert check("07.5", fifteen), check("07.5", fifteen).message
    assert "too short" in check("07.5", fifteen.rsplit(" ", 1)[0]).message
