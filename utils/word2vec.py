"""word2vec from scratch: skip-gram with negative sampling, as two ``torch.nn.Embedding`` tables.

The pieces follow Mikolov et al. (2013), "Distributed Representations of Words and Phrases and their
Compositionality", and the choices of their C code (which gensim copies), so that the two can be compared:

* corpus: gensim's Lee corpus (300 Australian news articles, ~60,000 words), one document per line,
  tokenised with the regular expression ``[a-z]+`` on lower-cased text (letters only: numbers and
  punctuation are dropped, "Australia's" becomes "australia", "s");
* vocabulary: words seen at least ``min_count`` times, most frequent first; rarer words are removed from the
  text *before* windows are taken, as in word2vec;
* subsampling: a token of a word with count ``f`` in a corpus of ``total`` tokens is kept with probability
  ``(sqrt(f / (t·total)) + 1) · t·total / f`` (capped at 1), the formula of the C code and gensim, where
  ``total`` counts the tokens kept in the vocabulary. The paper writes the *discard* probability as
  ``1 − sqrt(t / (f/total))``; the code's variant keeps more (on the Lee corpus with ``t = 1e-3`` it
  subsamples 53 words, the paper's formula 131);
* windows: for each centre token a window size ``b`` is drawn uniformly from ``1..window`` (word2vec's
  "randomly shrunk" window, which weights near neighbours more); with no generator the full window is used;
* negatives: drawn from the unigram distribution raised to the power 3/4, with replacement; a negative that
  happens to equal the pair's true context word is skipped (its loss term masked), as word2vec.c and gensim
  skip it (``if (target == word) continue;``);
* model: input vectors initialised uniformly in ``[−0.5/d, 0.5/d)``, output vectors at zero (word2vec's
  initialisation), and the loss ``−log σ(u·v) − Σₙ log σ(−u·vₙ)``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)
from .word2vec_data import (  # noqa: F401  (the data side, re-exported: notebook 06 imports it from here)
    TOKEN_PATTERN,
    Vocabulary,
    build_vocabulary,
    encode_corpus,
    keep_probabilities,
    noise_distribution,
    read_lee_corpus,
    sample_negatives,
    skipgram_pairs,
    subsample,
    tokenize,
)

# Model and loss --------------------------------------------------------------------------------------


class SkipGramModel(nn.Module):
    """Two embedding tables: ``input_embeddings`` (the word vectors we keep) and ``output_embeddings``.

    Initialised like word2vec: input vectors uniform in ``[−0.5/d, 0.5/d)``, output vectors zero.
    ``sparse=True`` makes both tables produce sparse gradients (for ``torch.optim.SparseAdam`` or ``SGD``).
    """

    def __init__(self, vocab_size: int, dim: int, sparse: bool = False, generator: torch.Generator | None = None):
        super().__init__()
        if vocab_size < 1 or dim < 1:
            raise ValueError(f"vocab_size and dim must be >= 1, got {vocab_size} and {dim}.")
        self.input_embeddings = nn.Embedding(vocab_size, dim, sparse=sparse)
        self.output_embeddings = nn.Embedding(vocab_size, dim, sparse=sparse)
        with torch.no_grad():
            self.input_embeddings.weight.uniform_(-0.5 / dim, 0.5 / dim, generator=generator)
            self.output_embeddings.weight.zero_()

    def forward(self, centres: Tensor, contexts: Tensor, negatives: Tensor,
                skip_true_context: bool = True) -> Tensor:
        """Mean skip-gram negative-sampling loss of a batch: ``(B,)``, ``(B,)``, ``(B, k)`` IDs → scalar.

        A negative equal to its pair's context word is skipped (word2vec.c and gensim do the same): its
        term is masked out of the loss. ``skip_true_context=False`` keeps it (for comparison).
        """
        u = self.input_embeddings(centres)  # (B, d)
        v = self.output_embeddings(contexts)  # (B, d)
        v_negative = self.output_embeddings(negatives)  # (B, k, d)
        mask = negatives != contexts.unsqueeze(1) if skip_true_context else None
        return sgns_loss(u, v, v_negative, mask).mean()


def sgns_loss(u: Tensor, v: Tensor, v_negative: Tensor, negative_mask: Tensor | None = None) -> Tensor:
    """Per-pair loss ``−log σ(u·v) − Σₙ log σ(−u·vₙ)`` for ``u, v`` of shape ``(B, d)``, ``vₙ`` ``(B, k, d)``.

    ``negative_mask`` (boolean, ``(B, k)``) keeps only the negatives where it is True; the others add
    nothing to the loss and get no gradient (use ``negatives != contexts.unsqueeze(1)`` to skip negatives
    that equal the true context word). ``F.logsigmoid`` is used instead of ``log(sigmoid(x))``, which gives
    ``−inf`` once ``σ(x)`` rounds to 0.
    """
    positive = (u * v).sum(-1)  # (B,)
    negative = (v_negative * u.unsqueeze(1)).sum(-1)  # (B, k); faster than bmm for tiny matrices
    negative_terms = F.logsigmoid(-negative)  # (B, k)
    if negative_mask is not None:
        if negative_mask.shape != negative_terms.shape:
            raise ValueError(f"negative_mask must have shape {tuple(negative_terms.shape)} (pairs, k), "
                             f"got {tuple(negative_mask.shape)}.")
        negative_terms = negative_terms.masked_fill(~negative_mask.bool(), 0.0)
    return -F.logsigmoid(positive) - negative_terms.sum(-1)


# Training --------------------------------------------------------------------------------------------


@dataclass
class TrainingResult:
    """Losses recorded by :func:`train_skipgram`, and its wall-clock time."""

    step_losses: list[float]
    epoch_losses: list[float]
    pairs_per_epoch: list[int]
    seconds: float


def training_draws(corpus: Sequence[Tensor], counts: Sequence[int], *, epochs: int = 5, window: int = 5,
                   negatives: int = 5, sample: float = 1e-3, seed: int = 0):
    """Yield, epoch by epoch, the shuffled ``(centres, contexts, negatives)`` that :func:`train_skipgram` trains on.

    Notebook 06 (exercise 06.6 and section 10): with the same arguments and ``seed`` these are exactly the pairs
    and negatives ``train_skipgram`` draws (it draws them through this function), without training. Subsampling
    comes before the windows, so two words far apart in the text can share a window in some epoch.
    """
    generator = torch.Generator().manual_seed(seed)
    keep = keep_probabilities(counts, sample)
    noise = noise_distribution(counts)
    for epoch in range(1, epochs + 1):
        kept = [subsample(sentence, keep, generator) for sentence in corpus]
        centres, contexts = skipgram_pairs(kept, window, generator)
        order = torch.randperm(len(centres), generator=generator)
        centres, contexts = centres[order], contexts[order]
        if len(centres) == 0:
            raise ValueError(f"Epoch {epoch}: subsampling (sample={sample}) left no "
                             f"(centre, context) pair in this corpus of {sum(len(s) for s in corpus)} tokens. "
                             "The corpus is too small for subsampling: pass sample=0, or use more text.")
        yield centres, contexts, sample_negatives(noise, len(centres), negatives, generator)


def train_skipgram(model: SkipGramModel, corpus: Sequence[Tensor], counts: Sequence[int], *, epochs: int = 5,
                   window: int = 5, negatives: int = 5, sample: float = 1e-3, batch_size: int = 1024,
                   lr: float = 0.01, seed: int = 0, progress: bool = True) -> TrainingResult:
    """Train ``model`` on the encoded ``corpus`` (one ID tensor per sentence) with skip-gram + negatives.

    Every epoch subsamples the corpus again, draws new window sizes, shuffles the pairs and draws ``negatives``
    noise words per pair (a negative equal to the pair's context word is skipped, as in word2vec), all from one ``torch.Generator`` seeded with ``seed``. The optimiser is
    ``SparseAdam`` when the model's tables are sparse, ``Adam`` otherwise, with learning rate ``lr``.
    The progress bar goes to ``sys.stdout`` (never stderr) and shows no timings, so its final line is the
    same on every run.

    Raises:
        ValueError: bad sizes, counts of another vocabulary, or a corpus too small to give a single training
            pair (no sentence of two tokens, or subsampling removed them all); the message says what to change.
    """
    from tqdm import tqdm

    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}.")
    if len(counts) != model.input_embeddings.num_embeddings:
        raise ValueError(f"counts has {len(counts)} entries but the model has "
                         f"{model.input_embeddings.num_embeddings} words: use the vocabulary's counts.")
    if sum(len(s) for s in corpus) == 0:
        raise ValueError("The encoded corpus is empty: no training pairs can be made.")
    if all(len(s) < 2 for s in corpus):
        raise ValueError("No sentence has two in-vocabulary tokens, so no (centre, context) pair can be made: "
                         "use longer sentences, more text, or a lower min_count.")
    sparse = model.input_embeddings.sparse
    optimizer = (torch.optim.SparseAdam if sparse else torch.optim.Adam)(model.parameters(), lr=lr)
    result = TrainingResult([], [], [], 0.0)
    start = time.perf_counter()
    bar = tqdm(total=epochs, desc="training", file=sys.stdout, disable=not progress, mininterval=0,
               ncols=80, bar_format="{desc} |{bar}| {n_fmt}/{total_fmt} epochs{postfix}")
    draws = training_draws(corpus, counts, epochs=epochs, window=window, negatives=negatives, sample=sample,
                           seed=seed)
    for centres, contexts, noise_ids in draws:
        losses = []
        for first in range(0, len(centres), batch_size):
            batch = slice(first, first + batch_size)
            loss = model(centres[batch], contexts[batch], noise_ids[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        result.step_losses += losses
        result.epoch_losses.append(sum(losses) / len(losses))
        result.pairs_per_epoch.append(len(centres))
        bar.set_postfix_str(f"mean loss {result.epoch_losses[-1]:.4f}", refresh=False)
        bar.update(1)
    bar.close()
    result.seconds = time.perf_counter() - start
    return result


# Export ----------------------------------------------------------------------------------------------


def to_keyed_vectors(model: SkipGramModel | Tensor, vocabulary: Vocabulary):
    """The model's input vectors (or a ``(V, d)`` tensor) as ``CourseKeyedVectors`` for gensim's tools.

    ``most_similar``, ``similarity``, ``doesnt_match`` … then work as in notebook 01, and an unknown word gets
    an error that suggests close spellings.
    """
    from .word_vectors import CourseKeyedVectors

    weights = model.input_embeddings.weight if isinstance(model, SkipGramModel) else model
    if weights.ndim != 2 or weights.shape[0] != len(vocabulary):
        raise ValueError(f"Expected one vector per vocabulary word, shape ({len(vocabulary)}, d); "
                         f"got {tuple(weights.shape)}.")
    kv = CourseKeyedVectors(vector_size=weights.shape[1], count=0, dtype=np.float32)
    kv.index_to_key = list(vocabulary.words)
    kv.key_to_index = dict(vocabulary.word_to_id)
    kv.vectors = weights.detach().to(torch.float32).cpu().numpy().copy()
    kv.norms = None
    for word, count in zip(vocabulary.words, vocabulary.counts, strict=True):
        kv.set_vecattr(word, "count", count)
    return kv


def nearest_words(vectors: Tensor, vocabulary: Vocabulary, word: str, topn: int = 5) -> list[tuple[str, float]]:
    """The ``topn`` words whose vectors have the highest cosine similarity with ``word``'s (itself excluded)."""
    normed = F.normalize(vectors.detach().float(), dim=1)
    query = vocabulary.id_of(word)
    similarity = normed @ normed[query]
    similarity[query] = -math.inf
    if isinstance(topn, bool) or not isinstance(topn, int) or topn < 1:
        raise ValueError(f"topn must be a positive whole number, got {topn!r}.")
    # the word itself is not a neighbour: at most every other word
    values, indices = similarity.topk(min(topn, len(vocabulary.words) - 1))
    return [(vocabulary.words[i], float(v)) for i, v in zip(indices.tolist(), values.tolist(), strict=True)]
