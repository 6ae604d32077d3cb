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

WORDS = [
    "king",
    "man",
    "woman",
    "queen",
    "prince",
    "apple",
    "car",
    "tree",
    "river",
    "stone",
    "cloud",
    "bread",
    "salt",
    "ship",
    "bird",
    "lamp",
]


def small_vectors() -> KeyedVectors:
    kv = KeyedVectors(vector_size=4)
    kv.add_vectors(WORDS, np.random.default_rng(0).standard_normal((len(WORDS), 4)).astype(np.float32))
    return kv


def test_default_topn_is_gensims() -> None:
    # Survivor: the default `topn=10` -> 11. gensim's most_similar, which analogy() writes out, returns 10.
    kv = small_vectors()
    assert inspect.signature(KeyedVectors.most_similar).parameters["topn"].default == 10
    assert len(analogy(kv, "man", "king", "woman")) == 10  # 16 words, 3 of them the query: 13 candidates
    assert len(analogy(kv, "man", "king", "woman")) == len(
        kv.most_similar(positive=["king", "woman"], negative=["man"])
    )


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
    assert float(similarity.detach()) == pytest.approx(2**-0.5)
    similarity.backward()
    # d/du (u·v / |u||v|) at u = (1, 0), v = (1, 1): (v/|v| - cos · u/|u|) / |u| = (0, 1/√2)
    assert u.grad.tolist() == pytest.approx([0.0, 2**-0.5])


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


# analogy_evidence, analogy_table, format_rank and analogy_answers (notebook 01, sections 5 and 10), against
# gensim's most_similar / most_similar_cosmul on the small vocabulary.


def test_analogy_evidence_matches_gensims_rankings() -> None:
    from utils.similarity import analogy_evidence

    kv = small_vectors()
    e = analogy_evidence(kv, "man", "king", "woman", "queen", topn=12)
    add = [w for w, _ in kv.most_similar(positive=["king", "woman"], negative=["man"], topn=12)]
    mul = [w for w, _ in kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=12)]
    near_b = [w for w, _ in kv.most_similar("king", topn=14) if w not in ("man", "woman")][:12]
    near_c = [w for w, _ in kv.most_similar("woman", topn=14) if w not in ("man", "king")][:12]
    assert e.answer == add[0] and e.cosmul_answer == mul[0]
    assert e.rank == add.index("queen") + 1 and e.cosmul_rank == mul.index("queen") + 1
    assert e.rank_b_only == near_b.index("queen") + 1 and e.rank_c_only == near_c.index("queen") + 1
    assert e.answer_near_b == near_b.index(add[0]) + 1 and e.answer_near_c == near_c.index(add[0]) + 1
    assert e.solved == (add[0] == "queen") and e.question == "man : king :: woman : queen" and e.topn == 12


def test_analogy_evidence_beyond_topn_is_none_and_shown_as_more_than_topn() -> None:
    from utils.similarity import analogy_evidence, analogy_table, format_rank

    kv = small_vectors()
    e = analogy_evidence(kv, "man", "king", "woman", "queen", topn=1)
    ranks = (e.rank, e.rank_b_only, e.rank_c_only, e.cosmul_rank)
    assert all(rank in (None, 1) for rank in ranks)
    assert format_rank(None) == ">100" and format_rank(None, 1) == ">1" and format_rank(7) == "7"
    table = analogy_table([e])
    assert table.splitlines()[0].split()[-2:] == ["c", "only"]
    assert (
        "man : king :: woman : queen" in table and ("✓" in table) == e.solved and ("✗" in table) != e.solved
    )


@pytest.mark.parametrize("bad", [("man", "king", "woman", "Queen"), ("Man", "king", "woman", "queen")])
def test_analogy_evidence_names_an_unknown_word(bad) -> None:
    from utils.similarity import analogy_evidence

    with pytest.raises(UnknownWordError):
        analogy_evidence(small_vectors(), *bad)


def test_analogy_evidence_rejects_a_bad_topn() -> None:
    from utils.similarity import analogy_evidence

    with pytest.raises(ValueError, match="topn"):
        analogy_evidence(small_vectors(), "man", "king", "woman", "queen", topn=0)


@pytest.mark.parametrize("restrict_vocab", [16, 8, 4])
def test_analogy_answers_match_gensim_for_both_rules(restrict_vocab) -> None:
    from utils.similarity import analogy_answers

    kv = small_vectors()
    rng = np.random.default_rng(1)
    questions = [tuple(WORDS[i] for i in rng.choice(len(WORDS), 3, replace=False)) for _ in range(20)]
    add = analogy_answers(kv, questions, "3cosadd", restrict_vocab=restrict_vocab, batch_size=3)
    mul = analogy_answers(kv, questions, "3cosmul", restrict_vocab=restrict_vocab, batch_size=7)
    for (a, b, c), got_add, got_mul in zip(questions, add, mul, strict=True):
        expected = kv.most_similar(positive=[b, c], negative=[a], topn=1, restrict_vocab=restrict_vocab)
        assert got_add == expected[0][0]
        scores = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=None)[:restrict_vocab].copy()
        scores[[kv.key_to_index[w] for w in (a, b, c) if kv.key_to_index[w] < restrict_vocab]] = -np.inf
        assert got_mul == kv.index_to_key[int(scores.argmax())]


@pytest.mark.parametrize("restrict_vocab", [16, 8, 4])
def test_only_b_answers_are_cs_nearest_neighbour_without_the_query_words(restrict_vocab) -> None:
    # Linzen's (2016) ONLY-B floor of notebook 01, section 8: c's nearest neighbour, a, b, c left out.
    from utils.similarity import analogy_answers

    kv = small_vectors()
    rng = np.random.default_rng(2)
    questions = [tuple(WORDS[i] for i in rng.choice(len(WORDS), 3, replace=False)) for _ in range(20)]
    got = analogy_answers(kv, questions, "only-b", restrict_vocab=restrict_vocab, batch_size=3)
    for (a, b, c), answer in zip(questions, got, strict=True):
        near_c = [
            w
            for w, _ in kv.most_similar(c, topn=restrict_vocab, restrict_vocab=restrict_vocab)
            if w not in (a, b, c)
        ]
        assert answer == near_c[0]


def test_analogy_answers_bad_input() -> None:
    from utils.similarity import analogy_answers

    kv = small_vectors()
    with pytest.raises(ValueError, match="rule"):
        analogy_answers(kv, [("man", "king", "woman")], "3cosavg")
    with pytest.raises(UnknownWordError):
        analogy_answers(kv, [("man", "king", "Woman")])
    with pytest.raises(ValueError, match="batch_size"):
        analogy_answers(kv, [("man", "king", "woman")], batch_size=0)
    assert analogy_answers(kv, []) == []


def test_evidence_defaults_and_messages_name_the_values_the_notebook_prints() -> None:
    # Survivors: topn's default 100 (the notebook prints ">100"), the 30,000 words of word2vec's
    # compute-accuracy, and the examples the argument errors suggest.
    from utils.similarity import analogy_answers, analogy_evidence

    assert inspect.signature(analogy_evidence).parameters["topn"].default == 100
    assert inspect.signature(analogy_answers).parameters["restrict_vocab"].default == 30000
    kv = small_vectors()
    assert analogy_evidence(kv, "man", "king", "woman", "queen").topn == 100
    with pytest.raises(ValueError, match="topn=100"):
        analogy_evidence(kv, "man", "king", "woman", "queen", topn=-1)
    with pytest.raises(ValueError, match="restrict_vocab=30000"):
        analogy_answers(kv, [("man", "king", "woman")], restrict_vocab=0)
    with pytest.raises(ValueError, match="batch_size=128"):
        analogy_answers(kv, [("man", "king", "woman")], batch_size=-2)


def test_analogy_table_columns_line_up() -> None:
    # Survivors: the column widths. The expected rows are written out by hand.
    from utils.similarity import AnalogyEvidence, analogy_table

    solved = AnalogyEvidence("france", "paris", "italy", "rome", "rome", 1, 8, None, 8, 6, "rome", 1)
    failed = AnalogyEvidence("big", "bigger", "small", "smaller", "larger", 2, 52, 3, 19, 2, "larger", 2)
    lines = analogy_table([solved, failed]).splitlines()
    assert lines[0] == "a : b :: c : d                        answer     rank b only c only"
    assert lines[1] == "france : paris :: italy : rome        rome          1      8   >100 ✓"
    assert lines[2] == "big : bigger :: small : smaller       larger        2     52      3 ✗"
