"""A tiny causal transformer whose only difference between variants is how it is told about positions.

Notebook 08 trains five of these (same initial weights, same batches) on two tasks, with three seeds, and
measures what each position method does at the training length and beyond it. Every line is plain
``torch.nn``:

* :class:`CausalSelfAttention` — multi-head attention with a causal mask; RoPE rotates its queries and keys
  (:func:`utils.positional.apply_rope`), ALiBi adds :func:`utils.positional.alibi_bias` to its scores.
* :class:`TinyTransformer` — token embedding (+ a learned or sinusoidal position vector for those two
  methods), pre-LayerNorm blocks, a linear head producing next-token logits.
* :func:`copy_task_batch` and :func:`repeat_task_batch` — the two tasks; :func:`copy_task_floor` and
  :func:`repeat_task_floor` — what the best *order-blind* guess scores on them (the right floor, not 1/vocab).
* :func:`train` (to a stated loss criterion), :func:`accuracy_by_position` — training and measurement.

The five ``POSITION_METHODS``:

=============  ======================================================================================
``"none"``     NoPE: no explicit position encoding (the causal mask is the only asymmetry)
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
        self.keep_weights = False  # True: keep the last attention weights in .weights (batch, heads, seq, seq)
        self.weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor, positions: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: (batch, seq, d_model) → (batch, seq, d_model). ``positions``: (seq,) or None = 0…seq-1."""
        batch, seq_len, d_model = x.shape
        qkv = self.qkv(x).view(batch, seq_len, 3, self.num_heads, self.head_dim)
        queries, keys, values = qkv.permute(2, 0, 3, 1, 4)  # (batch, heads, seq, dim)
        if self.method == "rope":
            queries = apply_rope(queries, positions)
            keys = apply_rope(keys, positions)
        scores = queries @ keys.transpose(-2, -1) / math.sqrt(self.head_dim)
        if self.method == "alibi":
            scores = scores + _alibi(self.num_heads, positions, seq_len).to(scores)
        future = torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1)  # j > i
        scores = scores.masked_fill(future.to(x.device), float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (batch, heads, query, key)
        if self.keep_weights:
            self.weights = weights.detach()
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
        """Logits (batch, seq, vocab). ``positions`` (seq,) replaces 0…seq-1 (to erase or rescale them).

        Real-valued ``positions`` (position interpolation) work for RoPE, ALiBi and NoPE; the two table
        methods need integer positions.

        Raises:
            ValueError: ``"learned"`` with a sequence (or a position) beyond its ``context_length`` rows, or
                real-valued positions for ``"learned"``/``"sinusoidal"``.
        """
        seq_len = token_ids.shape[-1]
        x = self.token(token_ids)
        if self.method in ("learned", "sinusoidal"):
            if positions is None:
                rows = position_ids(seq_len, self.context_length) if self.method == "learned" \
                    else torch.arange(seq_len)
            else:
                rows = positions.cpu()
                if rows.is_floating_point():
                    raise ValueError(f"the {self.method} table has one row per integer position; real-valued "
                                     "positions (interpolation) work only for rope, alibi and none.")
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

    def keep_attention_weights(self, keep: bool = True) -> None:
        """After a forward pass, ``block.attention.weights`` holds each layer's weights (batch, heads, q, k)."""
        for block in self.blocks:
            block.attention.keep_weights = keep
            block.attention.weights = None


def copy_task_batch(batch_size: int, seq_len: int, vocab_size: int, offset: int,
                    generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random tokens and the task "output the token ``offset`` positions back" (notebook 08, section 1).

    Returns ``(inputs, targets)``, both (batch, seq) int64: ``targets[:, t] = inputs[:, t - offset]`` for
    ``t ≥ offset``; the first ``offset`` targets have no answer and are ``IGNORE_INDEX``. The inputs are
    uniform over the vocabulary: a uniform guess scores ``1 / vocab_size``, and a model that knows which
    tokens came before but not their order scores :func:`copy_task_floor`.
    """
    inputs = torch.randint(0, vocab_size, (batch_size, seq_len), generator=generator)
    targets = torch.full_like(inputs, IGNORE_INDEX)
    targets[:, offset:] = inputs[:, :-offset] if offset else inputs
    return inputs, targets


def copy_task_floor(seq_len: int, vocab_size: int) -> torch.Tensor:
    """Best order-blind accuracy at each position of the copy-the-previous-token task, shape (seq_len,).

    Notebook 08, section 1. A model that sees the multiset of the tokens before position ``t`` but not their
    order can do no better than guess their most frequent token. The previous token is equally likely to be
    any of the ``t`` earlier ones, so the guess is right with probability ``E[M_t] / t``, where ``M_t`` is
    the largest count among ``t`` uniform draws from ``vocab_size`` tokens. ``E[M_t]`` is computed exactly:
    ``P(M_t ≤ m) = t! / V^t · [x^t] (Σ_{k≤m} x^k / k!)^V``. Position 0 has no target (NaN).
    """
    _check_positive(seq_len, "seq_len")
    _check_positive(vocab_size, "vocab_size")
    expected_max = [0.0] * seq_len  # E[M_t] = Σ_{m ≥ 0} P(M_t > m), for every t at once
    for m in range(seq_len - 1):
        truncated = [1 / math.factorial(k) for k in range(m + 1)]
        power = [1.0]
        for _ in range(vocab_size):
            power = _times(power, truncated, seq_len - 1)
        for t in range(1, seq_len):
            at_most_m = power[t] * math.factorial(t) / vocab_size**t if t < len(power) else 0.0
            expected_max[t] += 1 - at_most_m
    floor = torch.tensor(expected_max, dtype=torch.float64) / torch.arange(seq_len).clamp(min=1)
    floor[0] = torch.nan
    return floor


def _times(a: list[float], b: list[float], degree: int) -> list[float]:
    """Product of two polynomials (coefficient lists), cut after ``x^degree``."""
    product = [0.0] * min(len(a) + len(b) - 1, degree + 1)
    for i, ai in enumerate(a):
        for j, bj in enumerate(b[: degree + 1 - i]):
            product[i + j] += ai * bj
    return product


def _check_positive(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def repeat_task_batch(batch_size: int, seq_len: int, vocab_size: int, generator: torch.Generator,
                      segment_lengths: tuple[int, int] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Distinct random tokens whose last ``L`` are repeated: predict the next token of the repeat.

    Notebook 08, section 5 (an induction task). Each row draws ``L`` from ``segment_lengths = (lo, hi)``
    (default: exactly ``seq_len // 2``), then ``seq_len - L`` distinct tokens, and ends with a copy of the
    last ``L`` of them. Inside the copy, at position ``p`` the target is the next token ``inputs[p + 1]``,
    found by looking up where the current token appeared first and reading its successor; elsewhere the
    target is ``IGNORE_INDEX``. The offset ``L`` varies from row to row, so no fixed offset solves it.
    """
    _check_positive(seq_len, "seq_len")
    low, high = segment_lengths or (seq_len // 2, seq_len // 2)
    if not 2 <= low <= high <= seq_len // 2:
        raise ValueError(f"segment_lengths must satisfy 2 <= lo <= hi <= seq_len // 2 = {seq_len // 2}, "
                         f"got {(low, high)}.")
    if seq_len - low > vocab_size:
        raise ValueError(f"{seq_len - low} distinct tokens are needed but vocab_size={vocab_size}; use a larger "
                         "vocabulary or a longer segment.")
    lengths = torch.randint(low, high + 1, (batch_size, 1), generator=generator)
    fresh = torch.rand(batch_size, vocab_size, generator=generator).argsort(-1)  # distinct tokens per row
    position = torch.arange(seq_len)
    first_copy = seq_len - lengths  # (batch, 1): where the repeat starts
    source = torch.where(position < first_copy, position, position - lengths)
    inputs = fresh.gather(1, source)
    targets = torch.full_like(inputs, IGNORE_INDEX)
    scored = (position >= first_copy) & (position < seq_len - 1)
    targets[:, :-1] = torch.where(scored[:, :-1], inputs[:, 1:], IGNORE_INDEX)
    return inputs, targets


def repeat_task_floor(inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Best order-blind accuracy at each position of :func:`repeat_task_batch` data, shape (seq,).

    Notebook 08, section 5. Without order, a model at position ``p`` of the repeat knows which tokens it has
    seen twice and which once; the next token is one of those seen once, all equally likely, so the best
    guess is right with probability ``1 / (number of tokens seen once)``. Averaged over the rows; NaN where
    no row has a target.
    """
    seq_len = inputs.shape[-1]
    seen_once = torch.zeros(inputs.shape, dtype=torch.float64)
    for p in range(seq_len):
        prefix = inputs[:, : p + 1]
        counts = (prefix[:, :, None] == prefix[:, None, :]).sum(-1)  # each token's count in the prefix
        seen_once[:, p] = (counts == 1).sum(-1)
    scored = targets != IGNORE_INDEX
    chance = torch.where(scored, 1 / seen_once.clamp(min=1), 0.0)
    return torch.where(scored.any(0), chance.sum(0) / scored.sum(0).clamp(min=1), torch.nan)


def train(model: nn.Module, make_batch: Callable[[], tuple[torch.Tensor, torch.Tensor]], steps: int,
          learning_rate: float = 3e-3, device: str | torch.device = "cpu", target_loss: float | None = None,
          window: int = 50) -> list[float]:
    """Train ``model`` with AdamW on batches from ``make_batch()``; returns the loss of every step.

    The stopping criterion (notebook 08, section 3): every ``window`` steps, stop if the mean loss of the
    last ``window`` steps is below ``target_loss``; else stop after ``steps`` steps (``target_loss=None``:
    always ``steps``).
    """
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    losses: list[float] = []
    for _ in range(steps):
        inputs, targets = (tensor.to(device) for tensor in make_batch())
        logits = model(inputs)
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if target_loss is not None and len(losses) % window == 0 and sum(losses[-window:]) / window < target_loss:
            break  # checked every `window` steps: a tiny rounding difference cannot move the stop by one step
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


@torch.no_grad()
def mean_attention(model: TinyTransformer, inputs: torch.Tensor) -> torch.Tensor:
    """Every head's attention weights averaged over a batch (notebook 08, section 6).

    Returns a CPU tensor of shape (num_layers * num_heads, seq, seq): row ``l * num_heads + h`` is layer
    ``l``'s head ``h``, entry ``[.., i, j]`` the mean weight query ``i`` gives key ``j`` (0 for ``j > i``).
    """
    if not isinstance(model, TinyTransformer):
        raise TypeError(f"mean_attention needs a TinyTransformer, got a {type(model).__name__}.")
    model.eval()
    model.keep_attention_weights()
    try:
        model(inputs.to(next(model.parameters()).device))
        weights = [block.attention.weights.mean(0).cpu() for block in model.blocks]
    finally:
        model.keep_attention_weights(False)
    return torch.cat(weights)
