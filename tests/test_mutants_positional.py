"""Tests that kill the mutants of utils/positional.py that the other unit tests let survive.

Found by ``python tools/mutation_test.py utils/positional.py`` (see docs/authoring.md, "Mutation testing").
Expected values are computed here from the formulas, independently of the module.
"""

from __future__ import annotations

import pytest
import torch

from utils.positional import inverse_frequencies


def test_inverse_frequencies_default_base_is_10000() -> None:
    # Survivor: the default `base: float = 10000.0` changed to 10001.0 (every caller passed base explicitly).
    expected = [10000.0 ** (-2 * i / 8) for i in range(4)]
    assert inverse_frequencies(8).tolist() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("base", [1.5, 2.0])
def test_inverse_frequencies_accept_any_base_above_one(base: float) -> None:
    # Survivor: `if not base > 1` changed to `if not base > 2` (no test used a base in (1, 2]).
    frequencies = inverse_frequencies(4, base=base)
    assert frequencies.tolist() == pytest.approx([1.0, base ** -0.5], rel=1e-12)
    assert frequencies.dtype == torch.float64


@pytest.mark.parametrize("base", [1.0, 0.5])
def test_inverse_frequencies_reject_a_base_of_one_or_less(base: float) -> None:
    with pytest.raises(ValueError, match="base must be greater than 1"):
        inverse_frequencies(4, base=base)
