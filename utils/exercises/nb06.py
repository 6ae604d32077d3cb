"""Exercise checks for notebook 06 (training word embeddings)."""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

import torch
import torch.nn.functional as F

from . import NotYet, as_float, call_student, exercise, multiple_choice, reflection, whole_number

SAMPLE = 1e-3  # the subsampling threshold t of the notebook
WINDOW = 5  # the notebook's window for exercise 06.5


@lru_cache(maxsize=1)
def _lee_documents():
    from ..word2vec import read_lee_corpus

    return read_lee_corpus()


@lru_cache(maxsize=1)
def _lee_vocabulary():
    from ..word2vec import build_vocabulary

    return build_vocabulary(_lee_documents(), min_count=5)


def paper_keep_probability(word: str = "said") -> float:
    """The paper's keep probability ``sqrt(t / f)`` of ``word``, ``f = count / vocabulary.total``.

    Only for a word seen more than ``t · total`` times (as "said" is), so no cap at 1 is needed."""
    vocabulary = _lee_vocabulary()
    frequency = vocabulary.counts[vocabulary.id_of(word)] / vocabulary.total
    return math.sqrt(SAMPLE / frequency)


def noise_share_of_the() -> float:
    """The probability that one negative sample is "the": ``count^0.75 / Σ count^0.75`` over the vocabulary."""
    counts = torch.tensor(_lee_vocabulary().counts, dtype=torch.float64)
    return float(counts[0] ** 0.75 / (counts**0.75).sum())


def shrunk_window_share(distance: int = WINDOW, window: int = WINDOW) -> float:
    """Share of skip-gram pairs at ``distance`` when each centre draws its window uniformly from 1..window.

    A neighbour at distance d is used when the drawn window b is at least d: probability (window − d + 1) / window;
    so the pairs at distance d are proportional to window − d + 1.
    """
    weights = [window - d + 1 for d in range(1, window + 1)]
    return weights[distance - 1] / sum(weights)


def _close(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= tolerance


def _pair_count(length: int, window: int) -> int:
    from ..word2vec import skipgram_pairs

    return len(skipgram_pairs(torch.arange(length), window=window)[0])


whole_number(
    "06.1", "skip-gram pairs of a 7-word sentence",
    "each position i has min(i, 3) neighbours on its left and min(6 − i, 3) on its right; add them up "
    "(or count the pairs skipgram_pairs returns for torch.arange(7)).",
    "the number of (centre, context) pairs: words near the ends have fewer neighbours",
    answer=lambda: _pair_count(7, 3),  # 30
    mistakes=lambda: {
        7 * 6: "That is every ordered pair of the sentence (or 2·3 neighbours for every word): a window of 3 "
               "cannot reach 4 or more words away, and words near the ends have fewer neighbours.",
        _pair_count(7, 3) // 2: "Close: you counted each neighbour pair once, but (a, b) and (b, a) are two "
                                "training pairs.",
        _pair_count(7, 2): "That is the count for a window of 2: a window of 3 reaches 3 words on each side.",
        _pair_count(6, 3): "Off by one: that is the count for a sentence of 6 tokens; positions run from 0 to 6.",
        _pair_count(8, 3): "Off by one: that is the count for a sentence of 8 tokens; positions run from 0 to 6.",
    },
)


@exercise("06.2", "keep probability of 'said' with the paper's formula",
          "the paper discards a token with probability 1 − sqrt(t / f), where f = count / vocabulary.total is "
          "the word's relative frequency among the tokens kept in the vocabulary; keeping is what is left. "
          "Give at least 3 decimals.")
def check_paper_keep(answer) -> None:
    from ..word2vec import keep_probabilities

    value = as_float(answer, "a probability between 0 and 1")
    vocabulary = _lee_vocabulary()
    said = vocabulary.id_of("said")
    count, frequency = vocabulary.counts[said], vocabulary.counts[said] / vocabulary.total
    expected = paper_keep_probability("said")
    tolerance = 5e-4  # a value rounded to 3 decimals is within 5e-4
    if _close(value, expected, tolerance):
        return
    if _close(value / 100, expected, tolerance):
        raise NotYet("That looks like a percentage; give the probability as a number between 0 and 1.")
    if _close(value, 1 - expected, tolerance):
        raise NotYet("That is the probability of discarding the token; the question asks for keeping it.")
    if _close(value, float(keep_probabilities(vocabulary.counts, SAMPLE)[said]), tolerance):
        raise NotYet("That is the C code's formula (keep_probabilities); use the paper's sqrt(t / f) instead.")
    if _close(value, math.sqrt(SAMPLE * sum(len(d) for d in _lee_documents()) / count), tolerance):
        raise NotYet("You divided by all 60,302 tokens of the corpus; N is the number of tokens kept in the "
                     "vocabulary, vocabulary.total.")
    if _close(value, SAMPLE / frequency, tolerance):
        raise NotYet("You forgot the square root: the paper keeps a token with probability sqrt(t / f).")
    if _close(value, math.sqrt(SAMPLE / count), tolerance):
        raise NotYet("f must be the relative frequency count / vocabulary.total, not the raw count.")
    if not 0 <= value <= 1:
        raise NotYet(f"{value:.4f} is not a probability: it must lie between 0 and 1 (is t / f upside down?).")
    if _close(value, expected, 0.01):
        raise NotYet(f"Close, but {value} is rounded too much: give at least 3 decimals.")
    raise NotYet(f"{value:.4f} is not it. Use t = 1e-3 and f = (count of 'said') / vocabulary.total.")


def _losses(u, v, v_negative, positive_sign=1.0, negative_sign=-1.0, reduce="sum"):
    positive = F.logsigmoid(positive_sign * (u * v).sum(-1))
    negative = F.logsigmoid(negative_sign * (v_negative * u.unsqueeze(1)).sum(-1))
    return -positive - (negative.sum(-1) if reduce == "sum" else negative.mean(-1))


@exercise("06.3", "the negative-sampling loss",
          "a dot product is an element-wise product summed over the last dimension; u.unsqueeze(1) broadcasts "
          "u against the k negatives; F.logsigmoid gives log σ(x) safely.")
def check_loss_function(answer) -> None:
    from ..word2vec import sgns_loss

    if not callable(answer):
        raise NotYet(f"Expected a function loss(u, v, v_negative), got a {type(answer).__name__}.")
    generator = torch.Generator().manual_seed(6)
    u, v, v_negative = (torch.randn(4, 3, generator=generator), torch.randn(4, 3, generator=generator),
                        torch.randn(4, 2, 3, generator=generator))
    got = call_student(answer, u, v, v_negative)
    if not isinstance(got, torch.Tensor):
        raise NotYet(f"Your function returned a {type(got).__name__}; return a tensor with one loss per pair.")
    expected = sgns_loss(u, v, v_negative)
    if got.shape != expected.shape:
        if got.numel() == 1 and torch.allclose(got.double(), expected.double().mean(), atol=1e-5):
            raise NotYet("You returned the batch mean; return one loss per pair, shape (B,), without .mean().")
        raise NotYet(f"Expected shape {tuple(expected.shape)} (one loss per pair), got {tuple(got.shape)}.")
    got = got.detach().double()
    if torch.allclose(got, -expected.double(), atol=1e-5):
        raise NotYet("Right magnitude, wrong sign: the loss is minus the log-probabilities, so it is positive.")
    if torch.allclose(got, _losses(u, v, v_negative, negative_sign=1.0).double(), atol=1e-5):
        raise NotYet("The negatives need σ(−u·vₙ) (the probability that the noise word is *not* a context).")
    if torch.allclose(got, _losses(u, v, v_negative, reduce="mean").double(), atol=1e-5):
        raise NotYet("You averaged over the k negatives; the loss sums their terms.")
    if not torch.allclose(got, expected.double(), atol=1e-5):
        raise NotYet("Wrong values: check the signs (σ(u·v) for the true context, σ(−u·vₙ) for each negative) "
                     "and that the negatives are summed.")
    far = call_student(answer, torch.full((1, 2), 10.0), torch.full((1, 2), -10.0), torch.zeros(1, 1, 2))
    if not torch.isfinite(torch.as_tensor(far)).all():
        raise NotYet("Right on ordinary inputs, but u·v = −200 gives inf: log(sigmoid(x)) underflows. "
                     "Use F.logsigmoid(x).")


@exercise("06.4", "probability of drawing 'the' as a negative",
          "the noise distribution is count ** 0.75 divided by the sum of count ** 0.75 over the vocabulary's "
          "words (vocabulary.counts). Give at least 4 decimals.")
def check_noise_share(answer) -> None:
    value = as_float(answer, "a probability between 0 and 1")
    vocabulary = _lee_vocabulary()
    counts = torch.tensor(vocabulary.counts, dtype=torch.float64)
    expected = noise_share_of_the()
    tolerance = 5e-5  # a value rounded to 4 decimals is within 5e-5
    all_counts = torch.tensor(list(Counter(t for d in _lee_documents() for t in d).values()), dtype=torch.float64)
    if _close(value, expected, tolerance):
        return
    if _close(value / 100, expected, tolerance):
        raise NotYet("That looks like a percentage; give the probability as a number between 0 and 1.")
    if _close(value, float(counts[0] / counts.sum()), 5e-4):
        raise NotYet("That is the raw unigram share of 'the'; raise every count to the power 3/4 first.")
    if _close(value, float(counts[0] ** 0.75 / counts.sum()), tolerance):
        raise NotYet("Only the numerator is raised to 3/4: normalise by the sum of count ** 0.75, so that the "
                     "probabilities of all words add up to 1.")
    if _close(value, float((counts[0] / counts.sum()) ** 0.75), 5e-4):
        raise NotYet("That is the raw share raised to 3/4, not normalised: divide by the sum over all words.")
    if _close(value, float(counts[0] ** 0.75 / (all_counts**0.75).sum()), tolerance):
        raise NotYet("You included the words seen fewer than 5 times; negatives are drawn from the vocabulary "
                     "only (vocabulary.counts).")
    if not 0 <= value <= 1:
        raise NotYet(f"{value:.5f} is not a probability: it must lie between 0 and 1.")
    if _close(value, expected, 5e-3):
        raise NotYet(f"Close, but {value} is rounded too much: give at least 4 decimals.")
    raise NotYet(f"{value:.5f} is not it: count ** 0.75 of 'the' over the sum of count ** 0.75 of all "
                 f"{len(vocabulary):,} vocabulary words.")


@exercise("06.5", "predict, then run: the share of pairs at distance 5",
          "a neighbour at distance d is used only when the drawn window b is at least d; count how many of the "
          "five equally likely windows reach each distance, then compare with a measurement.")
def check_distance_share(answer) -> None:
    value = as_float(answer, "a fraction between 0 and 1")
    expected = shrunk_window_share()
    if _close(value, expected, 0.002):  # a measurement on 100,000 tokens is within about 0.001
        return
    if _close(value / 100, expected, 0.002):
        raise NotYet("That looks like a percentage; give the share as a fraction between 0 and 1.")
    if _close(value, 1 / WINDOW, 0.002):
        raise NotYet("That would hold if every distance were equally common, as with a fixed window; with "
                     "random shrinking a far neighbour is used less often than a near one.")
    if _close(value, 1 / WINDOW**2, 0.002) or _close(value, 1 / (2 * WINDOW), 0.002):
        raise NotYet("Not quite: that mixes the chance that distance 5 is used with the number of slots. "
                     "Count the pairs at every distance and divide.")
    if not 0 <= value <= 1:
        raise NotYet(f"{value} is not a fraction between 0 and 1.")
    raise NotYet("Not the share of pairs at distance 5: measure it with skipgram_pairs on torch.arange(100_000) "
                 "and a seeded generator, then explain the number.")


@lru_cache(maxsize=1)
def _notebook_training() -> tuple[torch.Tensor, torch.Tensor]:
    """Section 4's training run replayed: its input table (float64, ``(V, 50)``) and a ``(V, V)`` boolean matrix,
    True where the two words formed a (centre, context) pair, either way round, in any epoch it drew."""
    from ..word2vec import SkipGramModel, encode_corpus, train_skipgram, training_draws

    vocabulary = _lee_vocabulary()
    corpus = encode_corpus(_lee_documents(), vocabulary)
    settings = dict(epochs=5, window=WINDOW, negatives=5, sample=SAMPLE, seed=0)
    size = len(vocabulary)
    trained = torch.zeros(size * size, dtype=torch.bool)
    for centres, contexts, _ in training_draws(corpus, vocabulary.counts, **settings):
        trained[centres * size + contexts] = True
    trained = trained.view(size, size)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the notebook trains on one thread
    try:
        model = SkipGramModel(size, 50, generator=torch.Generator().manual_seed(0))
        train_skipgram(model, corpus, vocabulary.counts, batch_size=1024, lr=0.02, progress=False, **settings)
    finally:
        torch.set_num_threads(threads)
    return model.input_embeddings.weight.detach().double(), trained | trained.T


def _vector_table(vectors) -> torch.Tensor:
    """The student's vectors as a float64 ``(V, d)`` tensor in the vocabulary's order: KeyedVectors (reordered
    through ``key_to_index``), a tensor, an array or a model."""
    from ..word2vec import SkipGramModel

    if isinstance(vectors, SkipGramModel):
        vectors = vectors.input_embeddings.weight
    if hasattr(vectors, "key_to_index") and hasattr(vectors, "vectors"):  # gensim's KeyedVectors
        words = _lee_vocabulary().words
        if set(vectors.key_to_index) != set(words):
            raise NotYet("These KeyedVectors have another vocabulary: pass trained_vectors (or our_kv).")
        vectors = vectors.vectors[[vectors.key_to_index[word] for word in words]]
    if isinstance(vectors, torch.Tensor):
        return vectors.detach().double()
    try:
        return torch.as_tensor(vectors).double()
    except (TypeError, ValueError, RuntimeError) as error:
        raise NotYet("The third entry must be the trained vectors: trained_vectors (a tensor) or our_kv.") from error


def _cosine(table: torch.Tensor, a: int, b: int) -> float:
    return float(F.cosine_similarity(table[a], table[b], dim=0))


@exercise("06.6", "close, yet never trained as a pair",
          "compute the cosines of all word pairs (normalise the rows of trained_vectors, then a matrix product); "
          "training_draws(corpus, vocabulary.counts, seed=0) yields the pairs training drew, epoch by epoch: "
          "pick a close pair that is never among them, either way round.")
def check_second_order_pair(answer) -> None:
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        raise NotYet("Expected a tuple (word_a, word_b, vectors), e.g. ('fire', 'crews', trained_vectors).")
    word_a, word_b, vectors = answer
    if not isinstance(word_a, str) or not isinstance(word_b, str):
        raise NotYet("The first two entries must be words (strings).")
    word_a, word_b = word_a.strip().lower(), word_b.strip().lower()  # the vocabulary is lower-case
    vocabulary = _lee_vocabulary()
    for word in (word_a, word_b):
        if word not in vocabulary:
            raise NotYet(f"{word!r} is not in the vocabulary (seen fewer than 5 times, or not lower-case letters).")
    if word_a == word_b:
        raise NotYet("Pick two different words.")
    table = _vector_table(vectors)
    if table.ndim != 2 or table.shape[0] != len(vocabulary):
        raise NotYet(f"The vectors must have one row per vocabulary word, shape ({len(vocabulary)}, d); got "
                     f"{tuple(table.shape)}. Pass trained_vectors or our_kv.")
    reference, trained = _notebook_training()
    if table.shape != reference.shape or not torch.allclose(table, reference, rtol=0, atol=1e-3):
        raise NotYet("These are not the vectors of section 4's training run (seed 0): pass trained_vectors or "
                     "our_kv. Other tables (gensim's, the table before training) were trained on other pairs.")
    a, b = vocabulary.id_of(word_a), vocabulary.id_of(word_b)
    if trained[a, b]:
        raise NotYet(f"Training did draw ({word_a}, {word_b}) as a (centre, context) pair: subsampling removes "
                     "tokens before the windows are taken, so words further apart in the text can share a "
                     "window. Exclude every pair that training_draws yields.")
    cosine = _cosine(reference, a, b)
    if cosine <= 0.5:
        raise NotYet(f"Training never paired them, but their cosine is {cosine:.3f}, not above 0.5.")


multiple_choice(
    "06.7", "why two words never trained as a pair end up close",
    "which vectors does the loss ever compare with an input vector u? Two input vectors never meet in it.",
    {
        "a": (False, "the loss never compares two input vectors, and these two words never form a training pair: "
                     "nothing pulls one towards the other directly."),
        "b": (True, "each input vector is pulled towards the output vectors of its context words; two words with "
                    "the same contexts are pulled towards the same output vectors, so they end up close "
                    "(second-order similarity)."),
        "c": (False, "random 50-dimensional vectors have cosines of about ±0.14 (one standard deviation); the "
                     "table before training has far fewer pairs above 0.5 than the trained one: the closeness was learned."),
        "d": (False, "skip-gram knows nothing of meaning, and boucher and kallis (a close pair never trained "
                     "together) are two different cricketers: closeness means shared contexts, not synonymy."),
    },
)

reflection(
    "06.8", "what the cosine of word2vec vectors measures",
    "The cosine of two input vectors measures how alike the two words' contexts are, not how often the two "
    "words occur together: words that fill the same slots (two politicians, two cricketers, a fire and its "
    "crews) end up close, whether or not they are synonyms and whether or not they ever meet. Related words and "
    "similar words are not told apart, which is also why a relatedness benchmark such as WordSim-353 and a "
    "similarity benchmark such as SimLex-999 can rank models differently.",
)
