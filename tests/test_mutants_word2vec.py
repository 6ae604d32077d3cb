"""Tests that kill surviving mutants of utils/word2vec.py.

Found by ``python tools/mutation_test.py utils/word2vec.py --sample 50`` (docs/authoring.md, "Mutation
testing"). Reference values: the word2vec/gensim conventions, boundaries of the documented ranges, and
wall-clock time measured around the call.
"""

from __future__ import annotations

import inspect
import time

import pytest
import torch
from gensim.models import Word2Vec

from utils.word2vec import (
    SkipGramModel,
    build_vocabulary,
    encode_corpus,
    nearest_words,
    sample_negatives,
    train_skipgram,
)


def test_ties_are_ordered_alphabetically_not_by_first_occurrence() -> None:
    # Survivor: the sort key `(-count, word)` -> `(-count, count)` (ties kept in first-occurrence order).
    vocabulary = build_vocabulary([["z", "y", "x", "z", "y", "x", "w"]], min_count=2)
    assert vocabulary.words == ["x", "y", "z"]


def test_one_negative_per_pair_is_allowed() -> None:
    # Survivor: `if k < 1` -> `if k <= 1`.
    negatives = sample_negatives(torch.tensor([0.5, 0.5]), num_pairs=3, k=1,
                                 generator=torch.Generator().manual_seed(0))
    assert negatives.shape == (3, 1)
    with pytest.raises(ValueError, match="must be >= 1"):
        sample_negatives(torch.tensor([0.5, 0.5]), num_pairs=3, k=0)


@pytest.mark.parametrize(("vocab_size", "dim"), [(0, 4), (4, 0), (-1, 4)])
def test_an_empty_model_is_refused(vocab_size: int, dim: int) -> None:
    # Survivor: `if vocab_size < 1 or dim < 1` -> `if False`.
    with pytest.raises(ValueError, match="vocab_size and dim must be >= 1"):
        SkipGramModel(vocab_size, dim)


def test_one_dimensional_vectors_are_allowed() -> None:
    # Survivor: `dim < 1` -> `dim < 2`.
    model = SkipGramModel(3, 1)
    assert model.input_embeddings.weight.shape == (3, 1)


def test_training_defaults_are_word2vecs() -> None:
    # Survivor: the default `epochs=5` -> 6. gensim's Word2Vec (word2vec.c's defaults) is the reference.
    ours = inspect.signature(train_skipgram).parameters
    gensim = inspect.signature(Word2Vec).parameters
    for name, theirs in [("epochs", "epochs"), ("window", "window"), ("negatives", "negative"),
                         ("sample", "sample")]:
        assert ours[name].default == gensim[theirs].default, name


def tiny_corpus():
    sentences = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "rug"]] * 4
    vocabulary = build_vocabulary(sentences, min_count=1)
    return vocabulary, encode_corpus(sentences, vocabulary)


def test_training_time_is_the_time_it_took() -> None:
    # Survivor: `time.perf_counter() - start` -> `+ start`.
    vocabulary, corpus = tiny_corpus()
    model = SkipGramModel(len(vocabulary), 4, generator=torch.Generator().manual_seed(0))
    before = time.perf_counter()
    result = train_skipgram(model, corpus, vocabulary.counts, epochs=1, window=2, sample=0, progress=False)
    elapsed = time.perf_counter() - before
    assert 0 <= result.seconds <= elapsed


def test_one_nearest_word_is_allowed() -> None:
    # Survivor: `topn < 1` -> `topn <= 1`.
    vocabulary, _ = tiny_corpus()
    vectors = torch.eye(len(vocabulary))
    vectors[vocabulary.id_of("dog")] = vectors[vocabulary.id_of("cat")] + 0.1 * vectors[vocabulary.id_of("rug")]
    neighbours = nearest_words(vectors, vocabulary, "cat", topn=1)
    assert [word for word, _ in neighbours] == ["dog"]
    with pytest.raises(ValueError, match="topn must be a positive whole number"):
        nearest_words(vectors, vocabulary, "cat", topn=0)


def test_tables_are_dense_by_default_like_nn_embedding() -> None:
    # Survivor: the default `sparse: bool = False` -> True in SkipGramModel.
    model = SkipGramModel(3, 2)
    assert model.input_embeddings.sparse is torch.nn.Embedding(3, 2).sparse is False
    assert model.output_embeddings.sparse is False


def test_an_empty_corpus_and_a_one_token_corpus_get_their_own_messages() -> None:
    # Survivors: `if sum(len(s) for s in corpus) == 0` -> `if False` and `== 1`.
    model = SkipGramModel(2, 2)
    with pytest.raises(ValueError, match="The encoded corpus is empty"):
        train_skipgram(model, [torch.tensor([], dtype=torch.long)], [1, 1], progress=False)
    with pytest.raises(ValueError, match="No sentence has two in-vocabulary tokens"):
        train_skipgram(model, [torch.tensor([0])], [1, 1], progress=False)


def test_a_vocabulary_is_immutable() -> None:
    # Survivor: `@dataclass(frozen=True)` -> frozen=False on Vocabulary.
    import dataclasses

    vocabulary, _ = tiny_corpus()
    with pytest.raises(dataclasses.FrozenInstanceError):
        vocabulary.words = []


def test_sample_one_is_outside_the_range() -> None:
    # Survivor: `0 <= sample < 1` -> `<= 1` (word2vec's sample is a small threshold, [0, 1) documented).
    from utils.word2vec_data import keep_probabilities

    with pytest.raises(ValueError, match=r"sample must be in \[0, 1\)"):
        keep_probabilities([3, 1], sample=1)
    assert keep_probabilities([3, 1], sample=0).tolist() == [1.0, 1.0]


def test_noise_allows_zero_counts_and_a_total_of_one() -> None:
    # Survivors: `counts < 0` -> `counts < 1` and `counts.sum() <= 0` -> `<= 1`.
    from utils.word2vec_data import noise_distribution

    assert noise_distribution([0, 1]).tolist() == [0.0, 1.0]
    assert noise_distribution([0, 16]).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="not all zero"):
        noise_distribution([0, 0])


@pytest.mark.parametrize(("epochs", "batch_size"), [(0, 8), (1, 0), (0, 0)])
def test_zero_epochs_or_batch_size_are_refused(epochs: int, batch_size: int) -> None:
    # Survivors: `if epochs < 1 or batch_size < 1` -> `if False` / `and`.
    vocabulary, corpus = tiny_corpus()
    with pytest.raises(ValueError, match="epochs and batch_size must be >= 1"):
        train_skipgram(SkipGramModel(len(vocabulary), 2), corpus, vocabulary.counts, epochs=epochs,
                       batch_size=batch_size, progress=False)


def test_a_batch_of_one_pair_is_allowed() -> None:
    # Survivors: `batch_size < 1` -> `<= 1` / `< 2`.
    vocabulary, corpus = tiny_corpus()
    result = train_skipgram(SkipGramModel(len(vocabulary), 2), corpus[:1], vocabulary.counts, epochs=1,
                            window=1, sample=0, batch_size=1, progress=False)
    assert len(result.step_losses) == result.pairs_per_epoch[0]


def test_a_model_exports_its_input_vectors() -> None:
    # Survivor: `if isinstance(model, SkipGramModel)` -> `if False` (only tensors were exported in tests).
    from utils.word2vec import to_keyed_vectors

    vocabulary, _ = tiny_corpus()
    model = SkipGramModel(len(vocabulary), 3, generator=torch.Generator().manual_seed(0))
    kv = to_keyed_vectors(model, vocabulary)
    assert kv.vectors.tolist() == model.input_embeddings.weight.detach().tolist()
