"""Exercise checks for notebook 01 (word vectors and analogies). Checks use GloVe 6B 50-d (the default)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import NotYet, exercise, expect_shape, expect_type, multiple_choice, reflection

MATRIX_WORDS = ["cat", "dog", "car", "truck", "apple", "banana"]
ODD_ONE_OUT = ["breakfast", "cereal", "dinner", "lunch"]
# d must not be among this many nearest neighbours of b alone or of c alone (01.1): otherwise a neighbour
# baseline finds it without any arithmetic (queen is the 2nd neighbour of king).
NEIGHBOUR_DEPTH = 5
# The questions notebook 01 works through in section 5 (core and optional); 01.4 asks for another one.
SECTION_5_QUESTIONS = (
    ("france", "paris", "italy", "rome"),
    ("japan", "tokyo", "germany", "berlin"),
    ("man", "actor", "woman", "actress"),
    ("brother", "sister", "nephew", "niece"),
    ("good", "better", "bad", "worse"),
    ("big", "bigger", "small", "smaller"),
    ("mouse", "mice", "dollar", "dollars"),
    ("walk", "walked", "swim", "swam"),
    ("think", "thinking", "read", "reading"),
    ("tall", "tallest", "short", "shortest"),
    ("chicago", "illinois", "houston", "texas"),
    ("man", "king", "woman", "queen"),
    ("man", "doctor", "woman", "nurse"),
)


@lru_cache(maxsize=1)
def _glove():
    from ..word_vectors import load_word_vectors

    return load_word_vectors()


@lru_cache(maxsize=1)
def analogy_test_set_pairs() -> dict[tuple[str, str], frozenset[str]]:
    """Every (x, y) pair of the Google analogy test set (lower-case), mapped to the sections it appears in.

    A question "a : b :: c : d" whose pairs (a, b) and (c, d) share a section has a plausible expected word:
    one that people wrote down for that relation."""
    from gensim.test.utils import datapath

    pairs: dict[tuple[str, str], set[str]] = {}
    section = ""
    for line in open(datapath("questions-words.txt"), encoding="utf-8"):
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        words = line.lower().split()
        if len(words) == 4:
            for pair in (tuple(words[:2]), tuple(words[2:])):
                pairs.setdefault(pair, set()).add(section)
    return {pair: frozenset(sections) for pair, sections in pairs.items()}


def _three_cos_add(kv, a: str, b: str, c: str) -> str:
    """The top 3CosAdd answer to "a is to b as c is to ?" (query words excluded), as gensim gives it."""
    return kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]


def _neighbour_rank(
    kv, word: str, target: str, excluded: set[str], depth: int = NEIGHBOUR_DEPTH
) -> int | None:
    """The rank of ``target`` among the ``depth`` nearest neighbours of ``word`` alone, leaving out ``excluded``."""
    near = [w for w, _ in kv.most_similar(word, topn=depth + len(excluded)) if w not in excluded][:depth]
    return near.index(target) + 1 if target in near else None


def _words(answer, what: str) -> list[str]:
    """The four words of ``answer`` (any sequence of strings: tuple, list, NumPy array), stripped and lower-case
    (GloVe 6B's vocabulary is lower-case)."""
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    expect_type(answer, (tuple, list), what)
    if len(answer) != 4 or not all(isinstance(word, str) for word in answer):
        raise NotYet(f"Expected {what}, got {len(answer)} items.")
    kv = _glove()
    words = [word.strip().lower() for word in answer]
    unknown = [word for word in words if word not in kv.key_to_index]
    if unknown:
        raise NotYet(f"Not in the GloVe 6B vocabulary (lower-case words only): {unknown}.")
    if len(set(words)) < 4:
        raise NotYet("Choose four different words a, b, c and d: the query words are never answers.")
    return words


def _not_from_section_5(a: str, b: str, c: str, d: str) -> None:
    if any({a, b, c, d} == set(question) for question in SECTION_5_QUESTIONS):
        raise NotYet(f"{a} : {b} :: {c} : {d} is one of section 5's questions: find one of your own.")


def _plausible(a: str, b: str, c: str, d: str) -> None:
    """Raise NotYet unless (a, b) and (c, d) are pairs of one section of the Google analogy test set
    (both in the order the test set writes them, or both reversed)."""
    pairs = analogy_test_set_pairs()
    for first, second in (((a, b), (c, d)), ((b, a), (d, c))):
        if pairs.get(first, frozenset()) & pairs.get(second, frozenset()):
            return
    missing = [f"{x} : {y}" for x, y in ((a, b), (c, d)) if (x, y) not in pairs and (y, x) not in pairs]
    detail = (
        f"{' and '.join(repr(m) for m in missing)} is not a pair there"
        if missing
        else "the two pairs come from different relations"
    )
    raise NotYet(
        f"Take both pairs from one relation of the Google analogy test set, so that {d!r} is an answer "
        f"people wrote down for it ({detail})."
    )


@exercise(
    "01.1",
    "an analogy the arithmetic solves",
    "take two pairs of one section of the Google analogy test set (gensim's "
    "datapath('questions-words.txt'): capitals, currencies, plurals, tenses…), test them with "
    "kv.most_similar(positive=[b, c], negative=[a]), then look at the top 5 neighbours of b and of c "
    "alone and try the reverse question b : a :: d : ?.",
)
def check_analogy(answer) -> None:
    kv = _glove()
    a, b, c, d = _words(answer, "a tuple of four words (a, b, c, d)")
    _not_from_section_5(a, b, c, d)
    top = _three_cos_add(kv, a, b, c)
    if top != d:
        raise NotYet(
            f"For {a} : {b} :: {c} : ? the vectors answer {top!r}, not {d!r}. Choose an analogy "
            "the vectors get right."
        )
    for alone, baseline, excluded in ((b, "b only", {a, c}), (c, "c only", {a, b})):
        rank = _neighbour_rank(kv, alone, d, excluded)
        if rank is not None:
            raise NotYet(
                f"{d!r} is already neighbour #{rank} of {alone!r} on its own: the {baseline!r} "
                "baseline finds it without any arithmetic. Pick an analogy where the offset matters."
            )
    back = _three_cos_add(kv, b, a, d)
    if back != c:
        raise NotYet(
            f"The reverse question {b} : {a} :: {d} : ? gives {back!r}, not {c!r}: in these vectors "
            "the two pairs do not share one relation."
        )
    _plausible(a, b, c, d)


@exercise(
    "01.2",
    "a similarity matrix",
    "stack the six vectors into a (6, d) tensor, normalise each row to length 1, and multiply the "
    "result by its transpose.",
)
def check_similarity_matrix(answer) -> None:
    import torch

    kv = _glove()
    expect_type(answer, (torch.Tensor, np.ndarray), "a torch.Tensor (or a NumPy array)")
    expect_shape(answer, (len(MATRIX_WORDS), len(MATRIX_WORDS)))
    got = torch.as_tensor(
        np.asarray(answer.detach().cpu() if isinstance(answer, torch.Tensor) else answer, dtype=np.float64)
    )
    expected = torch.tensor(
        [[float(kv.similarity(u, v)) for v in MATRIX_WORDS] for u in MATRIX_WORDS], dtype=torch.float64
    )
    if not torch.allclose(got.diagonal(), torch.ones(len(MATRIX_WORDS), dtype=torch.float64), atol=1e-4):
        raise NotYet(
            "The diagonal should be 1: every word is perfectly similar to itself. Did you normalise the rows?"
        )
    if not torch.allclose(got, expected, atol=1e-4):
        raise NotYet(
            f"Some entries differ from the cosine similarities of {MATRIX_WORDS} in that order "
            "(in GloVe 6B 50-d, the model the check uses)."
        )


@exercise(
    "01.3",
    "the odd one out",
    "kv.doesnt_match(words) returns the word whose unit vector is least similar to the mean of the "
    "unit vectors; write your prediction down first, then run it.",
    answer=lambda: _glove().doesnt_match(ODD_ONE_OUT),
)
def check_odd_one_out(answer) -> None:
    expect_type(answer, str, "one word (a string)")
    answer = answer.strip().lower()
    if answer not in ODD_ONE_OUT:
        raise NotYet(f"The answer should be one of {ODD_ONE_OUT}.")
    if answer != _glove().doesnt_match(ODD_ONE_OUT):
        raise NotYet(
            "That is not the word the vectors find least similar to the others: run "
            "kv.doesnt_match and compare with your prediction."
        )


@exercise(
    "01.4",
    "an analogy the vectors get wrong",
    "read one section of gensim's datapath('questions-words.txt') (family, currency, gram2-opposite…), "
    "take two of its pairs and ask kv.most_similar(positive=[b, c], negative=[a], topn=1).",
)
def check_failed_analogy(answer) -> None:
    kv = _glove()
    a, b, c, d = _words(answer, "a tuple of four words (a, b, c, d)")
    _not_from_section_5(a, b, c, d)
    _plausible(a, b, c, d)
    top = _three_cos_add(kv, a, b, c)
    if top == d:
        raise NotYet(f"The vectors get {a} : {b} :: {c} : {d} right: find one they get wrong.")


multiple_choice(
    "01.5",
    "why brother : sister :: nephew : ? fails",
    "look at section 5's evidence for this question: the rank of niece, the place of daughter among the "
    "neighbours of sister, and what 3CosMul answers.",
    {
        "a": (
            True,
            "daughter is the 2nd neighbour of sister alone, and 3CosAdd's +cos(w, b) term rewards "
            "closeness to b; niece still ranks 2nd, so the offset nearly works and the neighbourhood "
            "of b tips the balance.",
        ),
        "b": (
            False,
            "a wrong top answer does not mean the relation is missing: niece ranks 2nd, right behind "
            "daughter, so the male → female offset points close to it.",
        ),
        "c": (False, "niece is in the vocabulary: section 5 prints its rank (2nd) among the answers."),
        "d": (
            False,
            "section 5's 3CosMul column answers daughter too: damping one large similarity does not "
            "repair this question in these vectors.",
        ),
    },
)

reflection(
    "01.6",
    "your failure, explained with its evidence",
    "A good explanation names the wrong answer, the rank of the expected word and where the wrong answer comes "
    "from, each checked with kv.most_similar. Example: for athens : greece :: canberra : ? the vectors answer "
    "zealand and australia ranks 3rd. zealand is no close query-word neighbour (not in "
    "greece's top 100, 27th of canberra's); it is the nearest neighbour of australia itself (New Zealand is split into two "
    "words). The offset lands in the right region, where two countries that share contexts are hard to tell "
    "apart.",
)
