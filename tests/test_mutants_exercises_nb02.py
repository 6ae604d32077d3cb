"""Tests that kill surviving mutants of utils/exercises/nb02.py.

Found by ``python tools/mutation_test.py utils/exercises/nb02.py`` (docs/authoring.md, "Mutation testing").
"""

from __future__ import annotations

import pytest

from utils.exercises import check


@pytest.mark.parametrize("wrong_table", [
    (50_256, 1024),  # one row short: GPT-2's vocabulary has 50,257 tokens, not 50,256
    (50_000, 1024),  # the vocabulary rounded to 50,000
])
def test_a_wrong_table_size_in_bfloat16_is_named(wrong_table: tuple[int, int]) -> None:
    # Survivors: the arithmetic of the diagnosed sizes 50_256 * 1024 * 2 and 50_000 * 1024 * 2 mutated.
    rows, columns = wrong_table
    result = check("02.3", rows * columns * 2)
    assert not result.passed
    assert "GPT-2 medium has 50,257 rows of 1,024 numbers" in result.message, result.message
