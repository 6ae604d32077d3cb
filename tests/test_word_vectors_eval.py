"""utils.word_vectors: hand-written cosine and analogy, and evaluate_analogies against gensim."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

import utils.analogy_eval as analogy_eval
from utils.similarity import analogy, cosine_similarity
from utils.word_vectors import UnknownWordError, evaluate_analogies, load_word_vectors

SECTIONS = ["capital-common-countries", "family", "gram2-opposite", "gram7-past-tense"]


@pytest.fixture(scope="module", autouse=True)
def quiet_gensim():
    logger = logging.getLogger("gensim")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def glove():
    return load_word_vectors()


@pytest.fixture(scope="module")
def questions(tmp_path_factory):
    """The first 60 questions of four Google sections, an empty section, and lines gensim skips."""
    chosen, current = [], None
    counts: dict[str, int] = {}
    for line in open(datapath("questions-words.txt"), encoding="utf-8"):
        if line.startswith(": "):
            current = line[2:].strip()
            if current in SECTIONS:
                chosen.append(line)
        elif current in SECTIONS and counts.get(current, 0) < 60:
            counts[current] = counts.get(current, 0) + 1
            chosen.append(line)
    chosen += [": empty-section\n", ": mixed\n", "Athens Greece Baghdad\n", "\n", "boy girl brother sister\n",
               "Boy GIRL Brother Sister\n", "boy boy girl girl\n", "zzzqx girl brother sister\n"]
    path = tmp_path_factory.mktemp("analogies") / "questions.txt"
    path.write_text("".join(chosen), encoding="utf-8")
    return str(path)


def assert_same_as_gensim(kv, questions, restrict_vocab, case_insensitive=True):
    ours = evaluate_analogies(kv, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                              questions=questions)
    score, sections = kv.evaluate_word_analogies(questions, restrict_vocab=restrict_vocab,
                                                 case_insensitive=case_insensitive)
    assert ours.accuracy == score
    assert [s.name for s in ours.sections] + ["Total accuracy"] == [s["section"] for s in sections]
    for mine, theirs in zip(ours.sections, sections, strict=False):
        assert list(mine.correct_questions) == theirs["correct"], mine.name
        assert list(mine.incorrect_questions) == theirs["incorrect"], mine.name
        assert (mine.correct, mine.total) == (len(theirs["correct"]), len(theirs["correct"] + theirs["incorrect"]))
    return ours


@pytest.mark.parametrize("restrict_vocab", [3000, 20000])
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_same_answers_as_gensim_on_glove(glove, questions, restrict_vocab, case_insensitive):
    result = assert_same_as_gensim(glove, questions, restrict_vocab, case_insensitive)
    assert 0 < result.correct < result.total  # a real mix of right and wrong answers was compared
    assert result.sections[SECTIONS.index("family")].total > 0


def test_counts_and_groups_add_up(glove, questions):
    result = evaluate_analogies(glove, restrict_vocab=20000, questions=questions)
    by_name = {s.name: s for s in result.sections}
    assert by_name["empty-section"].total == 0 and by_name["empty-section"].accuracy == 0.0
    # the invalid lines are skipped; the unknown word "zzzqx" makes one question out of vocabulary
    assert by_name["mixed"].total + by_name["mixed"].skipped == 4 and by_name["mixed"].skipped == 1
    assert result.total == sum(s.total for s in result.sections) and result.correct == sum(
        s.correct for s in result.sections)
    syntactic = [s for s in result.sections if s.syntactic]
    assert [s.name for s in syntactic] == ["gram2-opposite", "gram7-past-tense"]
    n_syn = sum(s.total for s in syntactic)
    mixed = (result.syntactic_accuracy * n_syn + result.semantic_accuracy * (result.total - n_syn)) / result.total
    assert mixed == pytest.approx(result.accuracy, abs=1e-12)


def test_case_variants_ties_and_small_blocks_match_gensim(glove, monkeypatch):
    """A vocabulary with case variants of query words (gensim reads only its top 5) and exact duplicates."""
    words = list(glove.index_to_key[:3000])
    vectors = [glove.vectors[:3000]]
    rng = np.random.default_rng(0)
    extra = {}
    for i, variant in enumerate(["King", "KING", "KIng", "kINg", "KinG", "kiNG"]):
        extra[variant] = glove["king"] + 0.01 * (i + 1) * rng.standard_normal(50, dtype=np.float32)
    extra["Paris"] = glove["paris"] + 0.05 * rng.standard_normal(50, dtype=np.float32)
    extra["queen2"] = glove["queen"]            # an exact tie with 'queen'
    extra["brother2"] = glove["brother"].copy()
    words += list(extra)
    vectors.append(np.stack(list(extra.values())))
    kv = KeyedVectors(vector_size=50, count=0, dtype=np.float32)
    kv.add_vectors(words, np.concatenate(vectors))
    path = datapath("questions-words.txt")
    monkeypatch.setattr(analogy_eval, "VOCAB_TILE", 1000)   # several vocabulary tiles, a short last one
    for case_insensitive in (True, False):
        result = assert_same_as_gensim(kv, path, None, case_insensitive)
        assert result.total > 500
    assert result.exact_reranks > 0            # the ties went through gensim's own ranking


def test_bad_arguments(glove, tmp_path):
    with pytest.raises(ValueError, match="restrict_vocab must be a positive integer"):
        evaluate_analogies(glove, restrict_vocab=0)
    headless = tmp_path / "headless.txt"
    headless.write_text("man king woman queen\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Missing section header"):
        evaluate_analogies(glove, questions=str(headless))


def test_cosine_similarity_equals_gensim(glove):
    pairs = [("woman", "man"), ("king", "queen"), ("paper", "water"), ("tower", "tower")]
    for a, b in pairs:
        ours = cosine_similarity(glove[a], glove[b])
        assert float(ours) == pytest.approx(float(glove.similarity(a, b)), abs=1e-6)
    batch = cosine_similarity(glove[["king", "man"]], torch.tensor(glove["queen"]))
    assert batch.shape == (2,) and batch[0] > batch[1]
    u = torch.tensor([1.0, 0.0])
    assert cosine_similarity(u, torch.tensor([0.0, 3.0])) == 0 and cosine_similarity(u, -2 * u) == -1


@pytest.mark.parametrize(("a", "b", "c", "restrict_vocab"),
                         [("man", "king", "woman", None), ("france", "paris", "italy", None),
                          ("good", "better", "bad", 20000)])
def test_analogy_by_hand_equals_most_similar(glove, a, b, c, restrict_vocab):
    ours = analogy(glove, a, b, c, topn=10, restrict_vocab=restrict_vocab)
    theirs = glove.most_similar(positive=[b, c], negative=[a], topn=10, restrict_vocab=restrict_vocab)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert not {a, b, c} & {w for w, _ in ours}


def test_unknown_word_is_a_clear_key_error(glove):
    with pytest.raises(KeyError) as info:
        analogy(glove, "man", "kingg", "woman")
    assert info.type is UnknownWordError
    assert "'kingg' is not in the vocabulary" in str(info.value) and "Did you mean" in str(info.value)
    with pytest.raises(UnknownWordError, match="lower-case"):
        analogy(glove, "man", "King", "woman")


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_zero_vectors_are_never_answers_as_in_gensim(glove):
    """gensim scores a zero vector NaN, so it never answers: the most frequent rows zeroed change nothing."""
    words = ["zero0", "zero1"] + list(glove.index_to_key[:4000])
    vectors = np.concatenate([np.zeros((2, 50), dtype=np.float32), glove.vectors[:4000]])
    kv = KeyedVectors(vector_size=50, count=0, dtype=np.float32)
    kv.add_vectors(words, vectors)
    result = assert_same_as_gensim(kv, datapath("questions-words.txt"), None, True)
    assert result.total > 300


def test_analogy_refuses_an_empty_vocabulary_or_topn():
    kv = KeyedVectors(vector_size=2, count=0, dtype=np.float32)
    kv.add_vectors(["a", "b", "c", "d"], np.array([[1, 0], [0, 1], [1, 1], [2, 1]], dtype=np.float32))
    with pytest.raises(ValueError, match="restrict_vocab"):
        analogy(kv, "a", "b", "c", restrict_vocab=0)
    with pytest.raises(ValueError, match="topn"):
        analogy(kv, "a", "b", "c", topn=0)
    assert [word for word, _ in analogy(kv, "a", "b", "c", restrict_vocab=4)] == ["d"]
