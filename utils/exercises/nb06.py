"""Exercise checks for notebook 06 (training word embeddings)."""

from __future__ import annotations

import math
from functools import lru_cache

import torch

from utils.exercises import NotYet, exercise, expect_type


@lru_cache(maxsize=1)
def _lee_vocabulary():
    from utils.word2vec import build_vocabulary, read_lee_corpus

    return build_vocabulary(read_lee_corpus(), min_count=5)


def _expect_number(answer, what: str) -> float:
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise NotYet(f"Expected {what} (a Python number), got a {type(answer).__name__}.")
    return float(answer)


@exercise("06.1", "skip-gram pairs of a 7-word sentence",
          "each position i has min(i, 3) neighbours on its left and min(6 − i, 3) on its right; add them up "
          "(or count the pairs skipgram_pairs returns for torch.arange(7)).")
def check_pair_count(answer) -> None:
    from utils.word2vec import skipgram_pairs

    expect_type(answer, int, "an integer number of pairs")
    expected = len(skipgram_pairs(torch.arange(7), window=3)[0])
    if answer == 7 * 6:
        raise NotYet("That is every ordered pair of the sentence: a window of 3 cannot reach 4 or more words away.")
    if answer * 2 == expected:
        raise NotYet("Close: you counted each neighbour pair once, but (a, b) and (b, a) are two training pairs.")
    if answer != expected:
        raise NotYet("Not the number of (centre, context) pairs: words near the ends have fewer neighbours.")


@exercise("06.2", "keep probability of 'said' with the paper's formula",
          "the paper discards a token with probability 1 − sqrt(t / f), where f = count / total is the word's "
          "relative frequency; the keep probability is what is left.")
def check_paper_keep(answer) -> None:
    from utils.word2vec import keep_probabilities

    vocabulary = _lee_vocabulary()
    value = _expect_number(answer, "a probability between 0 and 1")
    frequency = vocabulary.counts[vocabulary.id_of("said")] / vocabulary.total
    expected = min(1.0, math.sqrt(1e-3 / frequency))
    if not 0 <= value <= 1:
        raise NotYet(f"{value:.4f} is not a probability: it must lie between 0 and 1.")
    if math.isclose(value, 1 - expected, abs_tol=1e-4):
        raise NotYet("That is the probability of discarding the token; the question asks for keeping it.")
    code_variant = float(keep_probabilities(vocabulary.counts, 1e-3)[vocabulary.id_of("said")])
    if math.isclose(value, code_variant, abs_tol=1e-4):
        raise NotYet("That is the C code's formula (keep_probabilities); use the paper's sqrt(t / f) instead.")
    if not math.isclose(value, expected, abs_tol=1e-4):
        raise NotYet(f"{value:.4f} is not it. Use t = 1e-3 and f = (count of 'said') / (vocabulary.total).")


@exercise("06.3", "the negative-sampling loss",
          "a dot product is an element-wise product summed over the last dimension; u.unsqueeze(1) broadcasts "
          "u against the k negatives; F.logsigmoid gives log σ(x) safely.")
def check_loss_function(answer) -> None:
    from utils.word2vec import sgns_loss

    if not callable(answer):
        raise NotYet(f"Expected a function loss(u, v, v_negative), got a {type(answer).__name__}.")
    generator = torch.Generator().manual_seed(6)
    u, v, v_negative = (torch.randn(4, 3, generator=generator), torch.randn(4, 3, generator=generator),
                        torch.randn(4, 2, 3, generator=generator))
    got = answer(u, v, v_negative)
    if got is None:
        raise NotYet("Your function returned None: replace the ... with code that returns the losses.")
    if not isinstance(got, torch.Tensor):
        raise NotYet(f"Your function returned a {type(got).__name__}; return a tensor with one loss per pair.")
    expected = sgns_loss(u, v, v_negative)
    if got.shape != expected.shape:
        if got.numel() == 1 and torch.allclose(got, expected.mean(), atol=1e-5):
            raise NotYet("You returned the batch mean; return one loss per pair, shape (B,), without .mean().")
        raise NotYet(f"Expected shape {tuple(expected.shape)} (one loss per pair), got {tuple(got.shape)}.")
    if not torch.allclose(got, expected, atol=1e-5):
        raise NotYet("Wrong values: check the signs (σ(u·v) for the true context, σ(−u·vₙ) for each negative) "
                     "and that the negatives are summed.")
    far = answer(torch.full((1, 2), 10.0), torch.full((1, 2), -10.0), torch.zeros(1, 1, 2))
    if not torch.isfinite(far).all():
        raise NotYet("Right on ordinary inputs, but u·v = −200 gives inf: log(sigmoid(x)) underflows. "
                     "Use F.logsigmoid(x).")


@exercise("06.4", "probability of drawing 'the' as a negative",
          "the noise distribution is count ** 0.75, divided by the sum of all counts ** 0.75.")
def check_noise_share(answer) -> None:
    vocabulary = _lee_vocabulary()
    value = _expect_number(answer, "a probability between 0 and 1")
    counts = torch.tensor(vocabulary.counts, dtype=torch.float64)
    expected = float(counts[0] ** 0.75 / (counts**0.75).sum())
    if math.isclose(value, float(counts[0] / counts.sum()), abs_tol=1e-5):
        raise NotYet("That is the raw unigram share of 'the'; raise every count to the power 3/4 first.")
    if not math.isclose(value, expected, abs_tol=1e-5):
        raise NotYet(f"{value:.5f} is not it: normalise over the whole vocabulary ({len(vocabulary)} words).")
