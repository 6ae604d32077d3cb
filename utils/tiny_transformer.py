"""A tiny causal transformer whose only difference between variants is how it is told about positions.

Notebook 08 trains five of these on the same data with the same steps and seed and measures what each
position method does at the training length and beyond it. Every line is plain ``torch.nn``:

* :class:`CausalSelfAttention` — multi-head attention with a causal mask; RoPE rotates its queries and keys
  (:func:`utils.positional.apply_rope`), ALiBi adds :func:`utils.positional.alibi_bias` to its scores.
* :class:`TinyTransformer` — token embedding (+ a learned or sinusoidal position vector for those two
  methods), pre-LayerNorm blocks, a linear head producing next-token logits.
* :func:`copy_task_batch`, :func:`train`, :func:`accuracy_by_position` — the data, the training loop and the
  measurement.

The five ``POSITION_METHODS``:

=============  ======================================================================================
``"none"``     NoPE: no position information anywhere (the causal mask is the only asymmetry)
``"learned"``  a trainable table ``nn.Embedding(context_length, d_model)`` added to the token embeddings
``"sinusoidal"`` the fixed table of Vaswani et al. (2017) added to the token embeddings
``"rope"``     queries and keys of every head rotated by their positions (Su et al. 2021)
``"alibi"``    ``-slope_h · |i − j|`` added to every head's attention scores (Press et al. 2022)
=============  ======================================================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)
from .positional import alibi_bias, alibi_slopes, apply_rope, position_ids, sinusoidal_encoding

POSITION_METHODS = ("none", "learned", "sinusoidal", "rope", "alibi")
IGNORE_INDEX = -100  # targets with this value count neither in the loss nor in the accuracy


def _check_method(method: str) -> None:
    if method not in POSITION_METHODS:
        raise ValueError(f"Unknown position method {method!r}; choose one of {', '.join(POSITION_METHODS)}.")


def _alibi(num_heads: int, positions: torch.Tensor | None, seq_len: int) -> torch.Tensor:
    """ALiBi bias (H, T, T) for the default positions 0…T-1, or ``-slope_h·|p_i − p_j|`` for given ones."""
    if positions is None:
        return alibi_bias(num_heads, seq_len)
    distance = (positions[:, None] - positions[None, :]).abs().to(torch.float32)
    return -alibi_slopes(num_heads)[:, None, None] * distance


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where token ``i`` sees only tokens ``j ≤ i``; RoPE/ALiBi act here."""

    def __init__(self, d_model: int, num_heads: int, method: str) -> None:
        super().__init__()
        _check_method(method)
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}.")
        self.num_heads, self.head_dim, self.method = num_heads, d_model // num_heads, method
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)  # queries, keys, values in one product
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: (batch, seq, d_model) → (batch, seq, d_model). ``positions``: (seq,) or None = 0…seq-1."""
        batch, seq_len, d_model = x.shape
        qkv = self.qkv(x).view(batch, seq_len, 3, self.num_heads, self.head_dim)
        queries, keys, values = qkv.permute(2, 0, 3, 1, 4)  # each (batch, heads, seq, head_dim)
        if self.method == "rope":
            queries, keys = apply_rope(queries, positions), apply_rope(keys, positions)
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(self.head_dim)  # (batch, heads, seq, seq)
        if self.method == "alibi":
            scores = scores + _alibi(self.num_heads, positions, seq_len).to(scores)
        future = torch.ones(seq_len, seq_len, dtype=torch.bool, device=x.device).triu(1)  # j > i
        weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        mixed = (weights @ values).transpose(1, 2).reshape(batch, seq_len, d_model)
        return self.out(mixed)


class Block(nn.Module):
    """One pre-LayerNorm transformer block: ``x + attention(norm(x))``, then ``x + mlp(norm(x))``."""

    def __init__(self, d_model: int, num_heads: int, method: str) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, num_heads, method)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        x = x + self.attention(self.norm1(x), positions)
        return x + self.mlp(self.norm2(x))


class TinyTransformer(nn.Module):
    """A small causal language model: token IDs (batch, seq) → next-token logits (batch, seq, vocab).

    ``method`` picks the position scheme (:data:`POSITION_METHODS`). ``context_length`` is the number of
    rows of the learned table (only ``"learned"`` is limited by it). The learned table is created last, so
    after the same ``torch.manual_seed`` all five variants start with identical token, block and head
    weights.
    """

    def __init__(self, vocab_size: int, method: str, d_model: int = 32, num_heads: int = 4,
                 num_layers: int = 2, context_length: int = 32) -> None:
        super().__init__()
        _check_method(method)
        self.method, self.context_length, self.d_model = method, context_length, d_model
        self.token = nn.Embedding(vocab_size, d_model)
        self.blocks = nn.ModuleList(Block(d_model, num_heads, method) for _ in range(num_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        self.position = nn.Embedding(context_length, d_model) if method == "learned" else None

    def forward(self, token_ids: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (batch, seq, vocab). ``positions`` (seq,) replaces 0…seq-1 (to test a shuffled order).

        Raises:
            ValueError: ``"learned"`` with a sequence (or a position) beyond its ``context_length`` rows.
        """
        seq_len = token_ids.shape[-1]
        x = self.token(token_ids)
        if self.method in ("learned", "sinusoidal"):
            if positions is None:
                rows = position_ids(seq_len, self.context_length) if self.method == "learned" \
                    else torch.arange(seq_len)
            else:
                rows = positions.cpu()
                if self.method == "learned" and int(rows.max()) >= self.context_length:
                    raise ValueError(f"position {int(rows.max())} has no row in the learned table of "
                                     f"context_length={self.context_length} rows.")
            if self.method == "learned":
                x = x + self.position(rows.to(x.device))
            else:
                table = sinusoidal_encoding(int(rows.max()) + 1, self.d_model)
                x = x + table[rows].to(x.device, x.dtype)
        for block in self.blocks:
            x = block(x, positions)
        return self.head(self.norm(x))


def copy_task_batch(batch_size: int, seq_len: int, vocab_size: int, offset: int,
                    generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random tokens and the task "output the token ``offset`` positions back".

    Returns ``(inputs, targets)``, both (batch, seq) int64: ``targets[:, t] = inputs[:, t - offset]`` for
    ``t ≥ offset``; the first ``offset`` targets have no answer and are ``IGNORE_INDEX``. The inputs are
    uniform over the vocabulary, so without knowing the order chance accuracy is ``1 / vocab_size``.
    """
    inputs = torch.randint(0, vocab_size, (batch_size, seq_len), generator=generator)
    targets = torch.full_like(inputs, IGNORE_INDEX)
    targets[:, offset:] = inputs[:, :-offset] if offset else inputs
    return inputs, targets


def train(model: nn.Module, make_batch: Callable[[], tuple[torch.Tensor, torch.Tensor]], steps: int,
          learning_rate: float = 3e-3, device: str | torch.device = "cpu") -> list[float]:
    """Train ``model`` with AdamW for ``steps`` batches from ``make_batch()``; returns the loss of every step."""
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    losses = []
    for _ in range(steps):
        inputs, targets = (tensor.to(device) for tensor in make_batch())
        logits = model(inputs)
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def accuracy_by_position(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
                         positions: torch.Tensor | None = None) -> torch.Tensor:
    """Fraction of correct argmax predictions at each position, shape (seq,); NaN where no target exists."""
    model.eval()
    device = next(model.parameters()).device
    predictions = model(inputs.to(device), None if positions is None else positions.to(device)).argmax(-1).cpu()
    scored = targets != IGNORE_INDEX
    correct = ((predictions == targets) & scored).sum(0).double()
    return torch.where(scored.any(0), correct / scored.sum(0).clamp(min=1), torch.nan)


def accuracy(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor,
             positions: torch.Tensor | None = None) -> float:
    """Fraction of correct argmax predictions over every position that has a target."""
    model.eval()
    with torch.no_grad():
        device = next(model.parameters()).device
        predictions = model(inputs.to(device),
                            None if positions is None else positions.to(device)).argmax(-1).cpu()
    scored = targets != IGNORE_INDEX
    return float(((predictions == targets) & scored).sum() / scored.sum())
