"""Cosine similarity and analogies written out by hand, as notebook 01 explains them.

gensim's ``KeyedVectors.similarity`` and ``most_similar`` compute the same numbers; notebook 01 checks that.
"""

from __future__ import annotations

import numpy as np
import torch
from gensim.models import KeyedVectors

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)
from .validation import check_positive_int
from .word_vectors import CourseKeyedVectors, UnknownWordError


def cosine_similarity(u, v) -> torch.Tensor:
    """Cosine similarity ``u·v / (‖u‖ ‖v‖)`` along the last dimension (broadcasting like ``u * v``).

    Accepts tensors or numpy arrays (a gensim vector); computes in float64 so the result does not
    depend on summation order beyond the last digits.
    """
    u, v = (_tensor(x).to(torch.float64) for x in (u, v))
    return (u * v).sum(-1) / (u.norm(dim=-1) * v.norm(dim=-1))


# Rows scored per matrix-vector product in analogy(): bounds the temporary memory whatever the vocabulary.
ANALOGY_CHUNK_ROWS = 1 << 16


def analogy(kv: KeyedVectors, a: str, b: str, c: str, topn: int = 10,
            restrict_vocab: int | None = None) -> list[tuple[str, float]]:
    """Solve "``a`` is to ``b`` as ``c`` is to ?" by hand: the words closest to ``b̂ − â + ĉ``.

    The computation of gensim's ``most_similar(positive=[b, c], negative=[a])`` (3CosAdd), written out:
    normalise the three vectors, add and subtract, and rank the (first ``restrict_vocab``) words by
    cosine similarity to the result, leaving out the three query words. The cosine of row ``w`` is
    ``(w · q̂) / ‖w‖`` with the norms gensim keeps (``kv.norms``): the rows are scored in chunks of
    :data:`ANALOGY_CHUNK_ROWS`, so no normalised copy of the matrix is ever made.

    Raises:
        UnknownWordError: a query word is not in the vocabulary (a ``KeyError``).
        TypeError, ValueError: ``topn`` or ``restrict_vocab`` is not a positive whole number.
    """
    from .word_vectors import fill_norms

    check_positive_int(topn, "topn", example=10)
    if restrict_vocab is not None:
        check_positive_int(restrict_vocab, "restrict_vocab", example=30000)
    for word in (a, b, c):
        if word not in kv.key_to_index:
            raise UnknownWordError(_unknown_message(kv, word))
    norms = torch.from_numpy(np.asarray(fill_norms(kv), dtype=np.float32))
    size = len(kv.vectors) if restrict_vocab is None else min(restrict_vocab, len(kv.vectors))
    ia, ib, ic = (kv.key_to_index[w] for w in (a, b, c))
    target = torch.from_numpy(np.array(kv.vectors[[ia, ib, ic]], dtype=np.float32))
    target = target / norms[[ia, ib, ic], None]
    query = target[1] - target[0] + target[2]
    query = query / query.norm()
    scores = torch.empty(size, dtype=torch.float32)              # (vocabulary,) cosine similarities
    for start in range(0, size, ANALOGY_CHUNK_ROWS):
        stop = min(start + ANALOGY_CHUNK_ROWS, size)
        rows = _tensor(kv.vectors[start:stop])                   # a view of gensim's rows, no copy
        scores[start:stop] = (rows @ query) / norms[start:stop]
    for index in (ia, ib, ic):
        if index < size:
            scores[index] = -torch.inf                           # the query words are not answers
    best = scores.topk(min(topn, int(torch.isfinite(scores).sum())))
    return [(kv.index_to_key[i], float(s)) for s, i in zip(best.values.tolist(), best.indices.tolist(), strict=True)]


def _tensor(x) -> torch.Tensor:
    """A tensor of ``x`` sharing its memory; only read-only (memory-mapped) arrays, which torch refuses to
    share, are copied."""
    if isinstance(x, torch.Tensor):
        return x
    array = np.asarray(x)
    return torch.from_numpy(array if array.flags.writeable else array.copy())


def _unknown_message(kv: KeyedVectors, word: str) -> str:
    if isinstance(kv, CourseKeyedVectors):
        return kv._unknown_word_message(word)
    return f"{word!r} is not in the vocabulary of these {len(kv.index_to_key):,} words."


