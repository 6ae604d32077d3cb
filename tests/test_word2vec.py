"""Tests of utils.word2vec: corpus, vocabulary, subsampling, skip-gram pairs, negatives, loss, training, export."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from utils.word2vec import (
    SkipGramModel,
    build_vocabulary,
    encode_corpus,
    keep_probabilities,
    nearest_words,
    noise_distribution,
    read_lee_corpus,
    sample_negatives,
    sgns_loss,
    skipgram_pairs,
    subsample,
    to_keyed_vectors,
    tokenize,
    train_skipgram,
    training_draws,
)
from utils.word_vectors import UnknownWordError

# Corpus and vocabulary -------------------------------------------------------------------------------


def test_tokenize_keeps_lower_case_letter_runs():
    assert tokenize("Australia's bushfires, 2001: 'Out of control'!") == [
        "australia", "s", "bushfires", "out", "of", "control"]


def test_lee_corpus_has_300_documents_of_news():
    documents = read_lee_corpus()
    assert len(documents) == 300
    assert 55_000 < sum(len(d) for d in documents) < 65_000
    assert all(token == token.lower() and token.isalpha() for d in documents for token in d)


def test_vocabulary_applies_min_count_and_orders_by_count_then_alphabet():
    sentences = [["b", "a", "c", "a"], ["b", "d", "a", "c"], ["e"]]
    vocabulary = build_vocabulary(sentences, min_count=2)
    # a: 3, b: 2, c: 2, d: 1, e: 1 -> d and e are dropped; b before c on the tie.
    assert vocabulary.words == ["a", "b", "c"]
    assert vocabulary.counts == [3, 2, 2]
    assert vocabulary.total == 7
    assert vocabulary.id_of("c") == 2
    assert "d" not in vocabulary
    assert encode_corpus(sentences, vocabulary)[1].tolist() == [1, 0, 2]  # b, (d dropped), a, c
    with pytest.raises(KeyError, match="min_count"):
        vocabulary.id_of("d")


@pytest.mark.parametrize(("sentences", "min_count", "error", "message"), [
    ([], 1, ValueError, "empty"),
    ([[], []], 1, ValueError, "empty"),
    ([["a", "b"]], 0, ValueError, "min_count must be an integer >= 1"),
    ([["a", "b"]], 3, ValueError, "lower min_count"),
    ("the cat sat", 1, TypeError, "list of token lists"),
    (["the cat", "a dog"], 1, TypeError, "list of token lists"),
])
def test_vocabulary_rejects_bad_input_clearly(sentences, min_count, error, message):
    with pytest.raises(error, match=message):
        build_vocabulary(sentences, min_count=min_count)


# Subsampling -----------------------------------------------------------------------------------------


def test_keep_probabilities_follow_the_word2vec_c_formula():
    counts = [1000, 100, 10, 1]
    t = 0.01
    threshold = t * sum(counts)  # 11.11
    expected = [min(1.0, (math.sqrt(f / threshold) + 1) * threshold / f) for f in counts]
    got = keep_probabilities(counts, sample=t)
    assert got.tolist() == pytest.approx(expected, rel=1e-12)
    # By hand: f = 1000 keeps (sqrt(1000 / 11.11) + 1) * 11.11 / 1000 = 0.11651...; rare words are always kept.
    assert got[0].item() == pytest.approx(0.116514, abs=1e-6)
    assert got[2:].tolist() == [1.0, 1.0]
    assert torch.equal(keep_probabilities(counts, sample=0), torch.ones(4, dtype=torch.float64))


@pytest.mark.parametrize(("counts", "sample"), [([], 1e-3), ([3, 0], 1e-3), ([3, 4], 1.5), ([3, 4], -0.1)])
def test_keep_probabilities_reject_bad_input(counts, sample):
    with pytest.raises(ValueError):
        keep_probabilities(counts, sample=sample)


def test_subsample_keeps_each_word_at_its_probability():
    keep = torch.tensor([0.2, 1.0, 0.0], dtype=torch.float64)
    ids = torch.tensor([0, 1, 2]).repeat(20_000)
    kept = subsample(ids, keep, torch.Generator().manual_seed(0))
    frequencies = torch.bincount(kept, minlength=3) / 20_000
    assert frequencies[0].item() == pytest.approx(0.2, abs=0.01)
    assert frequencies[1:].tolist() == [1.0, 0.0]


# Skip-gram pairs -------------------------------------------------------------------------------------


def test_pairs_of_a_five_word_sentence_with_window_two():
    sentence = torch.tensor([10, 11, 12, 13, 14])
    centres, contexts = skipgram_pairs(sentence, window=2)
    # Neighbours within 2 positions: 2 + 3 + 4 + 3 + 2 = 14 pairs.
    assert len(centres) == len(contexts) == 14
    pairs = list(zip(centres.tolist(), contexts.tolist(), strict=True))
    assert pairs[:5] == [(10, 11), (10, 12), (11, 10), (11, 12), (11, 13)]
    assert sorted(pairs) == sorted((a, b) for a in range(10, 15) for b in range(10, 15) if 0 < abs(a - b) <= 2)


def test_pair_counts_for_other_windows_and_sentence_boundaries():
    sentence = torch.arange(5)
    assert len(skipgram_pairs(sentence, window=1)[0]) == 8  # 1 + 2 + 2 + 2 + 1
    assert len(skipgram_pairs(sentence, window=10)[0]) == 20  # every ordered pair: 5 * 4
    # Two sentences, window 2: 3 words give 2 + 2 + 2 = 6, 2 words give 2; none crosses the boundary.
    centres, contexts = skipgram_pairs([torch.tensor([1, 2, 3]), torch.tensor([4, 5])], window=2)
    assert len(centres) == 8
    assert not any((c <= 3) != (x <= 3) for c, x in zip(centres.tolist(), contexts.tolist(), strict=True))
    assert len(skipgram_pairs([torch.tensor([7])], window=3)[0]) == 0


def test_random_window_shrinking_averages_window_plus_one_pairs_per_centre():
    n, window = 20_000, 5
    positions = torch.arange(n)  # IDs equal positions, so distances can be read off the pairs
    centres, contexts = skipgram_pairs(positions, window, torch.Generator().manual_seed(0))
    assert (centres - contexts).abs().max().item() <= window
    # Each centre draws b uniformly from 1..5 and takes 2b neighbours: (1 + 2 + 3 + 4 + 5) / 5 * 2 = 6.
    assert len(centres) / n == pytest.approx(window + 1, abs=0.05)
    # Nearer neighbours are used more often: distance d survives with probability (6 - d) / 5.
    distance_counts = torch.bincount((centres - contexts).abs(), minlength=window + 1)[1:]
    assert torch.all(distance_counts[:-1] > distance_counts[1:])


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_pairs_reject_a_bad_window(window):
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        skipgram_pairs(torch.arange(5), window=window)


def test_pairs_reject_a_two_dimensional_sentence():
    with pytest.raises(ValueError, match="1-D"):
        skipgram_pairs(torch.zeros(2, 3, dtype=torch.long), window=2)


# Negative sampling -----------------------------------------------------------------------------------


def test_negatives_follow_the_unigram_distribution_to_the_three_quarters():
    counts = [1, 10, 100, 1000]
    noise = noise_distribution(counts)
    weights = np.array(counts, dtype=float) ** 0.75
    assert noise.tolist() == pytest.approx((weights / weights.sum()).tolist(), rel=1e-12)
    negatives = sample_negatives(noise, num_pairs=50_000, k=5, generator=torch.Generator().manual_seed(0))
    assert negatives.shape == (50_000, 5)
    empirical = torch.bincount(negatives.flatten(), minlength=4) / negatives.numel()
    assert torch.allclose(empirical, noise.float(), atol=0.005)
    # Raising to 3/4 flattens the distribution: the rarest word is drawn more often than its raw share.
    assert empirical[0].item() > counts[0] / sum(counts) * 2


def test_negatives_are_reproducible_with_a_seed():
    noise = noise_distribution([5, 3, 2])
    first = sample_negatives(noise, 100, 3, torch.Generator().manual_seed(1))
    second = sample_negatives(noise, 100, 3, torch.Generator().manual_seed(1))
    assert torch.equal(first, second)


def test_negative_sampling_rejects_bad_input():
    with pytest.raises(ValueError):
        noise_distribution([0, 0])
    with pytest.raises(ValueError, match="k"):
        sample_negatives(noise_distribution([1, 2]), 10, 0)


# Model and loss --------------------------------------------------------------------------------------


def test_model_is_initialised_like_word2vec():
    model = SkipGramModel(100, 20, generator=torch.Generator().manual_seed(0))
    weights = model.input_embeddings.weight
    assert weights.abs().max().item() <= 0.5 / 20
    assert weights.std().item() > 0.005  # uniform on [-0.025, 0.025) has std 0.0144
    assert torch.equal(model.output_embeddings.weight, torch.zeros(100, 20))


def test_loss_matches_the_formula_and_is_stable():
    generator = torch.Generator().manual_seed(0)
    u, v, v_negative = torch.randn(4, 3, generator=generator), torch.randn(4, 3, generator=generator), \
        torch.randn(4, 2, 3, generator=generator)
    naive = -torch.log(torch.sigmoid((u * v).sum(1)))
    for n in range(2):
        naive -= torch.log(torch.sigmoid(-(u * v_negative[:, n]).sum(1)))
    assert torch.allclose(sgns_loss(u, v, v_negative), naive, atol=1e-6)
    # All-zero vectors: sigma(0) = 1/2 for the positive and each of k negatives, so the loss is (1 + k) log 2.
    zero = sgns_loss(torch.zeros(1, 3), torch.zeros(1, 3), torch.zeros(1, 5, 3))
    assert zero.item() == pytest.approx(6 * math.log(2))
    # u.v = -200: log(sigmoid(-200)) underflows to -inf, logsigmoid gives the exact 200.
    far = sgns_loss(torch.full((1, 2), 10.0), torch.full((1, 2), -10.0), torch.zeros(1, 1, 2))
    assert far.item() == pytest.approx(200 + math.log(2))


def _tiny_corpus():
    text = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"] * 20
    sentences = [tokenize(line) for line in text]
    vocabulary = build_vocabulary(sentences, min_count=1)
    return vocabulary, encode_corpus(sentences, vocabulary)


@pytest.mark.parametrize("sparse", [False, True])
def test_training_decreases_the_loss_on_a_tiny_corpus(sparse):
    torch.manual_seed(0)
    vocabulary, corpus = _tiny_corpus()
    model = SkipGramModel(len(vocabulary), 8, sparse=sparse, generator=torch.Generator().manual_seed(0))
    result = train_skipgram(model, corpus, vocabulary.counts, epochs=15, window=2, negatives=3, sample=0,
                            batch_size=32, lr=0.05, progress=False)
    assert len(result.epoch_losses) == 15
    assert len(result.step_losses) == sum(math.ceil(p / 32) for p in result.pairs_per_epoch)
    # Output vectors start at zero, so every score is 0 and each term is log 2: the first loss is (1 + 3) log 2,
    # less the negatives skipped because they equal the context word (7 words: a few per batch).
    assert 3.5 * math.log(2) < result.step_losses[0] <= 4 * math.log(2)
    assert result.epoch_losses[-1] < 0.7 * result.step_losses[0]
    assert result.epoch_losses[-1] < result.epoch_losses[0]


def test_training_is_deterministic_for_a_seed():
    vocabulary, corpus = _tiny_corpus()
    runs = []
    for _ in range(2):
        model = SkipGramModel(len(vocabulary), 8, generator=torch.Generator().manual_seed(3))
        result = train_skipgram(model, corpus, vocabulary.counts, epochs=2, window=2, batch_size=16,
                                seed=5, progress=False)
        runs.append((result.step_losses, model.input_embeddings.weight.detach().clone()))
    assert runs[0][0] == runs[1][0]
    assert torch.equal(runs[0][1], runs[1][1])


class _RecordingModel(SkipGramModel):
    """A SkipGramModel that records every batch it is trained on."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches = []

    def forward(self, centres, contexts, negatives, skip_true_context=True):
        self.batches.append((centres.clone(), contexts.clone(), negatives.clone()))
        return super().forward(centres, contexts, negatives, skip_true_context)


def test_training_draws_are_exactly_the_batches_training_uses():
    vocabulary, corpus = _tiny_corpus()
    model = _RecordingModel(len(vocabulary), 8, generator=torch.Generator().manual_seed(0))
    settings = dict(epochs=3, window=3, negatives=4, sample=0.05, seed=7)
    result = train_skipgram(model, corpus, vocabulary.counts, batch_size=16, progress=False, **settings)
    draws = list(training_draws(corpus, vocabulary.counts, **settings))
    assert [len(c) for c, _, _ in draws] == result.pairs_per_epoch
    for index, recorded in enumerate(zip(*model.batches, strict=True)):
        assert torch.equal(torch.cat(recorded), torch.cat([draw[index] for draw in draws]))
    assert min(result.pairs_per_epoch) > 0


def test_training_rejects_counts_of_another_vocabulary():
    vocabulary, corpus = _tiny_corpus()
    model = SkipGramModel(len(vocabulary) + 1, 4)
    with pytest.raises(ValueError, match="vocabulary's counts"):
        train_skipgram(model, corpus, vocabulary.counts, progress=False)


def test_training_progress_goes_to_stdout_only(capsys):
    vocabulary, corpus = _tiny_corpus()
    model = SkipGramModel(len(vocabulary), 4)
    result = train_skipgram(model, corpus, vocabulary.counts, epochs=2, window=1, progress=True)
    out, err = capsys.readouterr()
    assert err == ""
    assert out.rstrip().endswith(f"2/2 epochs, mean loss {result.epoch_losses[-1]:.4f}")


# Export ----------------------------------------------------------------------------------------------


def test_export_to_keyed_vectors_keeps_words_vectors_and_counts():
    vocabulary, _ = _tiny_corpus()
    weights = torch.randn(len(vocabulary), 6, generator=torch.Generator().manual_seed(0))
    kv = to_keyed_vectors(weights, vocabulary)
    assert kv.index_to_key == vocabulary.words
    assert np.array_equal(kv["cat"], weights[vocabulary.id_of("cat")].numpy())
    cosine = torch.nn.functional.cosine_similarity(weights[vocabulary.id_of("cat")],
                                                   weights[vocabulary.id_of("dog")], dim=0)
    assert kv.similarity("cat", "dog") == pytest.approx(cosine.item(), abs=1e-6)
    ours = nearest_words(weights, vocabulary, "cat", topn=3)
    assert [w for w, _ in kv.most_similar("cat", topn=3)] == [w for w, _ in ours]
    assert kv.get_vecattr("the", "count") == 80
    with pytest.raises(UnknownWordError, match="Did you mean: 'cat'"):
        kv.most_similar("cats")


def test_export_rejects_a_table_of_the_wrong_size():
    vocabulary, _ = _tiny_corpus()
    with pytest.raises(ValueError, match="one vector per vocabulary word"):
        to_keyed_vectors(torch.zeros(len(vocabulary) + 2, 4), vocabulary)


# Negatives equal to the true context word are skipped (word2vec.c, gensim) -------------------------------


def test_loss_mask_drops_exactly_the_masked_negative_terms():
    generator = torch.Generator().manual_seed(1)
    u, v, v_negative = torch.randn(3, 4, generator=generator), torch.randn(3, 4, generator=generator), \
        torch.randn(3, 2, 4, generator=generator)
    mask = torch.tensor([[True, False], [True, True], [False, False]])
    got = sgns_loss(u, v, v_negative, mask)
    positive = -torch.nn.functional.logsigmoid((u * v).sum(1))
    terms = -torch.nn.functional.logsigmoid(-(v_negative * u.unsqueeze(1)).sum(-1))  # (3, 2)
    expected = positive + torch.stack([terms[0, 0], terms[1].sum(), torch.tensor(0.0)])
    assert torch.allclose(got, expected, atol=1e-6)
    assert torch.equal(sgns_loss(u, v, v_negative, torch.ones(3, 2, dtype=torch.bool)), sgns_loss(u, v, v_negative))
    with pytest.raises(ValueError, match="negative_mask must have shape"):
        sgns_loss(u, v, v_negative, torch.ones(3, 3, dtype=torch.bool))


def test_model_skips_a_negative_that_is_the_true_context_word():
    model = SkipGramModel(5, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.output_embeddings.weight.normal_(generator=torch.Generator().manual_seed(1))
    centres, contexts = torch.tensor([0, 1]), torch.tensor([2, 3])
    negatives = torch.tensor([[2, 4], [4, 4]])  # pair 0 drew its own context word 2 as a negative
    skipped = model(centres, contexts, negatives)
    kept = model(centres, contexts, negatives, skip_true_context=False)
    u = model.input_embeddings.weight[0]
    v2 = model.output_embeddings.weight[2]
    # The only difference is the term -log sigma(-u.v2) of pair 0, divided by the batch size 2.
    extra = -torch.nn.functional.logsigmoid(-(u * v2).sum()) / 2
    assert (kept - skipped).item() == pytest.approx(extra.item(), abs=1e-6)
    # The skipped term sends no gradient to row 2 through the negative: only the positive term reaches it.
    model.zero_grad()
    model(centres[:1], contexts[:1], negatives[:1]).backward()
    only_positive = -torch.nn.functional.logsigmoid((u * v2).sum())
    expected_grad = torch.autograd.grad(only_positive, model.output_embeddings.weight)[0][2]
    assert torch.allclose(model.output_embeddings.weight.grad[2], expected_grad, atol=1e-6)


def test_training_skips_collisions_the_same_way_as_the_model():
    # A two-word vocabulary: negatives often equal the context word. The first loss of training must be the
    # masked loss: (1 + number of kept negatives) log 2 per pair, averaged, since every score starts at 0.
    sentences = [["a", "b", "a", "b", "a", "b"]] * 3
    vocabulary = build_vocabulary(sentences, min_count=1)
    corpus = encode_corpus(sentences, vocabulary)
    model = SkipGramModel(2, 4, generator=torch.Generator().manual_seed(0))
    result = train_skipgram(model, corpus, vocabulary.counts, epochs=1, window=1, negatives=5, sample=0,
                            batch_size=1000, progress=False)
    generator = torch.Generator().manual_seed(0)
    kept = [subsample(s, keep_probabilities(vocabulary.counts, 0), generator) for s in corpus]
    centres, contexts = skipgram_pairs(kept, 1, generator)
    order = torch.randperm(len(centres), generator=generator)
    negatives = sample_negatives(noise_distribution(vocabulary.counts), len(centres), 5, generator)
    kept_negatives = (negatives != contexts[order].unsqueeze(1)).sum(1).double()
    assert 0 < kept_negatives.mean().item() < 5
    assert result.step_losses[0] == pytest.approx(((1 + kept_negatives) * math.log(2)).mean().item(), rel=1e-5)


# Small corpora and generators (issue 16, item 7) ------------------------------------------------------


def test_build_vocabulary_accepts_a_generator():
    lines = ["the cat sat", "the dog sat", "the end"]
    vocabulary = build_vocabulary((tokenize(line) for line in lines), min_count=2)
    assert vocabulary.words == ["the", "sat"]
    assert vocabulary.counts == [3, 2]
    with pytest.raises(TypeError, match="list of token lists"):
        build_vocabulary(line for line in lines)  # a generator of strings, not of token lists


def test_training_on_one_word_sentences_says_what_to_do():
    model = SkipGramModel(2, 4)
    with pytest.raises(ValueError, match="no \\(centre, context\\) pair can be made.*min_count"):
        train_skipgram(model, [torch.tensor([0]), torch.tensor([1])], [3, 2], progress=False)


def test_training_accepts_one_word_sentences_beside_longer_ones():
    model = SkipGramModel(2, 4)
    result = train_skipgram(model, [torch.tensor([0]), torch.tensor([0, 1, 0, 1])], [3, 2], epochs=1, sample=0,
                            progress=False)
    assert result.pairs_per_epoch[0] >= 6  # only the 4-token sentence gives pairs


def test_training_when_subsampling_removes_every_pair_says_what_to_do():
    # One very frequent word: with t = 1e-3 it keeps about 0.1 % of its tokens, so nothing is left of 4.
    model = SkipGramModel(1, 4)
    with pytest.raises(ValueError, match="Epoch 1: subsampling.*pass sample=0"):
        train_skipgram(model, [torch.zeros(4, dtype=torch.long)], [1000], sample=1e-3, progress=False)
    result = train_skipgram(model, [torch.zeros(4, dtype=torch.long)], [1000], epochs=1, sample=0,
                            progress=False)
    assert 6 <= result.pairs_per_epoch[0] <= 12  # 4 tokens: 3 pairs per token at most, 2 * 3 at least


def test_nearest_words_never_returns_the_query_word_and_checks_topn():
    vocabulary = build_vocabulary([["a", "b", "c"]] * 5, min_count=1)
    vectors = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    neighbours = nearest_words(vectors, vocabulary, "a", topn=len(vocabulary.words))
    assert [word for word, _ in neighbours] == ["b", "c"]
    assert all(math.isfinite(score) for _, score in neighbours)
    with pytest.raises(ValueError, match="topn must be a positive whole number"):
        nearest_words(vectors, vocabulary, "a", topn=0)
