"""The Google analogy test set, answered in batches on tensors, with the same answers as gensim.

``evaluate_analogies(kv)`` gives the accuracy gensim's ``KeyedVectors.evaluate_word_analogies`` gives, per
section and in total, much faster (see ``benchmarks/bench_analogies.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from gensim.models import KeyedVectors

from .similarity import _tensor

# Scores closer than this are re-ranked exactly as gensim ranks them: float32 rounding (of order 1e-7
# here) may order near-ties differently in a batched matrix product and in gensim's one-by-one one.
TIE_TOLERANCE = 1e-5
# At most this many questions are scored together, and their score matrix holds at most SCORE_BUDGET
# floats (64 MB): memory stays bounded whatever the vocabulary size.
QUESTION_CHUNK = 1024
SCORE_BUDGET = 1 << 24


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
    "a b c ?" is the allowed word closest to ``b̂ − â + ĉ`` other than a, b and c. Instead of one
    matrix–vector product per question it runs matrix products on blocks of questions × words (memory
    stays bounded, see :data:`SCORE_BUDGET`); near-ties are settled by gensim's own computation.

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

    Each chunk of questions is scored against every allowed word in one matrix product; the query words
    (and their case variants) are masked out and two ``max`` passes give the best and second-best scores,
    which is all the answer and the near-tie test need (no sort).
    """
    kv.fill_norms()
    vectors = _tensor(np.ascontiguousarray(kv.vectors[:size]))
    norms = torch.from_numpy(np.asarray(kv.norms[:size], dtype=np.float32))
    unit_t = (vectors / norms[:, None]).T.contiguous()           # (d, words): rows of the product
    unit = unit_t.T
    dead = torch.nonzero(norms == 0).flatten()                   # gensim scores these NaN: never answers
    predicted = np.full(len(ids), -1, dtype=np.int64)
    exact: list[int] = []
    chunk = max(1, min(QUESTION_CHUNK, SCORE_BUDGET // max(size, 1)))
    for start in range(0, len(ids), chunk):
        block = ids[start:start + chunk]
        # every row that may not be the answer: the query words and (case-insensitive) their case variants
        excluded = [sorted({r for q in row[:3] for r in (q, *variants.get(q, ()))}) for row in block.tolist()]
        width = max(len(e) for e in excluded)
        excluded_t = torch.tensor([e + [e[0]] * (width - len(e)) for e in excluded])  # padded by repeats
        query_ids = torch.from_numpy(block)
        query = unit[query_ids[:, 1]] - unit[query_ids[:, 0]] + unit[query_ids[:, 2]]
        query = query / query.norm(dim=1, keepdim=True)          # (chunk, d)
        scores = query @ unit_t                                  # (chunk, words) cosine similarities
        if len(dead):
            scores[:, dead] = -torch.inf
        excluded_scores = scores.gather(1, excluded_t)           # kept for the case-variant test below
        scores.scatter_(1, excluded_t, -torch.inf)
        best, best_index = scores.max(dim=1)
        scores.scatter_(1, best_index[:, None], -torch.inf)
        second = scores.max(dim=1).values if size > 1 else torch.full_like(best, -torch.inf)
        unsure = ~torch.isfinite(best) | (best - second < TIE_TOLERANCE)
        if variants:  # gensim reads only its top 5 after the query words: case variants could fill them
            lengths = torch.tensor([len(e) for e in excluded])
            real = torch.arange(width)[None, :] < lengths[:, None]   # not padding
            own = (excluded_t[:, :, None] == query_ids[:, None, :3]).any(-1)
            close = excluded_scores >= best[:, None] - TIE_TOLERANCE
            unsure |= (close & ~own & real).sum(1) >= 5
        predicted[start:start + len(block)] = best_index.numpy()
        exact.extend((start + torch.nonzero(unsure).flatten()).tolist())
    for i in exact:
        predicted[i] = _gensim_prediction(kv, ids[i], canonical, ok_vocab, restrict_vocab)
    return predicted, len(exact)


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
