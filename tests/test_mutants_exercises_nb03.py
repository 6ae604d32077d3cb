"""Tests that kill surviving mutants of utils/exercises/nb03.py.

Found by ``python tools/mutation_test.py utils/exercises/nb03.py`` (docs/authoring.md, "Mutation testing").
"""

from __future__ import annotations

import pytest

from utils.exercises import check

N, V, D = 1024, 50_257, 1024  # exercise 03.3: tokens, vocabulary, dimension


@pytest.mark.parametrize("two_factors", [N * V, N * D, V * D])
def test_every_product_missing_one_factor_is_named(two_factors: int) -> None:
    # Survivors: the products 1024 * 50257 and 1024 * 768 in the "one factor is missing" diagnosis mutated.
    result = check("03.3", two_factors)
    assert not result.passed
    assert "One factor is missing" in result.message, result.message
