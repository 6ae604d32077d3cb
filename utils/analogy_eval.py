"""The Google analogy test set, answered in batches, with the same answers as gensim.

``evaluate_analogies(kv)`` gives the accuracy gensim's ``KeyedVectors.evaluate_word_analogies`` gives, per
section and in total, much faster (see ``benchmarks/bench_analogies.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np
import torch
from gensim.models import KeyedVectors

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)

# Scores closer than this are re-ranked exactly as gensim ranks them: float32 rounding (of order 1e-7
# here) may order near-ties differently in a batched matrix product and in gensim's one-by-one one.
TIE_TOLERANCE = 1e-5
# The vocabulary is scored VOCAB_TILE words at a time: the similarity tile of the ~900 question words and
# ~550 pairs (about 1,450 × 4096 floats, 24 MB) stays in the CPU's cache while every question reads two of
# its rows; memory stays bounded whatever the vocabulary size.
VOCAB_TILE = 4096


@dataclass(frozen=True)
class AnalogySection:
    """One section of an analogy test set: how many questions were answered right, of how many."""

    name: str
    correct: int
    total: int      # questions evaluated (all four words in the allowed vocabulary)
    skipped: int    # questions left out because a word is outside the allowed vocabulary
    correct_questions: tuple[tuple[str, str, str, str], ...] = field(default=(), repr=False)
    incorrect_questions: tuple[tuple[str, str, str, str], ...] = field(default=(), repr=False)

    @property
    def accuracy(self) -> float:
        """``correct / total``; 0.0 for a section with no evaluated question (as gensim reports it)."""
        return self.correct / self.total if self.total else 0.0

    @property
    def syntactic(self) -> bool:
        """Whether this is a syntactic section (the Google set names them ``gram1-…`` to ``gram9-…``)."""
        return self.name.startswith("gram")


@dataclass(frozen=True)
class AnalogyResult:
    """The outcome of :func:`evaluate_analogies`: overall and per-section accuracy with counts."""

    accuracy: float
    correct: int
    total: int
    skipped: int
    sections: tuple[AnalogySection, ...]
    restrict_vocab: int | None
    exact_reranks: int = 0   # near-ties settled by gensim's own one-question computation

    def _group(self, syntactic: bool) -> float:
        chosen = [s for s in self.sections if s.syntactic == syntactic]
        total = sum(s.total for s in chosen)
        return sum(s.correct for s in chosen) / total if total else 0.0

    @property
    def semantic_accuracy(self) -> float:
        """Accuracy over the semantic sections (all but ``gram*``)."""
        return self._group(syntactic=False)

    @property
    def syntactic_accuracy(self) -> float:
        """Accuracy over the syntactic ``gram*`` sections."""
        return self._group(syntactic=True)


def read_analogy_questions(path, case_insensitive: bool = True) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Sections of an analogy file (``: name`` lines, then ``a b c d`` lines), parsed as gensim parses them.

    Words are upper-cased when ``case_insensitive``; lines without exactly four words are skipped.
    """
    sections: list[tuple[str, list[tuple[str, ...]]]] = []
    with open(path, "rb") as file:
        for line_no, raw in enumerate(file):
            line = raw.decode("utf-8")
            if line.startswith(": "):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            if not sections:
                raise ValueError(f"Missing section header before line #{line_no} in {path}")
            words = line.split()
            if len(words) != 4:
                continue
            sections[-1][1].append(tuple(w.upper() for w in words) if case_insensitive else tuple(words))
    return sections


def evaluate_analogies(kv: KeyedVectors, restrict_vocab: int | None = 30000, case_insensitive: bool = True,
                       questions=None) -> AnalogyResult:
    """Accuracy on an analogy test set (default: the Google set shipped by gensim), batched on tensors.

    The same questions, the same answers and the same accuracy as gensim's
    ``kv.evaluate_word_analogies(questions, restrict_vocab, case_insensitive)``: only the first
    ``restrict_vocab`` words are allowed (questions with another word are skipped), the answer to
    "a b c ?" is the allowed word closest to ``b̂ − â + ĉ`` other than a, b and c (3CosAdd). Instead of one
    matrix–vector product per question it scores the vocabulary once against the ~900 distinct question
    words and ~550 distinct (a, b) pairs, tile by tile (memory stays bounded, see :data:`VOCAB_TILE`), and
    combines them per question; near-ties are settled by gensim's own computation.

    Args:
        kv: the word vectors.
        restrict_vocab: how many of the most frequent words are allowed (None: all).
        case_insensitive: compare words upper-cased (the first, most frequent case variant wins).
        questions: path of an analogy file; None for gensim's ``questions-words.txt``.
    """
    if questions is None:
        from gensim.test.utils import datapath

        questions = datapath("questions-words.txt")
    if restrict_vocab is not None and (isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, int)
                                       or restrict_vocab < 1):
        raise ValueError(f"restrict_vocab must be a positive integer or None, got {restrict_vocab!r}.")
    sections = read_analogy_questions(questions, case_insensitive)

    allowed = kv.index_to_key[:restrict_vocab]
    normalise = str.upper if case_insensitive else str
    ok_vocab: dict[str, int] = {}
    for index, word in enumerate(allowed):
        ok_vocab.setdefault(normalise(word), index)           # the first (most frequent) variant wins
    # canonical[i]: the index of the first allowed word that reads as word i once upper-cased
    canonical = np.array([ok_vocab[normalise(w)] for w in allowed], dtype=np.int64)
    variants: dict[int, list[int]] = {}
    for index in np.flatnonzero(canonical != np.arange(len(allowed))).tolist():
        variants.setdefault(int(canonical[index]), []).append(index)

    kept = [[q for q in qs if all(w in ok_vocab for w in q)] for _, qs in sections]
    ids = np.array([[ok_vocab[w] for w in q] for qs in kept for q in qs], dtype=np.int64).reshape(-1, 4)
    predicted, reranks = _predict(kv, ids, len(allowed), canonical, variants, ok_vocab, restrict_vocab)
    right = canonical[predicted] == ids[:, 3] if len(ids) else np.zeros(0, dtype=bool)
    right &= predicted >= 0

    results, start = [], 0
    for (name, qs), evaluated in zip(sections, kept, strict=True):
        ok = right[start:start + len(evaluated)].tolist()
        start += len(evaluated)
        results.append(AnalogySection(
            name, sum(ok), len(evaluated), len(qs) - len(evaluated),
            tuple(q for q, r in zip(evaluated, ok, strict=True) if r),
            tuple(q for q, r in zip(evaluated, ok, strict=True) if not r)))
    correct, total = sum(s.correct for s in results), sum(s.total for s in results)
    return AnalogyResult(correct / total if total else 0.0, correct, total, sum(s.skipped for s in results),
                         tuple(results), restrict_vocab, reranks)


def _predict(kv, ids, size, canonical, variants, ok_vocab, restrict_vocab) -> tuple[np.ndarray, int]:
    """Row index of the predicted word for each question (−1: none), and how many were re-ranked exactly.

    The answer to "a b c ?" is the allowed word w (not a, b, c) that maximises ``ŵ·b̂ − ŵ·â + ŵ·ĉ``. The
    Google set has only ~900 distinct words and ~550 distinct (a, b) pairs, so instead of one product per
    question the vocabulary is scored against the question words once, tile by tile:

        S[x] = x̂·Ŵ          (question words × tile: one matrix product)
        D[a, b] = S[b] − S[a]  (pairs × tile)
        score(question) = D[a, b] + S[c]

    and :func:`_scan_tile` keeps each question's best and second-best score in one pass over the tile.
    Dividing by ‖b̂ − â + ĉ‖ gives the cosine gensim ranks by; near-ties are settled by gensim itself.
    """
    kv.fill_norms()
    norms = np.asarray(kv.norms[:size], dtype=np.float32)
    dead = norms == 0                                           # gensim scores these NaN: never answers

    def unit(rows) -> np.ndarray:
        vectors = np.asarray(kv.vectors[rows], dtype=np.float32)
        return vectors / np.where(dead[rows], np.inf, norms[rows])[:, None]

    words, word_pos = np.unique(ids[:, :3], return_inverse=True)   # distinct question words
    word_pos = word_pos.reshape(-1, 3)
    pairs, pair_of = np.unique(word_pos[:, :2], axis=0, return_inverse=True)  # distinct (a, b) pairs
    order = np.argsort(pair_of.reshape(-1), kind="stable")     # questions of one pair together: D row stays hot
    excluded = [sorted({r for q in row[:3] for r in (q, *variants.get(q, ()))}) for row in ids.tolist()]
    width = max((len(e) for e in excluded), default=1)
    excluded_rows = np.array([e + [-1] * (width - len(e)) for e in excluded], dtype=np.int64).reshape(-1, width)

    # One product gives both S (question words) and D (pairs): the rows are x̂ and b̂ − â.
    question_words = unit(words)
    rows = torch.from_numpy(np.concatenate([question_words, question_words[pairs[:, 1]] - question_words[pairs[:, 0]]]))
    best = np.full(len(ids), -np.inf, dtype=np.float32)
    second = np.full(len(ids), -np.inf, dtype=np.float32)
    best_index = np.full(len(ids), -1, dtype=np.int64)
    for start in range(0, size, VOCAB_TILE):
        stop = min(start + VOCAB_TILE, size)
        tile_norms = np.where(dead[start:stop], np.inf, norms[start:stop])
        tile = torch.from_numpy(np.asarray(kv.vectors[start:stop], dtype=np.float32) / tile_norms[:, None])
        scores = (rows @ tile.T).numpy()                        # (words + pairs, tile) cosine similarities
        scores[len(words):, dead[start:stop]] = -np.inf          # zero vectors are never answers
        row_max = scores.max(axis=1)                             # bounds every question's score in the tile
        _scan_tile(scores[len(words):], scores[:len(words)], row_max[len(words):], row_max[:len(words)],
                   pair_of.reshape(-1), word_pos[:, 2], order, excluded_rows, start, best, second, best_index)

    query = unit(ids[:, 1]) - unit(ids[:, 0]) + unit(ids[:, 2])
    query_norm = np.linalg.norm(query, axis=1)
    with np.errstate(invalid="ignore"):
        unsure = ~np.isfinite(best) | ((best - second) / query_norm < TIE_TOLERANCE)
    if variants:  # gensim reads only its top 5 after the query words: case variants could fill them
        real = excluded_rows >= 0
        rows = np.where(real, excluded_rows, 0)
        variant_scores = np.einsum("qkd,qd->qk", unit(rows.reshape(-1)).reshape(*rows.shape, -1), query)
        own = (excluded_rows[:, :, None] == ids[:, None, :3]).any(-1)
        close = variant_scores / query_norm[:, None] >= (best / query_norm - TIE_TOLERANCE)[:, None]
        unsure |= (close & ~own & real).sum(1) >= 5
    predicted = best_index.copy()
    exact = np.flatnonzero(unsure).tolist()
    for i in exact:
        predicted[i] = _gensim_prediction(kv, ids[i], canonical, ok_vocab, restrict_vocab)
    return predicted, len(exact)


@numba.njit(parallel=True, cache=True)
def _scan_tile(d, s, d_max, s_max, pair_of, c_of, order, excluded, offset, best, second,
               best_index):  # pragma: no cover
    """For every question: fold the scores ``d[pair] + s[c]`` of one vocabulary tile into its running best
    and second-best (skipping its excluded rows), in one pass, in place.

    Compiled by numba: one add and one comparison per word while the question's two rows sit in the CPU
    cache; the exclusion test runs only for the rare word that beats the running second-best. A question
    skips the whole tile when the maxima of its two rows (``d_max``, ``s_max``) add up to no more than its
    second-best score so far: no word of the tile can then reach its top two.
    """
    width = excluded.shape[1]
    for n in numba.prange(order.shape[0]):
        q = order[n]
        b2 = second[q]
        if d_max[pair_of[q]] + s_max[c_of[q]] <= b2:
            continue                                            # no word of this tile can enter the top two
        drow = d[pair_of[q]]
        srow = s[c_of[q]]
        b1 = best[q]
        i1 = best_index[q]
        for w in range(drow.shape[0]):
            v = drow[w] + srow[w]
            if v <= b2:
                continue
            row = offset + w
            skip = False
            for e in range(width):
                skip |= excluded[q, e] == row
            if skip:
                continue
            if v > b1:
                b2, b1, i1 = b1, v, row
            else:
                b2 = v
        best[q] = b1
        second[q] = b2
        best_index[q] = i1


def _gensim_prediction(kv, question, canonical, ok_vocab, restrict_vocab) -> int:
    """One question answered exactly as ``evaluate_word_analogies`` answers it (the row, or −1)."""
    keys = {index: key for key, index in ok_vocab.items()}
    a, b, c = (keys[int(i)] for i in question[:3])
    original = kv.key_to_index
    kv.key_to_index = ok_vocab                  # gensim's trick: most_similar sees the allowed words only
    try:
        sims = kv.most_similar(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict_vocab)
    finally:
        kv.key_to_index = original
    predicted = -1
    ignore = {int(i) for i in question[:3]}
    for word, _ in sims:
        predicted = kv.key_to_index[word]
        if int(canonical[predicted]) not in ignore:
            break
    return predicted
