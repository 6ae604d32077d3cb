"""Exercise checks for notebook 07 (inside a trained transformer)."""

from __future__ import annotations

import copy
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from . import (
    NotAnswered,
    NotYet,
    StudentCodeError,
    call_student,
    exercise,
    expect_type,
    multiple_choice,
    reflection,
    whole_number,
)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    from ..pretrained import load_embedding_tables

    return tuple(load_embedding_tables().vocabulary)


def _continuation_count() -> int:
    return sum(piece.startswith("##") for piece in _vocabulary())


def _continuation_mistakes() -> dict[int, str]:
    vocabulary = _vocabulary()
    return {
        len(
            vocabulary
        ): f"{len(vocabulary)} is every row of the table: count only the pieces that start with '##'.",
        sum(
            piece.startswith("#") for piece in vocabulary
        ): "That count also includes the plain '#' character, which is a token of its own: continuation "
        "pieces start with two '#'.",
        len(vocabulary)
        - _continuation_count(): "That is the number of rows that are NOT continuation pieces.",
    }


whole_number(
    "07.1",
    "rows of the table that are ## continuation pieces",
    "a continuation piece is a vocabulary string that starts with the two characters '##'; count them "
    "with sum(...) over tables.vocabulary.",
    "the number of vocabulary strings that start with '##'",
    _continuation_count,
    _continuation_mistakes,
)


# The small tables' eps: neither F.layer_norm's default (1e-5) nor the model's (1e-12), so a function that
# hard-codes either instead of reading tables.layer_norm_eps is told so.
SMALL_TABLES_EPS = 1e-4


def _small_tables(vocab: int = 40, positions: int = 12, dim: int = 8, seed: int = 7) -> SimpleNamespace:
    """Tables shaped like utils.pretrained.EmbeddingTables, small and random (no model needed).

    At the model's scale (token rows std 0.05, position and token-type rows std 0.025, so the summed rows
    have variances of 0.001 to 0.005; all-MiniLM-L6-v2's: 0.004 to 0.03): there the LayerNorm's eps is not
    negligible, and an eps of 1e-5 or 1e-12 instead of the table's 1e-4 moves the values by up to 0.08.
    """
    generator = torch.Generator().manual_seed(seed)
    return SimpleNamespace(
        token=torch.randn(vocab, dim, generator=generator) * 0.05,
        position=torch.randn(positions, dim, generator=generator) * 0.025,
        token_type=torch.randn(2, dim, generator=generator) * 0.025,
        layer_norm_weight=torch.rand(dim, generator=generator) * 0.5 + 0.5,
        layer_norm_bias=torch.randn(dim, generator=generator) * 0.1,
        layer_norm_eps=SMALL_TABLES_EPS,
    )


def _layer_norm(x: torch.Tensor, tables) -> torch.Tensor:
    return F.layer_norm(
        x, (x.shape[-1],), tables.layer_norm_weight, tables.layer_norm_bias, tables.layer_norm_eps
    )


_HARD_CODED_WIDTH = (
    "The check calls your function on small random tables (d = 8, 12 positions, 40 tokens, eps 1e-4), "
    "not on the model's: a hard-coded 384 fits only the model. Take the width from the "
    "input, e.g. F.layer_norm(summed, summed.shape[-1:], ...)."
)


def _unbiased_layer_norm(x: torch.Tensor, tables) -> torch.Tensor:
    centred = x - x.mean(-1, keepdim=True)
    normalised = centred / torch.sqrt(x.var(-1, unbiased=True, keepdim=True) + tables.layer_norm_eps)
    return normalised * tables.layer_norm_weight + tables.layer_norm_bias


@exercise(
    "07.2",
    "the embedding layer by hand",
    "sum three rows per token: tables.token[token_ids], tables.position[:T] and tables.token_type[0]; "
    "then F.layer_norm over the last dimension (its size taken from the tensor) with the table's "
    "weight, bias and eps.",
)
def check_embed_by_hand(embed_by_hand) -> None:
    if not callable(embed_by_hand):
        raise NotYet("Expected a function embed_by_hand(token_ids, tables).")
    tables = _small_tables()
    dim = tables.token.shape[1]
    generator = torch.Generator().manual_seed(11)
    for length in (5, 1, 12):
        token_ids = torch.randint(0, 40, (length,), generator=generator)
        rows, positions = tables.token[token_ids], tables.position[:length]
        try:
            # a copy: the expected values below come from `tables`, which the answer cannot then change
            got = call_student(embed_by_hand, token_ids.clone(), copy.deepcopy(tables))
        except StudentCodeError as error:
            if "384" in str(error):
                raise NotYet(f"Your function raised {error}. {_HARD_CODED_WIDTH}") from None
            raise
        expect_type(got, torch.Tensor, "a tensor")
        if tuple(got.shape) != (length, dim):
            width = f" {_HARD_CODED_WIDTH}" if got.shape[-1:] == (384,) else ""
            raise NotYet(
                f"For {length} token IDs expected shape ({length}, {dim}), got {tuple(got.shape)}." + width
            )
        got = got.detach().to(torch.float32)
        summed = rows + positions + tables.token_type[0]
        if torch.allclose(got, _layer_norm(summed, tables), rtol=1e-5, atol=1e-5):
            continue
        mistakes = [
            (summed, "These are the summed rows before the LayerNorm: normalise them last."),
            (_layer_norm(rows + tables.token_type[0], tables), "The position rows are missing."),
            (_layer_norm(rows + positions, tables), "The token-type row (segment 0) is missing."),
            (
                _layer_norm(rows + positions + tables.token_type[1], tables),
                "That adds token_type[1], the row of segment B: a single sentence is segment 0, "
                "tables.token_type[0].",
            ),
            (
                F.layer_norm(summed, (dim,), eps=tables.layer_norm_eps),
                "The LayerNorm has no scale and shift: pass the table's weight and bias too.",
            ),
            (
                _unbiased_layer_norm(summed, tables),
                "The variance is the unbiased one (divided by d - 1): LayerNorm divides by d, "
                "var(unbiased=False), which is what F.layer_norm does.",
            ),
        ]
        # F.layer_norm's and nn.LayerNorm's default; the model's; none at all. On these tables eps 0 and
        # 1e-12 give the same values to float32 precision, so one message names both.
        for eps, yours in (
            (1e-5, "1e-5 (the default of F.layer_norm and nn.LayerNorm)"),
            (1e-12, "0 or 1e-12 (the model's)"),
            (0.0, "0 or 1e-12 (the model's)"),
        ):
            mistakes.append(
                (
                    F.layer_norm(summed, (dim,), tables.layer_norm_weight, tables.layer_norm_bias, eps),
                    f"The LayerNorm's eps is not the table's: your eps is {yours}, the check's tables have "
                    f"eps = {tables.layer_norm_eps:g}. Pass tables.layer_norm_eps: at the model's scale "
                    "(summed rows of variance 0.004 to 0.03) eps changes the result.",
                )
            )
        if length < 12:
            shifted = tables.position[1 : length + 1]
            mistakes.append(
                (
                    _layer_norm(rows + shifted + tables.token_type[0], tables),
                    "The positions are off by one: the first token gets position row 0.",
                )
            )
        for wrong, message in mistakes:
            if torch.allclose(got, wrong, rtol=1e-5, atol=1e-5):
                raise NotYet(message)
        raise NotYet(
            f"For {length} token IDs the values differ from token + position + token-type rows "
            "followed by the LayerNorm."
        )


def _as_bool(value, what: str) -> bool:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value.item())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise NotYet(f"Expected {what} as True or False, got a {type(value).__name__}: {value!r}.")


@exercise(
    "07.3",
    "predict: what changes when another word of the sentence changes",
    "run the cell after your prediction: torch.equal compares the two table rows and the two vectors "
    "after the transformer layers.",
)
def check_static_vs_contextual(answer) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet("Expected a pair (row_changes, vector_changes) of two True/False values.")
    if any(value is None or value is Ellipsis for value in answer):
        raise NotAnswered()
    row_changes = _as_bool(answer[0], "row_changes")
    vector_changes = _as_bool(answer[1], "vector_changes")
    if row_changes:
        raise NotYet(
            "row_changes: the table row is looked up by the token ID alone; no other word of the "
            "sentence enters the lookup."
        )
    if not vector_changes:
        raise NotYet(
            "vector_changes: after the transformer layers a token's vector is a mixture computed "
            "from every token of the sentence, near or far."
        )


@exercise(
    "07.4",
    "mean pooling with an attention mask",
    "multiply the vectors by the mask (as floats, with a trailing dimension of 1), sum over the token "
    "axis, and divide by the number of real tokens of each sentence.",
)
def check_mean_pool(mean_pool) -> None:
    if not callable(mean_pool):
        raise NotYet("Expected a function mean_pool(token_vectors, attention_mask).")
    generator = torch.Generator().manual_seed(5)
    vectors = torch.randn(3, 6, 4, generator=generator)
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0]])
    got = call_student(mean_pool, vectors.clone(), mask.clone())
    expect_type(got, torch.Tensor, "a tensor")
    if tuple(got.shape) != (3, 4):
        raise NotYet(
            f"For vectors of shape (3, 6, 4) expected one vector per sentence, shape (3, 4), got "
            f"{tuple(got.shape)}: average over the token axis (dimension 1)."
        )
    got = got.detach().to(torch.float32)
    weights = mask.unsqueeze(-1).float()
    expected = (vectors * weights).sum(1) / weights.sum(1)
    if torch.allclose(got, expected, rtol=1e-5, atol=1e-6):
        return
    mistakes = [
        (vectors.mean(1), "The padding positions are averaged in: only tokens whose mask is 1 count."),
        (
            (vectors * weights).sum(1) / vectors.shape[1],
            "The sum is right but it is divided by the padded length: divide by the number of real tokens.",
        ),
        ((vectors * weights).sum(1), "That is the sum of the real tokens' vectors: divide by their number."),
        (
            F.normalize(expected, dim=-1),
            "That is the mean, normalised to length 1: here return the mean "
            "itself (the model's normalisation is the next step).",
        ),
        (vectors[:, 0], "That is the first ([CLS]) token's vector, not the mean of all real tokens."),
    ]
    for wrong, message in mistakes:
        if torch.allclose(got, wrong, rtol=1e-5, atol=1e-6):
            raise NotYet(message)
    raise NotYet("The values differ from the mean of each sentence's real-token vectors.")


multiple_choice(
    "07.5",
    "the fast and the slow directions of the position table",
    "look at section 2: the period and lag-1 autocorrelation of each principal component, the shuffled "
    "control, and the columns of the sinusoidal table (notebook 05).",
    {
        "a": (
            False,
            "the ring repeats about every six positions, so positions one period apart (3 and 9, "
            "say) land at nearly the same place on it: alone it cannot tell them apart.",
        ),
        "b": (
            True,
            "the fast ring changes a lot from one position to the next but repeats; the slow "
            "directions tell near from far but barely move between neighbours. The sinusoidal table "
            "has both by construction: fast pairs (sin t, cos t repeat every 2π ≈ 6.3 "
            "positions) and slow ones.",
        ),
        "c": (
            False,
            "the shuffled control has the same variance along each principal direction as the "
            "learned table (same vectors), yet its lag-1 autocorrelation is about 0 where the learned order gives 0.99: the structure is "
            "in the order of the rows, which training put there, not in their variance.",
        ),
        "d": (
            False,
            "its four strongest components are slow, but its first columns, sin t and cos t, repeat "
            "every 2π ≈ 6.3 positions: the principal components list only the directions "
            "of largest variance, not every frequency the table holds.",
        ),
    },
)

reflection(
    "07.6",
    "in your words: what each kind of direction lets attention tell apart",
    "A direction that turns fast (the ring, period about 6) separates a token from its immediate "
    "neighbours but repeats, so alone it is ambiguous beyond a few positions; a slowly drifting "
    "direction separates near from far and the start of the text from its end, but barely changes between "
    "neighbours. Together they locate a position finely and coarsely, as the fast and slow sine pairs of "
    "the sinusoidal table do by construction. Whether attention in this model uses them so is not measured "
    "in this notebook.",
    min_words=15,
)
