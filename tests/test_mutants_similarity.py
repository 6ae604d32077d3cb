"""Tests that kill surviving mutants of utils/similarity.py.

Found by ``python tools/mutation_test.py utils/similarity.py`` (docs/authoring.md, "Mutation testing").
References: gensim's ``KeyedVectors.most_similar`` (the same 3CosAdd) on a small hand-made vocabulary.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors

from utils.similarity import _tensor, analogy, cosine_similarity
from utils.word_vectors import UnknownWordError

WORDS = ["king", "man", "woman", "queen", "prince", "apple", "car", "tree", "river", "stone", "cloud", "bread",
         "salt", "ship", "bird", "lamp"]


def small_vectors() -> KeyedVectors:
    kv = KeyedVectors(vector_size=4)
    kv.add_vectors(WORDS, np.random.default_rng(0).standard_normal((len(WORDS), 4)).astype(np.float32))
    return kv


def test_default_topn_is_gensims() -> None:
    # Survivor: the default `topn=10` -> 11. gensim's most_similar, which analogy() writes out, returns 10.
    kv = small_vectors()
    assert inspect.signature(KeyedVectors.most_similar).parameters["topn"].default == 10
    assert len(analogy(kv, "man", "king", "woman")) == 10  # 16 words, 3 of them the query: 13 candidates
    assert len(analogy(kv, "man", "king", "woman")) == len(kv.most_similar(positive=["king", "woman"],
                                                                            negative=["man"]))


def test_a_query_word_just_past_restrict_vocab() -> None:
    # Survivor: `if index < size` -> `<=`: a query word at index == restrict_vocab fell off the scores.
    kv = small_vectors()
    restrict = WORDS.index("queen")  # 3: "queen" is the first word outside the restricted vocabulary
    ours = analogy(kv, "man", "queen", "woman", topn=2, restrict_vocab=restrict)
    theirs = kv.most_similar(positive=["queen", "woman"], negative=["man"], topn=2, restrict_vocab=restrict)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-5)


def test_an_unknown_word_in_plain_gensim_vectors_is_named() -> None:
    # Survivor (no test ran the line): the message for a plain KeyedVectors, not the course's subclass.
    with pytest.raises(UnknownWordError, match=r"'zebra' is not in the vocabulary of these 16 words"):
        analogy(small_vectors(), "man", "king", "zebra")


def test_cosine_similarity_of_tensors_keeps_the_gradient() -> None:
    # Survivor: `if isinstance(x, torch.Tensor)` -> `if False` (tensors went through NumPy, which refuses a
    # tensor that requires grad).
    u = torch.tensor([1.0, 0.0], requires_grad=True)
    similarity = cosine_similarity(u, torch.tensor([1.0, 1.0]))
    assert float(similarity.detach()) == pytest.approx(2 ** -0.5)
    similarity.backward()
    # d/du (u·v / |u||v|) at u = (1, 0), v = (1, 1): (v/|v| - cos · u/|u|) / |u| = (0, 1/√2)
    assert u.grad.tolist() == pytest.approx([0.0, 2 ** -0.5])


def test_writable_arrays_are_shared_and_read_only_ones_copied() -> None:
    # Survivor: `array if array.flags.writeable else array.copy()` -> always a copy (the docstring promises
    # that gensim's rows are scored without a copy).
    writable = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert np.shares_memory(_tensor(writable).numpy(), writable)
    read_only = writable.copy()
    read_only.flags.writeable = False
    assert not np.shares_memory(_tensor(read_only).numpy(), read_only)
    assert _tensor(read_only).tolist() == read_only.tolist()


def test_bad_arguments_suggest_the_usual_values() -> None:
    # Survivors: `example=10` -> 11 and `example=30000` -> 30001 in the argument checks. The suggestions are
    # gensim's default topn and the restrict_vocab the course's analogy evaluation uses.
    from utils.analogy_eval import evaluate_analogies

    kv = small_vectors()
    with pytest.raises(ValueError, match=r"such as topn=10\.$"):
        analogy(kv, "man", "king", "woman", topn=0)
    usual = inspect.signature(evaluate_analogies).parameters["restrict_vocab"].default
    with pytest.raises(ValueError, match=rf"such as restrict_vocab={usual}\.$"):
        analogy(kv, "man", "king", "woman", restrict_vocab=0)
