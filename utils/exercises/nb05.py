"""Exercise checks for notebook 05 (positional embeddings)."""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from . import (
    NotYet,
    StudentCodeError,
    as_float,
    call_student,
    exercise,
    expect_shape,
    expect_type,
    multiple_choice,
    reflection,
    whole_number,
)
from .fixtures import verdict_ids as _verdict_ids


def _fixed_embedding(rows: int, dim: int, seed: int) -> torch.nn.Embedding:
    """An Embedding with reproducible weights that leaves the global random state alone."""
    weights = torch.randn(rows, dim, generator=torch.Generator().manual_seed(seed))
    return torch.nn.Embedding.from_pretrained(weights)


@lru_cache(maxsize=1)
def _small_pipeline_reference() -> tuple[torch.Tensor, torch.Tensor]:
    """(token embeddings, position table) of exercise 05.1's setup, computed from the stated recipe.

    Batch: the first 2 windows of 6 tokens, stride 6, of The Verdict. Layers: ``torch.manual_seed(123)``,
    then the token table ``Embedding(50257, 12)``, then the position table ``Embedding(6, 12)``. Runs under
    :func:`utils.exercises.check`, which restores the global random state afterwards.
    """
    ids = _verdict_ids()
    batch = torch.tensor([ids[0:6], ids[6:12]])
    torch.manual_seed(123)
    token_layer = torch.nn.Embedding(50257, 12)
    position_layer = torch.nn.Embedding(6, 12)
    with torch.no_grad():
        return token_layer(batch), position_layer.weight.clone()


@exercise("05.1", "input embeddings for batch 2, context 6, d_model 12",
          "the batch is the first one of create_dataloader(raw_text, batch_size=2, max_length=6, stride=6, "
          "shuffle=False); call torch.manual_seed(123) right before InputEmbedding(50257, 6, 12), then pass "
          "the batch through it.")
def check_small_pipeline(answer) -> None:
    expect_type(answer, torch.Tensor, "a tensor of input embeddings")
    if answer.ndim == 2:
        raise NotYet(f"Shape {tuple(answer.shape)} has no embedding dimension: these look like token IDs, "
                     "pass them through the InputEmbedding module.")
    expect_shape(answer, (2, 6, 12))
    if not answer.is_floating_point():
        raise NotYet(f"Embeddings are floating-point vectors, got dtype {answer.dtype}.")
    answer = answer.detach().to(torch.float32).cpu()
    token_part, position_table = _small_pipeline_reference()
    if torch.allclose(answer, token_part + position_table, rtol=1e-5, atol=1e-6):
        return
    if torch.allclose(answer, token_part, rtol=1e-5, atol=1e-6):
        raise NotYet("These are the token embeddings alone: the position embeddings are missing.")
    added = answer - token_part
    if torch.allclose(added[0], added[1], rtol=1e-5, atol=1e-5):
        raise NotYet("The token embeddings are right and the same vector is added at each position in both rows, "
                     "but not the position table the recipe gives: was a layer created twice, or in another "
                     "order, or did something draw random numbers between the seed and InputEmbedding(...)?")
    raise NotYet("The values are not those of the recipe: seed 123 right before InputEmbedding(50257, 6, 12), "
                 "and the first batch of the stated loader (not zeros or random numbers).")


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
        got = call_student(add_positions, token_ids, token_layer, position_layer)
        expect_type(got, torch.Tensor, "a tensor")
        if tuple(got.shape) != (*shape, 6):
            raise NotYet(f"For token IDs of shape {shape} expected shape {(*shape, 6)}, got {tuple(got.shape)}.")
        if torch.allclose(got, token_layer(token_ids)):
            raise NotYet("The result equals the token embeddings alone: the position embeddings are missing.")
        if not torch.allclose(got, expected, rtol=1e-5, atol=1e-6):
            raise NotYet(f"For token IDs of shape {shape} the values differ: token t of every row should get "
                         "position_layer row t added.")


def _close(got: float, expected: float, scale: float) -> bool:
    """Equal up to float32 rounding: relative 1e-5, or 1e-5 of the problem's natural ``scale``."""
    return math.isclose(got, expected, rel_tol=1e-5, abs_tol=1e-5 * scale)


def _call_rope_dot(rope_dot, q: torch.Tensor, k: torch.Tensor, m: int, n: int):
    """The student's rope_dot(q, k, m, n); a negative position passed to apply_rope is explained, not blamed.

    q·R_(n−m)k is a right form of the answer, but ``apply_rope`` rejects negative positions (``n − m < 0``).
    """
    try:
        return call_student(rope_dot, q.clone(), k.clone(), m, n)
    except StudentCodeError as crash:
        if isinstance(crash.error, ValueError) and "positions must be >= 0" in str(crash.error):
            raise NotYet(f"rope_dot(q, k, {m}, {n}) passed a negative position to apply_rope, which accepts "
                         f"positions >= 0 only (ValueError: {crash.error}). Rotating by the offset is right, but "
                         "keep it non-negative: positions [0] for q and [n - m] for k when n >= m, else "
                         "[m - n] for q and [0] for k.") from crash
        raise


@exercise("05.3", "a RoPE dot product",
          "apply_rope expects shape (seq, d): use q.unsqueeze(0) with positions=[m] and k.unsqueeze(0) with "
          "positions=[n]; the score is the dot product of the two rotated rows. apply_rope accepts positions "
          ">= 0 only: for the form q·R_(n−m)k, use positions [0] for q and [n - m] for k when n >= m, "
          "[m - n] for q and [0] for k otherwise.")
def check_rope_dot(rope_dot) -> None:
    from ..positional import apply_rope

    if not callable(rope_dot):
        raise NotYet("Expected a function rope_dot(q, k, m, n).")
    generator = torch.Generator().manual_seed(4)
    q, k = torch.randn(2, 16, generator=generator, dtype=torch.float64)
    scale = float(q.norm() * k.norm())

    def score(m: int, n: int) -> float:
        return float(apply_rope(q[None], [m]) @ apply_rope(k[None], [n]).T)

    for m, n in [(0, 0), (5, 2), (2, 5), (100, 7), (1000, 990)]:
        got = as_float(_call_rope_dot(rope_dot, q, k, m, n), f"rope_dot(q, k, {m}, {n})")
        if _close(got, score(m, n), scale):
            continue
        if _close(got, float(q @ k), scale):
            raise NotYet(f"rope_dot(q, k, {m}, {n}) is the plain q·k: rotate both vectors first.")
        if _close(got, score(n, m), scale):
            raise NotYet(f"rope_dot(q, k, {m}, {n}) is the score with the positions swapped (or the rotation "
                         "turned the other way): q goes to position m, k to position n.")
        if _close(got, float(apply_rope(q[None], [m]) @ k), scale):
            raise NotYet(f"rope_dot(q, k, {m}, {n}) rotates only q: the key is rotated too, to position n.")
        raise NotYet(f"rope_dot(q, k, {m}, {n}) gave {got:.6f}, which is not the rotated score.")
    same_offset = [as_float(_call_rope_dot(rope_dot, q, k, m, n), "rope_dot(...)")
                   for m, n in [(7, 3), (507, 503)]]
    if not _close(*same_offset, scale):
        raise NotYet("Your scores for (7, 3) and (507, 503) differ, but RoPE depends only on m - n.")


@exercise("05.4", "the sinusoidal dot product from the formula",
          "each pair i contributes sin·sin + cos·cos = cos(offset · θ_i), with θ_i = 10000^(-2i/dim), "
          "for i = 0 … dim/2 - 1.")
def check_sinusoid_dot(sinusoid_dot) -> None:
    from ..positional import sinusoidal_encoding

    if not callable(sinusoid_dot):
        raise NotYet("Expected a function sinusoid_dot(offset, dim).")
    for dim in [4, 64, 128]:
        table = sinusoidal_encoding(260, dim, dtype=torch.float64)
        for offset in [0, 1, 7, 250]:
            expected = float(table[3] @ table[3 + offset])
            got = as_float(call_student(sinusoid_dot, offset, dim), f"sinusoid_dot({offset}, {dim})")
            if _close(got, expected, dim / 2):
                continue
            if offset == 0:
                raise NotYet(f"sinusoid_dot(0, {dim}) gave {got:.4f}: at offset 0 each of the dim / 2 pairs "
                             "contributes sin² + cos² = 1. How many pairs are there?")
            raise NotYet(f"sinusoid_dot({offset}, {dim}) gave {got:.6f}; the table's rows give a different "
                         "value. Check the frequencies θ_i = 10000^(-2i/dim).")


def rope_pairs_turning(dim: int, context: int, base: float = 10000.0) -> int:
    """How many RoPE pairs turn by at least 2π between positions 0 and ``context - 1``."""
    theta = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    return int(((context - 1) * theta >= 2 * math.pi).sum())


EXERCISE_05_5 = {"dim": 64, "context": 2048}  # not derivable from an output printed above its prompt


def _turn_mistakes() -> dict[int, str]:
    expected = rope_pairs_turning(**EXERCISE_05_5)
    return {
        32 - expected: "That counts the pairs that do NOT complete a turn; the question asks for those that do.",
        32: "Not every pair turns fully: the slow pairs have wavelengths far longer than the context.",
        64: "There are 32 pairs in 64 dimensions, and not every pair turns fully: the slow pairs have "
            "wavelengths far longer than the context.",
        expected - 1: "Off by one: pairs are numbered i = 0 … 31, and pair 0 (θ = 1 rad) counts too.",
        expected + 1: "Off by one: pair i turns fully only when its wavelength 2π · 10000^(2i/64) is at most "
                      "2,047 positions; check the last pair you counted.",
        rope_pairs_turning(64, 4096): "That is the count for a context of 4,096 tokens; this head's context "
                                      "is 2,048, so fewer pairs fit a whole turn.",
        rope_pairs_turning(128, 4096): "That is the count section 6 printed for head dimension 128 and a "
                                       "context of 4,096; this head has 64 dimensions (32 pairs) and a "
                                       "context of 2,048.",
        rope_pairs_turning(128, 2048): "That is the count for head dimension 128 (64 pairs); this head has 64 "
                                       "dimensions, so 32 pairs.",
    }


whole_number(
    "05.5", "RoPE pairs that complete a turn, predicted",
    "pair i turns by θ_i = 10000^(-2i/64) per position, so its wavelength is 2π / θ_i tokens; count the pairs "
    "whose wavelength fits within the 2,048-token context.",
    "the number of pairs that complete a turn (solve 2π · 10000^(2i/64) ≤ 2047 for i)",
    lambda: rope_pairs_turning(**EXERCISE_05_5),
    _turn_mistakes,
)

multiple_choice(
    "05.6", "a longer input than in training",
    "think of what exists for position 2,000 in each scheme (a row of a table, or an angle m·θ_i), then of "
    "what the model saw during training.",
    {
        "a": (True, "a learned table has rows 0 … 1,023 only; there is nothing to look up at 1,024."),
        "b": (False, "a table is not a formula: row 1,024 does not exist, and nothing in training fills it. "
                     "The lookup fails (section 2)."),
        "c": (True, "every position has an angle, so the model runs; but the slow pairs never completed a "
                    "turn within 1,024 positions, so past it they reach angles never seen in training, and "
                    "the model meets offsets longer than any it was trained on."),
        "d": (False, "offsets longer than any in training are new inputs too, and the slow pairs reach angles "
                     "never seen; RoPE models are reported to degrade past their training length (notebook 08 "
                     "measures it on a tiny model)."),
        "e": (False, "RoPE has no table: the angle m·θ_i exists for every position m, so the model runs "
                     "(section 4)."),
    },
)

reflection(
    "05.7", "why a longer offset is new input for RoPE",
    "RoPE's scores depend only on the offset m - n, but a model trained on windows of L tokens only ever saw "
    "offsets below L: larger offsets turn the slow pairs to angles (and give combinations of angles) it never "
    "met, so nothing in training tells it how to score them. Depending on offsets only makes the score the "
    "same wherever a pair of tokens sits, not defined for distances never trained on.",
)
