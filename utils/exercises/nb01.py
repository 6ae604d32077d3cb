"""Exercise checks for notebook 01 (word vectors and analogies). Checks use GloVe 6B 50-d."""

from __future__ import annotations

from functools import lru_cache

from utils.exercises import NotYet, exercise, expect_shape, expect_type

MATRIX_WORDS = ["cat", "dog", "car", "truck", "apple", "banana"]
ODD_ONE_OUT = ["breakfast", "cereal", "dinner", "lunch"]


@lru_cache(maxsize=1)
def _glove():
    from utils.word_vectors import load_word_vectors

    return load_word_vectors()


@exercise("01.1", "an analogy of your choice",
          "pick a, b, c, call kv.most_similar(positive=[b, c], negative=[a], topn=1) and keep its word as d.")
def check_analogy(answer) -> None:
    kv = _glove()
    expect_type(answer, (tuple, list), "a tuple of four words (a, b, c, d)")
    if len(answer) != 4 or not all(isinstance(word, str) for word in answer):
        raise NotYet(f"Expected four words (a, b, c, d), got {len(answer)} items.")
    a, b, c, d = answer
    unknown = [word for word in answer if word not in kv.key_to_index]
    if unknown:
        raise NotYet(f"Not in the (lower-case) GloVe vocabulary: {unknown}.")
    if len({a, b, c}) < 3:
        raise NotYet("Choose three different words a, b and c.")
    best = kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]
    if d in (a, b, c):
        raise NotYet("d must not be one of the query words: they are excluded from the answers.")
    if d != best:
        raise NotYet(f"{d!r} is not the word closest to {b} − {a} + {c}: compute it rather than guess.")


@exercise("01.2", "a similarity matrix",
          "stack the six vectors into a (6, 50) tensor, normalise each row, and multiply by its transpose.")
def check_similarity_matrix(answer) -> None:
    import torch

    kv = _glove()
    expect_type(answer, torch.Tensor, "a torch.Tensor")
    expect_shape(answer, (len(MATRIX_WORDS), len(MATRIX_WORDS)))
    expected = torch.tensor([[float(kv.similarity(u, v)) for v in MATRIX_WORDS] for u in MATRIX_WORDS])
    if not torch.allclose(answer.detach().double().diagonal(), torch.ones(len(MATRIX_WORDS), dtype=torch.float64),
                          atol=1e-4):
        raise NotYet("The diagonal should be 1: every word is perfectly similar to itself. Did you normalise?")
    if not torch.allclose(answer.detach().float(), expected, atol=1e-4):
        raise NotYet(f"Some entries differ from the cosine similarities of {MATRIX_WORDS} in that order.")


@exercise("01.3", "the odd one out",
          "kv.doesnt_match(words) returns the word least similar to the mean of the others' unit vectors.")
def check_odd_one_out(answer) -> None:
    expect_type(answer, str, "one word (a string)")
    if answer not in ODD_ONE_OUT:
        raise NotYet(f"The answer should be one of {ODD_ONE_OUT}.")
    if answer != _glove().doesnt_match(ODD_ONE_OUT):
        raise NotYet("That is not the word the vectors find least similar to the others.")
