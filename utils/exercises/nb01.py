"""Exercise checks for notebook 01 (word vectors and analogies). Checks use GloVe 6B 50-d (the default)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import NotYet, exercise, expect_shape, expect_type

MATRIX_WORDS = ["cat", "dog", "car", "truck", "apple", "banana"]
ODD_ONE_OUT = ["breakfast", "cereal", "dinner", "lunch"]
MIN_EXPLANATION_WORDS = 15


@lru_cache(maxsize=1)
def _glove():
    from ..word_vectors import load_word_vectors

    return load_word_vectors()


def _three_cos_add(kv, a: str, b: str, c: str) -> str:
    """The top 3CosAdd answer to "a is to b as c is to ?" (query words excluded), as gensim gives it."""
    return kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]


def _nearest_other(kv, word: str, excluded: set[str]) -> str:
    """The nearest neighbour of ``word`` alone, leaving out the words in ``excluded``."""
    return next(w for w, _ in kv.most_similar(word, topn=len(excluded) + 2) if w not in excluded)


def _words(answer, count: int, what: str) -> list[str]:
    expect_type(answer, (tuple, list), what)
    if len(answer) != count or not all(isinstance(word, str) for word in answer[:4]):
        raise NotYet(f"Expected {what}, got {len(answer)} items.")
    kv = _glove()
    words = [word.strip() for word in answer[:4]]
    unknown = [word for word in words if word not in kv.key_to_index]
    if unknown:
        raise NotYet(f"Not in the GloVe 6B vocabulary (lower-case words only): {unknown}.")
    if len(set(words)) < 4:
        raise NotYet("Choose four different words a, b, c and d: the query words are never answers.")
    return words


@exercise("01.1", "an analogy the arithmetic solves",
          "start from a relation you know (country → capital, verb → past tense, singular → plural…), take "
          "two pairs of it, and test them with kv.most_similar(positive=[b, c], negative=[a]); try the "
          "reverse question b : a :: d : ? and the neighbours of b and c too.")
def check_analogy(answer) -> None:
    kv = _glove()
    a, b, c, d = _words(answer, 4, "a tuple of four words (a, b, c, d)")
    top = _three_cos_add(kv, a, b, c)
    if top != d:
        raise NotYet(f"For {a} : {b} :: {c} : ? the vectors answer {top!r}, not {d!r}. Choose an analogy "
                     "the vectors get right.")
    for alone in (b, c):
        if _nearest_other(kv, alone, {a, b, c} - {alone}) == d:
            raise NotYet(f"{d!r} is already the nearest neighbour of {alone!r} on its own: the arithmetic "
                         "does no work there (the 'b only' baseline solves it). Pick an analogy where the "
                         "offset matters.")
    back = _three_cos_add(kv, b, a, d)
    if back != c:
        raise NotYet(f"The reverse question {b} : {a} :: {d} : ? gives {back!r}, not {c!r}: in these vectors "
                     "the two pairs do not share one relation (almost any three words have *some* top "
                     "answer; a real relation also works backwards).")


@exercise("01.2", "a similarity matrix",
          "stack the six vectors into a (6, d) tensor, normalise each row to length 1, and multiply the "
          "result by its transpose.")
def check_similarity_matrix(answer) -> None:
    import torch

    kv = _glove()
    expect_type(answer, (torch.Tensor, np.ndarray), "a torch.Tensor (or a NumPy array)")
    expect_shape(answer, (len(MATRIX_WORDS), len(MATRIX_WORDS)))
    got = torch.as_tensor(np.asarray(answer.detach().cpu() if isinstance(answer, torch.Tensor) else answer,
                                     dtype=np.float64))
    expected = torch.tensor([[float(kv.similarity(u, v)) for v in MATRIX_WORDS] for u in MATRIX_WORDS],
                            dtype=torch.float64)
    if not torch.allclose(got.diagonal(), torch.ones(len(MATRIX_WORDS), dtype=torch.float64), atol=1e-4):
        raise NotYet("The diagonal should be 1: every word is perfectly similar to itself. Did you normalise "
                     "the rows?")
    if not torch.allclose(got, expected, atol=1e-4):
        raise NotYet(f"Some entries differ from the cosine similarities of {MATRIX_WORDS} in that order "
                     "(in GloVe 6B 50-d, the model the check uses).")


@exercise("01.3", "the odd one out",
          "kv.doesnt_match(words) returns the word whose unit vector is least similar to the mean of the "
          "unit vectors; write your prediction down first, then run it.")
def check_odd_one_out(answer) -> None:
    expect_type(answer, str, "one word (a string)")
    if answer not in ODD_ONE_OUT:
        raise NotYet(f"The answer should be one of {ODD_ONE_OUT}.")
    if answer != _glove().doesnt_match(ODD_ONE_OUT):
        raise NotYet("That is not the word the vectors find least similar to the others: run "
                     "kv.doesnt_match and compare with your prediction.")


@exercise("01.4", "an analogy the vectors get wrong, explained",
          "compute the answer, the rank of the word you expected, and the neighbours of b and c "
          "(kv.most_similar(b)); then say in your own words which of them the answer came from.")
def check_failed_analogy(answer) -> None:
    """A qualitative check: a real failure, and an explanation that uses the evidence."""
    kv = _glove()
    what = "a tuple (a, b, c, d, explanation): four words and a sentence or two"
    a, b, c, d = _words(answer, 5, what)
    explanation = answer[4]
    expect_type(explanation, str, "an explanation (a string) as the fifth item")
    top = _three_cos_add(kv, a, b, c)
    if top == d:
        raise NotYet(f"The vectors get {a} : {b} :: {c} : {d} right: find one they get wrong.")
    words = explanation.lower().replace("'", " ").replace('"', " ").split()
    if len(words) < MIN_EXPLANATION_WORDS:
        raise NotYet(f"Explain the failure in at least {MIN_EXPLANATION_WORDS} words (you wrote {len(words)}).")
    cleaned = {word.strip(".,;:!?()[]*`") for word in words}
    if top not in cleaned:
        raise NotYet(f"Your explanation should name the word the vectors actually answer ({top!r}) and say "
                     "where it comes from.")
    if not ({b, c} & cleaned) or not any(word.startswith(("neighbo", "rank", "close", "similar"))
                                         for word in cleaned):
        raise NotYet(f"Support the explanation with the evidence: the neighbours of {b!r} or {c!r}, or the "
                     f"rank of {d!r}.")
