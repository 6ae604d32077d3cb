"""Exercise checks for notebook 05 (positional embeddings)."""

from __future__ import annotations

import math

import torch

from utils.exercises import NotYet, exercise, expect_shape, expect_type


def _returned(value, name: str):
    """``value`` unless it is None, which almost always means a forgotten ``return``."""
    if value is None or value is Ellipsis:
        raise NotYet(f"{name} returned nothing (None): finish its body and end it with a return statement.")
    return value


def _fixed_embedding(rows: int, dim: int, seed: int) -> torch.nn.Embedding:
    """An Embedding with reproducible weights that leaves the global random state alone."""
    weights = torch.randn(rows, dim, generator=torch.Generator().manual_seed(seed))
    return torch.nn.Embedding.from_pretrained(weights)


@exercise("05.1", "input embeddings for batch 2, context 6, d_model 12",
          "create_dataloader(raw_text, batch_size=2, max_length=6, stride=6, shuffle=False) gives the batch; "
          "pass it through InputEmbedding(50257, 6, 12).")
def check_small_pipeline(answer) -> None:
    expect_type(answer, torch.Tensor, "a tensor of input embeddings")
    if answer.ndim == 2:
        raise NotYet(f"Shape {tuple(answer.shape)} has no embedding dimension: these look like token IDs, "
                     "pass them through the InputEmbedding module.")
    expect_shape(answer, (2, 6, 12))
    if not answer.is_floating_point():
        raise NotYet(f"Embeddings are floating-point vectors, got dtype {answer.dtype}.")


@exercise("05.2", "token + position embeddings for any batch",
          "the positions are torch.arange(seq), where seq is the last dimension of token_ids; "
          "broadcasting adds the (seq, d) position rows to every row of the batch.")
def check_add_positions(add_positions) -> None:
    if not callable(add_positions):
        raise NotYet("Expected a function add_positions(token_ids, token_layer, position_layer).")
    token_layer, position_layer = _fixed_embedding(20, 6, seed=1), _fixed_embedding(8, 6, seed=2)
    generator = torch.Generator().manual_seed(3)
    for shape in [(3, 5), (1, 8), (2, 1), (4, 4)]:
        token_ids = torch.randint(0, 20, shape, generator=generator)
        expected = token_layer(token_ids) + position_layer.weight[: shape[1]]
        try:
            got = add_positions(token_ids, token_layer, position_layer)
        except Exception as error:
            raise NotYet(f"For token IDs of shape {shape} your function raised {type(error).__name__}: "
                         f"{error}. Does it use the sequence length of token_ids?") from None
        _returned(got, "add_positions")
        expect_type(got, torch.Tensor, "a tensor")
        if tuple(got.shape) != (*shape, 6):
            raise NotYet(f"For token IDs of shape {shape} expected shape {(*shape, 6)}, got {tuple(got.shape)}.")
        if torch.allclose(got, token_layer(token_ids)):
            raise NotYet("The result equals the token embeddings alone: the position embeddings are missing.")
        if not torch.allclose(got, expected, atol=1e-6):
            raise NotYet(f"For token IDs of shape {shape} the values differ: token t of every row should get "
                         "position_layer row t added.")


@exercise("05.3", "a RoPE dot product",
          "apply_rope expects shape (seq, d): use q.unsqueeze(0) and positions=[m]; the score is the dot "
          "product of the two rotated rows.")
def check_rope_dot(rope_dot) -> None:
    from utils.positional import apply_rope

    if not callable(rope_dot):
        raise NotYet("Expected a function rope_dot(q, k, m, n).")
    generator = torch.Generator().manual_seed(4)
    q, k = torch.randn(2, 16, generator=generator, dtype=torch.float64)
    for m, n in [(0, 0), (5, 2), (2, 5), (100, 7), (1000, 990)]:
        expected = float(apply_rope(q[None], [m]) @ apply_rope(k[None], [n]).T)
        got = float(_returned(rope_dot(q, k, m, n), "rope_dot"))
        if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9):
            plain = float(q @ k)
            detail = (" That is the plain q·k: rotate both vectors first."
                      if math.isclose(got, plain, abs_tol=1e-9) else "")
            raise NotYet(f"rope_dot(q, k, {m}, {n}) gave {got:.6f}, which is not the rotated score.{detail}")
    if not math.isclose(float(rope_dot(q, k, 7, 3)), float(rope_dot(q, k, 507, 503)), abs_tol=1e-9):
        raise NotYet("Your scores for (7, 3) and (507, 503) differ, but RoPE depends only on m - n.")


@exercise("05.4", "the sinusoidal dot product from the formula",
          "each pair i contributes sin·sin + cos·cos = cos(offset · θ_i), with θ_i = 10000^(-2i/dim), "
          "for i = 0 … dim/2 - 1.")
def check_sinusoid_dot(sinusoid_dot) -> None:
    from utils.positional import sinusoidal_encoding

    if not callable(sinusoid_dot):
        raise NotYet("Expected a function sinusoid_dot(offset, dim).")
    for dim in [4, 64, 128]:
        table = sinusoidal_encoding(260, dim, dtype=torch.float64)
        for offset in [0, 1, 7, 250]:
            expected = float(table[3] @ table[3 + offset])
            got = float(_returned(sinusoid_dot(offset, dim), "sinusoid_dot"))
            if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9):
                raise NotYet(f"sinusoid_dot({offset}, {dim}) gave {got:.6f}; the table's rows give a different "
                             f"value (at offset 0 it is dim / 2 = {dim // 2}).")
