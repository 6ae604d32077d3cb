"""Exercise checks for notebook 07 (inside a trained transformer)."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from . import NotAnswered, NotYet, as_int, call_student, exercise, expect_type


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    from ..pretrained import load_embedding_tables

    return tuple(load_embedding_tables().vocabulary)


@exercise("07.1", "rows of the table that are ## continuation pieces",
          "a continuation piece is a vocabulary string that starts with the two characters '##'; count them "
          "with sum(...) over tables.vocabulary.")
def check_continuation_count(answer) -> None:
    count = as_int(answer, "a count of vocabulary entries")
    vocabulary = _vocabulary()
    expected = sum(piece.startswith("##") for piece in vocabulary)
    if count == len(vocabulary):
        raise NotYet(f"{count} is every row of the table: count only the pieces that start with '##'.")
    if count == sum(piece.startswith("#") for piece in vocabulary):
        raise NotYet("That count also includes the plain '#' character, which is a token of its own: "
                     "continuation pieces start with two '#'.")
    if count == len(vocabulary) - expected:
        raise NotYet("That is the number of rows that are NOT continuation pieces.")
    if count != expected:
        raise NotYet(f"{count} is not the number of vocabulary strings that start with '##'.")


def _small_tables(vocab: int = 40, positions: int = 12, dim: int = 8, seed: int = 7) -> SimpleNamespace:
    """Tables shaped like utils.pretrained.EmbeddingTables, small and random (no model needed)."""
    generator = torch.Generator().manual_seed(seed)
    return SimpleNamespace(
        token=torch.randn(vocab, dim, generator=generator),
        position=torch.randn(positions, dim, generator=generator),
        token_type=torch.randn(2, dim, generator=generator),
        layer_norm_weight=torch.rand(dim, generator=generator) + 0.5,
        layer_norm_bias=torch.randn(dim, generator=generator) * 0.1,
        layer_norm_eps=1e-12,
    )


def _layer_norm(x: torch.Tensor, tables) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), tables.layer_norm_weight, tables.layer_norm_bias,
                        tables.layer_norm_eps)


@exercise("07.2", "the embedding layer by hand",
          "sum three rows per token: tables.token[token_ids], tables.position[:T] and tables.token_type[0]; "
          "then F.layer_norm over the last dimension with the table's weight, bias and eps.")
def check_embed_by_hand(embed_by_hand) -> None:
    if not callable(embed_by_hand):
        raise NotYet("Expected a function embed_by_hand(token_ids, tables).")
    tables = _small_tables()
    generator = torch.Generator().manual_seed(11)
    for length in (5, 1, 12):
        token_ids = torch.randint(0, 40, (length,), generator=generator)
        rows, positions = tables.token[token_ids], tables.position[:length]
        got = call_student(embed_by_hand, token_ids, tables)
        expect_type(got, torch.Tensor, "a tensor")
        if tuple(got.shape) != (length, 8):
            raise NotYet(f"For {length} token IDs expected shape ({length}, 8), got {tuple(got.shape)}.")
        got = got.detach().to(torch.float32)
        expected = _layer_norm(rows + positions + tables.token_type[0], tables)
        if torch.allclose(got, expected, rtol=1e-5, atol=1e-5):
            continue
        mistakes = [
            (rows + positions + tables.token_type[0], "These are the summed rows before the LayerNorm: "
                                                      "normalise them last."),
            (_layer_norm(rows + tables.token_type[0], tables), "The position rows are missing."),
            (_layer_norm(rows + positions, tables), "The token-type row (segment 0) is missing."),
            (F.layer_norm(rows + positions + tables.token_type[0], (8,), eps=tables.layer_norm_eps),
             "The LayerNorm has no scale and shift: pass the table's weight and bias too."),
        ]
        if length < 12:
            shifted = tables.position[1:length + 1]
            mistakes.append((_layer_norm(rows + shifted + tables.token_type[0], tables),
                             "The positions are off by one: the first token gets position row 0."))
        for wrong, message in mistakes:
            if torch.allclose(got, wrong, rtol=1e-5, atol=1e-5):
                raise NotYet(message)
        raise NotYet(f"For {length} token IDs the values differ from token + position + token-type rows "
                     "followed by the LayerNorm.")


def _as_bool(value, what: str) -> bool:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value.item())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise NotYet(f"Expected {what} as True or False, got a {type(value).__name__}: {value!r}.")


@exercise("07.3", "predict: what changes when a far-away word changes",
          "run the cell after your prediction: torch.equal compares the two table rows and the two vectors "
          "after the transformer layers.")
def check_static_vs_contextual(answer) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet("Expected a pair (row_changes, vector_changes) of two True/False values.")
    if any(value is None or value is Ellipsis for value in answer):
        raise NotAnswered()
    row_changes = _as_bool(answer[0], "row_changes")
    vector_changes = _as_bool(answer[1], "vector_changes")
    if row_changes:
        raise NotYet("row_changes: the table row is looked up by the token ID alone; no other word of the "
                     "sentence enters the lookup.")
    if not vector_changes:
        raise NotYet("vector_changes: after the transformer layers a token's vector is a mixture computed "
                     "from every token of the sentence, near or far.")


@exercise("07.4", "mean pooling with an attention mask",
          "multiply the vectors by the mask (as floats, with a trailing dimension of 1), sum over the token "
          "axis, and divide by the number of real tokens of each sentence.")
def check_mean_pool(mean_pool) -> None:
    if not callable(mean_pool):
        raise NotYet("Expected a function mean_pool(token_vectors, attention_mask).")
    generator = torch.Generator().manual_seed(5)
    vectors = torch.randn(3, 6, 4, generator=generator)
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0]])
    got = call_student(mean_pool, vectors.clone(), mask.clone())
    expect_type(got, torch.Tensor, "a tensor")
    if tuple(got.shape) != (3, 4):
        raise NotYet(f"For vectors of shape (3, 6, 4) expected one vector per sentence, shape (3, 4), got "
                     f"{tuple(got.shape)}: average over the token axis (dimension 1).")
    got = got.detach().to(torch.float32)
    weights = mask.unsqueeze(-1).float()
    expected = (vectors * weights).sum(1) / weights.sum(1)
    if torch.allclose(got, expected, rtol=1e-5, atol=1e-6):
        return
    mistakes = [
        (vectors.mean(1), "The padding positions are averaged in: only tokens whose mask is 1 count."),
        ((vectors * weights).sum(1) / vectors.shape[1], "The sum is right but it is divided by the padded "
                                                        "length: divide by the number of real tokens."),
        ((vectors * weights).sum(1), "That is the sum of the real tokens' vectors: divide by their number."),
        (F.normalize(expected, dim=-1), "That is the mean, normalised to length 1: here return the mean "
                                        "itself (the model's normalisation is the next step)."),
        (vectors[:, 0], "That is the first ([CLS]) token's vector, not the mean of all real tokens."),
    ]
    for wrong, message in mistakes:
        if torch.allclose(got, wrong, rtol=1e-5, atol=1e-6):
            raise NotYet(message)
    raise NotYet("The values differ from the mean of each sentence's real-token vectors.")


@exercise("07.5", "open question: the fast and the slow directions of the position table",
          "look at the principal-component plot and the similarity-by-offset curve of section 2; say what a "
          "slowly drifting direction and a fast periodic one could each let attention tell apart.")
def check_open_answer(answer) -> None:
    expect_type(answer, str, "your answer as a string of two or three sentences")
    words = answer.split()
    if len(words) < 15:
        raise NotYet(f"{len(words)} words is too short for an explanation: write two or three sentences "
                     "(15 words or more). There is no single right answer; your instructor reads it.")
