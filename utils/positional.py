"""Position information for token embeddings: learned-table positions, sinusoidal tables and RoPE.

* :func:`position_ids` — the IDs ``0 … seq_len-1`` that index a learned position table (GPT-2 style),
  with a clear error when a sequence is longer than the table.
* :func:`sinusoidal_encoding` — the fixed table of "Attention Is All You Need" (Vaswani et al. 2017).
* :func:`apply_rope` — rotary position embedding (Su et al. 2021, "RoFormer"), as used by Llama.
* :func:`alibi_bias` — ALiBi's linear distance penalty on attention scores (Press et al. 2022), as used by BLOOM.

RoPE pairing convention: this module rotates **adjacent pairs** of dimensions ``(2i, 2i+1)`` by the angle
``m · θ_i`` with ``θ_i = base^(-2i/dim)``, exactly as written in the RoFormer paper and as Meta's reference
Llama code does it (pairs viewed as complex numbers). Hugging Face's Llama and GPT-NeoX rotate the pair
``(i, i + dim/2)`` instead ("half-split", ``rotate_half``); that is the same rotation applied to a fixed
permutation of the dimensions, so attention scores are identical when queries and keys use the same
convention. Adjacent pairs were chosen because they match the paper's formula, the complex-number view,
and the interleaved sin/cos layout of :func:`sinusoidal_encoding`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)

GPT2_CONTEXT_LENGTH = 1024


def _check_positive_int(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _check_even_dim(dim: int) -> None:
    if dim % 2:
        raise ValueError(f"dim must be even (positions use pairs of dimensions (2i, 2i+1)), got dim={dim}. "
                         "Use an even embedding size such as 256 or 768.")


def inverse_frequencies(dim: int, base: float = 10000.0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """The ``dim // 2`` angular frequencies ``θ_i = base^(-2i/dim)``, i = 0 … dim/2-1 (fastest first)."""
    _check_positive_int(dim, "dim")
    _check_even_dim(dim)
    if not base > 1:
        raise ValueError(f"base must be greater than 1, got {base!r}.")
    exponents = torch.arange(0, dim, 2, dtype=torch.float64) / dim
    return (base ** -exponents).to(dtype)


def position_ids(seq_len: int, context_length: int = GPT2_CONTEXT_LENGTH) -> torch.Tensor:
    """``torch.arange(seq_len)``: the rows of a learned position table of ``context_length`` rows.

    A learned absolute position table (GPT-2: ``context_length = 1024``) has one trained vector per
    position ``0 … context_length-1``; a longer sequence has positions with no vector at all, so this
    raises a ``ValueError`` instead of PyTorch's "index out of range in self".
    """
    _check_positive_int(seq_len, "seq_len")
    _check_positive_int(context_length, "context_length")
    if seq_len > context_length:
        raise ValueError(
            f"A sequence of {seq_len} tokens needs positions 0…{seq_len - 1}, but the position table has only "
            f"context_length={context_length} rows (positions 0…{context_length - 1}); GPT-2's table has "
            f"{GPT2_CONTEXT_LENGTH}. Cut the text into windows of at most {context_length} tokens.")
    return torch.arange(seq_len)


def sinusoidal_encoding(num_positions: int, dim: int, base: float = 10000.0,
                        dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The sinusoidal position table of Vaswani et al. (2017), shape ``(num_positions, dim)``.

    ``PE[pos, 2i] = sin(pos / base^(2i/dim))`` and ``PE[pos, 2i+1] = cos(pos / base^(2i/dim))``.
    Computed in float64 and returned as ``dtype``.
    """
    _check_positive_int(num_positions, "num_positions")
    angles = torch.outer(torch.arange(num_positions, dtype=torch.float64), inverse_frequencies(dim, base))
    table = torch.empty(num_positions, dim, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table.to(dtype)


def _as_positions(positions: torch.Tensor | Sequence[float] | None, seq_len: int) -> torch.Tensor:
    """The positions of ``seq_len`` tokens: ``arange(seq_len)``, or the given integers or real numbers.

    Real (float) positions are allowed: position interpolation (Chen et al. 2023) reads a longer text at
    positions ``0, 1/4, 2/4, …`` (notebook 05, section 13; measured in notebook 08, optional section 12).
    """
    if positions is None:
        return torch.arange(seq_len)
    positions = torch.as_tensor(positions).cpu()
    if positions.is_complex() or positions.dtype == torch.bool:
        raise ValueError(f"positions must be integers or real numbers, got dtype {positions.dtype}.")
    if positions.shape != (seq_len,):
        raise ValueError(f"positions must be a 1-D sequence with one position per token: expected shape "
                         f"({seq_len},) for x with seq={seq_len}, got {tuple(positions.shape)}.")
    if positions.is_floating_point() and not torch.isfinite(positions).all():
        raise ValueError("positions must be finite numbers, got inf or nan.")
    if (positions < 0).any():
        raise ValueError(f"positions must be >= 0, got minimum {positions.min().item():g}.")
    return positions


def apply_rope(x: torch.Tensor, positions: torch.Tensor | Sequence[float] | None = None,
               base: float = 10000.0) -> torch.Tensor:
    """Rotary position embedding (Su et al. 2021) on the last dimension of ``x``, shape ``(..., seq, dim)``.

    The pair of dimensions ``(2i, 2i+1)`` of the token at position ``m`` is rotated by the angle
    ``m · base^(-2i/dim)``. ``positions`` (default ``arange(seq)``) gives each token's position, an integer or
    a real number (position interpolation divides them by the extension factor). Rotations
    keep norms, and the dot product of a rotated query at ``m`` and a rotated key at ``n`` depends on
    ``m - n`` only. Returns a new tensor of the same shape and dtype.
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got {type(x).__name__}"
                        f"{' of dtype ' + str(x.dtype) if isinstance(x, torch.Tensor) else ''}.")
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., seq, dim), got shape {tuple(x.shape)}; "
                         "for a single token use x.unsqueeze(0).")
    seq_len, dim = x.shape[-2], x.shape[-1]
    _check_positive_int(dim, "dim")
    _check_even_dim(dim)
    positions = _as_positions(positions, seq_len)
    # Angles in float64 (on the CPU, where float64 always exists): m·θ for large m loses digits in
    # float32 before the sine is even taken.
    angles = torch.outer(positions.to(torch.float64), inverse_frequencies(dim, base))
    cos, sin = (torch.cos(angles).to(x.device, x.dtype), torch.sin(angles).to(x.device, x.dtype))
    even, odd = x[..., 0::2], x[..., 1::2]
    rotated = torch.empty_like(x)
    rotated[..., 0::2] = even * cos - odd * sin
    rotated[..., 1::2] = even * sin + odd * cos
    return rotated


def alibi_slopes(num_heads: int) -> torch.Tensor:
    """The per-head slopes of ALiBi (Press et al. 2022), shape ``(num_heads,)``, steepest first.

    For ``n`` heads, a power of two, the slopes are the geometric sequence ``2^(-8/n), 2^(-16/n), …, 2^(-8)``.
    Otherwise the paper's recipe: the slopes of the nearest smaller power of two ``p``, followed by every
    other slope of ``2p`` heads.
    """
    _check_positive_int(num_heads, "num_heads")

    def geometric(n: int) -> list[float]:
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]

    power = 1 << (num_heads.bit_length() - 1)  # the largest power of two <= num_heads
    slopes = geometric(power) + geometric(2 * power)[0::2][: num_heads - power]
    return torch.tensor(slopes, dtype=torch.float32)


def alibi_bias(num_heads: int, seq_len: int) -> torch.Tensor:
    """ALiBi's attention bias, shape ``(num_heads, seq_len, seq_len)``: ``-slope_h · |i − j|``.

    Added to the attention scores ``q_i · k_j / √d`` before the softmax, it penalises a key linearly in its
    distance from the query, with a different slope per head; no position vector is added anywhere. A
    causal model masks ``j > i`` anyway, so only ``-slope_h · (i − j)`` for ``j ≤ i`` matters there.
    """
    _check_positive_int(seq_len, "seq_len")
    positions = torch.arange(seq_len)
    distance = (positions[:, None] - positions[None, :]).abs().to(torch.float32)  # (seq, seq): |i − j|
    return -alibi_slopes(num_heads)[:, None, None] * distance + 0.0  # + 0.0 turns -0.0 into 0.0
