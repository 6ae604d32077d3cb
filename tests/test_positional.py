"""Tests of utils.positional: the sinusoidal formula, RoPE's properties, and the error messages."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.positional import (
    alibi_bias,
    alibi_slopes,
    apply_rope,
    inverse_frequencies,
    position_ids,
    sinusoidal_encoding,
)


def direct_sinusoid(pos: int, j: int, dim: int, base: float = 10000.0) -> float:
    """PE[pos, j] straight from Vaswani et al. (2017), with Python's math module."""
    i = j // 2
    angle = pos / base ** (2 * i / dim)
    return math.sin(angle) if j % 2 == 0 else math.cos(angle)


def rope_by_complex_numbers(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """RoPE as the paper's complex form: pair (x_2i, x_2i+1) as x_2i + i·x_2i+1, times e^{i·m·θ_i}."""
    dim = x.shape[-1]
    theta = torch.tensor([base ** (-2 * i / dim) for i in range(dim // 2)], dtype=torch.float64)
    rotation = torch.polar(torch.ones(len(positions), dim // 2, dtype=torch.float64),
                           positions.to(torch.float64)[:, None] * theta)
    pairs = torch.view_as_complex(x.reshape(*x.shape[:-1], dim // 2, 2).contiguous())
    return torch.view_as_real(pairs * rotation).reshape(x.shape)


# --- sinusoidal_encoding ---------------------------------------------------------------------------


@pytest.mark.parametrize(("num_positions", "dim", "base"), [(50, 16, 10000.0), (7, 2, 10000.0), (30, 10, 100.0)])
def test_sinusoidal_matches_formula(num_positions: int, dim: int, base: float) -> None:
    table = sinusoidal_encoding(num_positions, dim, base=base, dtype=torch.float64)
    assert table.shape == (num_positions, dim)
    expected = torch.tensor([[direct_sinusoid(p, j, dim, base) for j in range(dim)]
                             for p in range(num_positions)], dtype=torch.float64)
    torch.testing.assert_close(table, expected, rtol=0, atol=1e-12)


def test_sinusoidal_known_values_and_dtype() -> None:
    table = sinusoidal_encoding(4, 6)
    assert table.dtype == torch.float32
    assert torch.equal(table[0], torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]))  # sin 0 = 0, cos 0 = 1
    assert table[1, 0].item() == pytest.approx(math.sin(1.0))  # the fastest pair has wavelength 2π


def test_sinusoidal_dot_product_depends_on_offset_only() -> None:
    table = sinusoidal_encoding(64, 32, dtype=torch.float64)
    gram = table @ table.T
    for offset in (0, 1, 5, 20):
        diagonal = torch.diagonal(gram, offset)
        torch.testing.assert_close(diagonal, diagonal[0].expand_as(diagonal), rtol=0, atol=1e-10)


# --- apply_rope --------------------------------------------------------------------------------------


def test_rope_matches_complex_number_implementation() -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 9, 16, dtype=torch.float64, generator=generator)
    positions = torch.tensor([0, 1, 2, 5, 17, 100, 1023, 4096, 3])
    torch.testing.assert_close(apply_rope(x, positions), rope_by_complex_numbers(x, positions),
                               rtol=0, atol=1e-12)
    torch.testing.assert_close(apply_rope(x), rope_by_complex_numbers(x, torch.arange(9)), rtol=0, atol=1e-12)


def test_rope_position_zero_is_identity_and_first_pair_rotates_by_m() -> None:
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]] * 3, dtype=torch.float64)
    rotated = apply_rope(x)
    assert torch.equal(rotated[0], x[0])
    # pair 0 turns by m radians (θ_0 = 1): (1, 0) -> (cos m, sin m)
    torch.testing.assert_close(rotated[2, :2], torch.tensor([math.cos(2), math.sin(2)], dtype=torch.float64))


@settings(max_examples=30, deadline=None)
@given(m=st.integers(0, 2000), n=st.integers(0, 2000), k=st.integers(0, 2000),
       dim=st.sampled_from([2, 8, 64]), seed=st.integers(0, 2**31 - 1))
def test_rope_score_depends_only_on_offset(m: int, n: int, k: int, dim: int, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    q, key = torch.randn(2, 1, dim, dtype=torch.float64, generator=generator)

    def score(query_position: int, key_position: int) -> float:
        return float(apply_rope(q, [query_position]) @ apply_rope(key, [key_position]).T)

    assert score(m, n) == pytest.approx(score(m + k, n + k), abs=1e-9)


def test_rope_score_changes_with_offset() -> None:
    # The relative property is not trivial: a different offset gives a different score.
    generator = torch.Generator().manual_seed(1)
    q, key = torch.randn(2, 1, 8, dtype=torch.float64, generator=generator)
    scores = {offset: float(apply_rope(q, [offset]) @ apply_rope(key, [0]).T) for offset in range(4)}
    assert len({round(value, 6) for value in scores.values()}) == 4


def test_rope_preserves_norms_shape_and_dtype() -> None:
    generator = torch.Generator().manual_seed(2)
    x = torch.randn(4, 32, 64, dtype=torch.float64, generator=generator)
    rotated = apply_rope(x)
    assert rotated.shape == x.shape and rotated.dtype == x.dtype
    torch.testing.assert_close(rotated.norm(dim=-1), x.norm(dim=-1), rtol=1e-12, atol=0)
    assert not torch.allclose(rotated[:, 1:], x[:, 1:])  # it did rotate something
    assert apply_rope(x.float()).dtype == torch.float32


# --- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (lambda: sinusoidal_encoding(10, 7), "dim must be even"),
    (lambda: sinusoidal_encoding(0, 8), "num_positions must be a positive integer"),
    (lambda: sinusoidal_encoding(10, 0), "dim must be a positive integer"),
    (lambda: apply_rope(torch.zeros(3, 5)), "dim must be even"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=[0, 1]), r"expected shape \(3,\)"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=[0, -1, 2]), "positions must be >= 0"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=[True, False, True]), "integers or real numbers"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=torch.zeros(3, dtype=torch.complex64)), "real numbers"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=[0.0, float("nan"), 2.0]), "finite"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=[0.0, float("inf"), 2.0]), "finite"),
    (lambda: apply_rope(torch.zeros(3, 4), positions=[0.0, -0.25, 2.0]), "got minimum -0.25"),
    (lambda: apply_rope(torch.zeros(4)), r"shape \(\.\.\., seq, dim\)"),
    (lambda: position_ids(1025), "context_length=1024"),
    (lambda: position_ids(5, context_length=4), "positions 0…3"),
    (lambda: alibi_slopes(0), "num_heads must be a positive integer"),
    (lambda: alibi_slopes(2.0), "num_heads must be a positive integer"),
    (lambda: alibi_bias(8, 0), "seq_len must be a positive integer"),
    (lambda: inverse_frequencies(8, base=1.0), "base must be greater than 1"),
])
def test_clear_value_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_rope_rejects_integer_tensors() -> None:
    with pytest.raises(TypeError, match="floating-point"):
        apply_rope(torch.zeros(3, 4, dtype=torch.long))


def test_position_ids_within_context() -> None:
    assert torch.equal(position_ids(4, context_length=4), torch.arange(4))
    assert torch.equal(position_ids(1024), torch.arange(1024))


# --- inverse frequencies and ALiBi ---------------------------------------------------------------------


def test_inverse_frequencies_formula() -> None:
    theta = inverse_frequencies(8, base=100.0)
    assert theta.dtype == torch.float64
    torch.testing.assert_close(theta, torch.tensor([100.0 ** (-2 * i / 8) for i in range(4)], dtype=torch.float64),
                               rtol=0, atol=1e-15)


def alibi_slopes_of_the_paper(n: int) -> list[float]:
    """``get_slopes`` from the ALiBi authors' code (ofirpress/attention_with_linear_biases), verbatim logic."""
    def power_of_2(n: int) -> list[float]:
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]

    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + alibi_slopes_of_the_paper(2 * closest)[0::2][: n - closest]


@pytest.mark.parametrize("num_heads", [1, 2, 3, 5, 8, 12, 16, 24, 32, 40, 96])
def test_alibi_slopes_match_the_papers_code(num_heads: int) -> None:
    slopes = alibi_slopes(num_heads)
    assert slopes.shape == (num_heads,) and slopes.dtype == torch.float32
    torch.testing.assert_close(slopes, torch.tensor(alibi_slopes_of_the_paper(num_heads)), rtol=1e-6, atol=0)


def test_alibi_slopes_known_values() -> None:
    assert alibi_slopes(8).tolist() == [2.0 ** -k for k in range(1, 9)]
    assert alibi_slopes(1).tolist() == [2.0 ** -8]
    assert alibi_slopes(2).tolist() == [2.0 ** -4, 2.0 ** -8]


def test_alibi_bias_is_minus_slope_times_distance() -> None:
    bias = alibi_bias(4, 7)
    assert bias.shape == (4, 7, 7) and bias.dtype == torch.float32
    slopes = alibi_slopes(4)
    for h in range(4):
        for i in range(7):
            for j in range(7):
                assert bias[h, i, j].item() == pytest.approx(-slopes[h].item() * abs(i - j), abs=1e-7)
    assert not torch.signbit(torch.diagonal(bias, 0, 1, 2)).any()  # exactly 0.0 on the diagonal, not -0.0
    assert (bias[:, ~torch.eye(7, dtype=torch.bool)] < 0).all()


def test_alibi_bias_depends_on_distance_only_and_is_symmetric() -> None:
    bias = alibi_bias(3, 40)
    torch.testing.assert_close(bias, bias.transpose(1, 2), rtol=0, atol=0)
    for k in (1, 5, 39):
        diagonal = torch.diagonal(bias, -k, 1, 2)  # all (i, i - k)
        assert torch.equal(diagonal, diagonal[:, :1].expand_as(diagonal))


# --- real-valued positions (position interpolation, notebook 08 section 6) -----------------------------


def test_rope_float_positions_equal_integer_positions_at_whole_numbers() -> None:
    x = torch.randn(2, 5, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(apply_rope(x, [0.0, 1.0, 2.0, 3.0, 4.0]), apply_rope(x), rtol=0, atol=0)


def test_rope_half_position_rotates_the_first_pair_by_half_a_radian() -> None:
    x = torch.zeros(1, 4, dtype=torch.float64)
    x[0, 0] = 1.0
    rotated = apply_rope(x, [0.5])
    torch.testing.assert_close(rotated[0, :2], torch.tensor([math.cos(0.5), math.sin(0.5)], dtype=torch.float64))


def test_rope_interpolated_positions_give_the_scores_of_scaled_offsets() -> None:
    """Positions p/4: the score of a query and a key depends on (m - n)/4 only, as in Chen et al. 2023."""
    generator = torch.Generator().manual_seed(1)
    q, k = torch.randn(1, 8, dtype=torch.float64, generator=generator), torch.randn(1, 8, dtype=torch.float64,
                                                                                      generator=generator)
    score = lambda m, n: (apply_rope(q, [m]) @ apply_rope(k, [n]).T).item()  # noqa: E731
    assert score(9 / 4, 1 / 4) == pytest.approx(score(2.0, 0.0), abs=1e-12)
    assert score(9 / 4, 1 / 4) != pytest.approx(score(9.0, 1.0), abs=1e-6)
