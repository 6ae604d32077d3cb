"""Cosine similarity and analogies written out by hand, as notebook 01 explains them.

gensim's ``KeyedVectors.similarity`` and ``most_similar`` compute the same numbers; notebook 01 checks that.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def analogy(
    kv: KeyedVectors, a: str, b: str, c: str, topn: int = 10, restrict_vocab: int | None = None
) -> list[tuple[str, float]]:
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
    scores = torch.empty(size, dtype=torch.float32)  # (vocabulary,) cosine similarities
    for start in range(0, size, ANALOGY_CHUNK_ROWS):
        stop = min(start + ANALOGY_CHUNK_ROWS, size)
        rows = _tensor(kv.vectors[start:stop])  # a view of gensim's rows, no copy
        scores[start:stop] = (rows @ query) / norms[start:stop]
    for index in (ia, ib, ic):
        if index < size:
            scores[index] = -torch.inf  # the query words are not answers
    best = scores.topk(min(topn, int(torch.isfinite(scores).sum())))
    return [
        (kv.index_to_key[i], float(s))
        for s, i in zip(best.values.tolist(), best.indices.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class AnalogyEvidence:
    """What notebook 01 (section 5) prints for one question "``a`` : ``b`` :: ``c`` : ``d``".

    Ranks count from 1; ``None`` means beyond the ``topn`` words searched.
    """

    a: str
    b: str
    c: str
    d: str
    answer: str  # the top 3CosAdd answer (query words excluded)
    rank: int | None  # rank of d among the 3CosAdd answers
    rank_b_only: int | None  # rank of d among the neighbours of b alone (a and c left out)
    rank_c_only: int | None  # rank of d among the neighbours of c alone (a and b left out): Linzen's ONLY-B
    answer_near_b: int | None  # rank of the 3CosAdd answer among the neighbours of b alone
    answer_near_c: int | None  # rank of the 3CosAdd answer among the neighbours of c alone
    cosmul_answer: str  # the top 3CosMul answer (gensim's most_similar_cosmul)
    cosmul_rank: int | None  # rank of d among the 3CosMul answers
    topn: int = 100  # how many words each ranking searched

    @property
    def solved(self) -> bool:
        return self.answer == self.d

    @property
    def question(self) -> str:
        return f"{self.a} : {self.b} :: {self.c} : {self.d}"


def analogy_evidence(kv: KeyedVectors, a: str, b: str, c: str, d: str, topn: int = 100) -> AnalogyEvidence:
    """The evidence notebook 01 (section 5) weighs for "``a`` : ``b`` :: ``c`` : ``d``", from the whole vocabulary.

    The 3CosAdd answers come from :func:`analogy`; the neighbours of ``b`` alone (leaving out ``a``, ``c``) and
    of ``c`` alone (leaving out ``a``, ``b``) from gensim's ``most_similar``: the "b only" and "c only"
    baselines (Linzen 2016 calls the second ONLY-B, as his third word is our ``c``); 3CosMul (Levy &
    Goldberg 2014) from gensim's ``most_similar_cosmul``.

    Raises:
        UnknownWordError: a word is not in the vocabulary (a ``KeyError``).
        TypeError, ValueError: ``topn`` is not a positive whole number.
    """
    check_positive_int(topn, "topn", example=100)
    for word in (a, b, c, d):
        if word not in kv.key_to_index:
            raise UnknownWordError(_unknown_message(kv, word))

    def rank(word: str, ranked: list[str]) -> int | None:
        return ranked.index(word) + 1 if word in ranked else None

    def alone(word: str, excluded: set[str]) -> list[str]:
        near = [w for w, _ in kv.most_similar(word, topn=topn + len(excluded))]
        return [w for w in near if w not in excluded][:topn]

    answers = [w for w, _ in analogy(kv, a, b, c, topn=topn)]
    near_b, near_c = alone(b, {a, c}), alone(c, {a, b})
    cosmul = [w for w, _ in kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=topn)]
    return AnalogyEvidence(
        a,
        b,
        c,
        d,
        answers[0],
        rank(d, answers),
        rank(d, near_b),
        rank(d, near_c),
        rank(answers[0], near_b),
        rank(answers[0], near_c),
        cosmul[0],
        rank(d, cosmul),
        topn,
    )


def format_rank(rank: int | None, topn: int = 100) -> str:
    """A rank of :class:`AnalogyEvidence` as notebook 01 prints it: the number, or ">100" (``topn``) when
    the word was not among the words searched."""
    return f">{topn}" if rank is None else str(rank)


def analogy_table(evidence: list[AnalogyEvidence]) -> str:
    """The table notebook 01 (section 5) prints: per question the top 3CosAdd answer, the rank of ``d``, the
    rank of ``d`` among the neighbours of ``b`` alone and of ``c`` alone, and ✓ (solved) or ✗."""
    rows = [f"{'a : b :: c : d':<38}{'answer':<11}{'rank':>4}{'b only':>7}{'c only':>7}"]
    for e in evidence:
        ranks = "".join(
            f"{format_rank(r, e.topn):>{w}}" for r, w in ((e.rank, 4), (e.rank_b_only, 7), (e.rank_c_only, 7))
        )
        rows.append(f"{e.question:<38}{e.answer:<11}{ranks} {'✓' if e.solved else '✗'}")
    return "\n".join(rows)


ANALOGY_RULES = ("3cosadd", "3cosmul", "only-b")


def analogy_answers(
    kv: KeyedVectors,
    questions: list[tuple[str, str, str]],
    rule: str = "3cosadd",
    restrict_vocab: int = 30000,
    batch_size: int = 128,
) -> list[str]:
    """The top answer to each question ``(a, b, c)`` by 3CosAdd, 3CosMul or ONLY-B, batched (notebook 01, sections 5, 8, 10).

    Answers come from the first ``restrict_vocab`` words, the three query words left out, as in gensim's
    ``most_similar`` (3CosAdd: the largest ``cos(w, b) − cos(w, a) + cos(w, c)``, the same ranking as the
    cosine with ``b̂ − â + ĉ``) and ``most_similar_cosmul`` (3CosMul, Levy & Goldberg 2014: cosines shifted to
    ``cos' = (1 + cos) / 2``, then the largest ``cos'(w, b) · cos'(w, c) / (cos'(w, a) + 1e-6)``); ``"only-b"`` is
    Linzen's (2016) trivial baseline ONLY-B, the nearest neighbour of ``c`` (his *b*), ``a``, ``b``, ``c`` left out,
    which an analogy rule must beat to show an offset at work. Per batch of
    ``batch_size`` questions, the cosines of their distinct words with the allowed words are computed in float64
    and combined in place (memory: about 8 bytes × 5 × ``batch_size`` × ``restrict_vocab``).

    Raises:
        UnknownWordError: a query word is not in the vocabulary (a ``KeyError``).
        ValueError: ``rule`` is not one of :data:`ANALOGY_RULES`; TypeError/ValueError for a bad size.
    """
    from .word_vectors import fill_norms

    if rule not in ANALOGY_RULES:
        raise ValueError(f"rule must be one of {ANALOGY_RULES}, got {rule!r}.")
    check_positive_int(restrict_vocab, "restrict_vocab", example=30000)
    check_positive_int(batch_size, "batch_size", example=128)
    if not questions:
        return []
    for question in questions:
        for word in question:
            if word not in kv.key_to_index:
                raise UnknownWordError(_unknown_message(kv, word))
    size = min(restrict_vocab, len(kv.vectors))
    norms = np.asarray(fill_norms(kv), dtype=np.float64)
    allowed = torch.from_numpy(np.asarray(kv.vectors[:size], dtype=np.float64) / norms[:size, None])
    answers: list[str] = []
    for start in range(0, len(questions), batch_size):
        batch = questions[start : start + batch_size]
        words = sorted({word for question in batch for word in question})
        word_ids = np.array([kv.key_to_index[w] for w in words])
        unit = torch.from_numpy(np.asarray(kv.vectors[word_ids], dtype=np.float64) / norms[word_ids, None])
        cosines = unit @ allowed.T  # (distinct words of the batch, allowed words)
        if rule == "3cosmul":
            cosines.add_(1).div_(2)
        row = {word: i for i, word in enumerate(words)}
        rows = torch.tensor([[row[w] for w in question] for question in batch])  # (B, 3): a, b, c
        if rule == "only-b":
            scores = cosines[rows[:, 2]]  # (B, V): c's neighbours, no arithmetic (indexing copies)
        elif rule == "3cosadd":
            scores = cosines[rows[:, 1]]  # (B, V), combined in place to bound the memory
            scores.sub_(cosines[rows[:, 0]]).add_(cosines[rows[:, 2]])
        else:
            scores = cosines[rows[:, 1]]
            scores.mul_(cosines[rows[:, 2]]).div_(cosines[rows[:, 0]].add_(1e-6))
        ids = torch.from_numpy(word_ids[rows.numpy()])  # vocabulary ids
        inside = ids < size
        question_of = torch.arange(len(batch))[:, None].expand_as(ids)
        scores[question_of[inside], ids[inside]] = -torch.inf  # query words are not answers
        answers += [kv.index_to_key[i] for i in scores.argmax(dim=1).tolist()]
    return answers


def answers_near_b_or_c(
    kv: KeyedVectors,
    questions: list[tuple[str, str, str, str]],
    answers: list[str],
    top: int = 3,
    restrict_vocab: int = 30000,
) -> list[bool]:
    """Whether each answer is among the ``top`` nearest neighbours of ``b`` alone (leaving out ``a``, ``c``) or of
    ``c`` alone (leaving out ``a``, ``b``): notebook 01, section 5's base rate for "a wrong answer is a neighbour
    of b or c". Neighbours come from the first ``restrict_vocab`` words (those :func:`analogy_answers` answers
    from), ranked by cosine in float64, as gensim's ``most_similar(word, restrict_vocab=...)`` ranks them.

    Raises:
        ValueError: ``questions`` and ``answers`` differ in length; TypeError/ValueError for a bad size.
        UnknownWordError: a query word is not in the vocabulary (a ``KeyError``).
    """
    from .word_vectors import fill_norms

    check_positive_int(top, "top", example=3)
    check_positive_int(restrict_vocab, "restrict_vocab", example=30000)
    if len(questions) != len(answers):
        raise ValueError(f"Give one answer per question: {len(questions)} questions, {len(answers)} answers.")
    for question in questions:
        for word in question[:3]:
            if word not in kv.key_to_index:
                raise UnknownWordError(_unknown_message(kv, word))
    size = min(restrict_vocab, len(kv.vectors))
    norms = np.asarray(fill_norms(kv), dtype=np.float64)
    allowed = torch.from_numpy(np.asarray(kv.vectors[:size], dtype=np.float64) / norms[:size, None])
    words = sorted({word for question in questions for word in question[1:3]})
    depth = min(top + 3, size)  # the word itself and the two left out may come first
    neighbours: dict[str, list[str]] = {}
    for start in range(0, len(words), 256):
        chunk = words[start : start + 256]
        ids = np.array([kv.key_to_index[w] for w in chunk])
        unit = torch.from_numpy(np.asarray(kv.vectors[ids], dtype=np.float64) / norms[ids, None])
        nearest = (unit @ allowed.T).topk(depth, dim=1).indices.tolist()
        for word, row in zip(chunk, nearest, strict=True):
            neighbours[word] = [kv.index_to_key[i] for i in row]
    near = []
    for (a, b, c, *_), answer in zip(questions, answers, strict=True):
        near_b = [w for w in neighbours[b] if w not in (a, b, c)][:top]
        near_c = [w for w in neighbours[c] if w not in (a, b, c)][:top]
        near.append(answer in near_b or answer in near_c)
    return near


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
