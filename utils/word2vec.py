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
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)

TOKEN_PATTERN = re.compile(r"[a-z]+")


# Corpus and vocabulary -------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and keep runs of the letters a–z as tokens (``[a-z]+``)."""
    return TOKEN_PATTERN.findall(text.lower())


def read_lee_corpus() -> list[list[str]]:
    """gensim's Lee background corpus as one token list per document (300 documents, 60,302 tokens)."""
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as file:
        return [tokenize(line) for line in file if line.strip()]


@dataclass(frozen=True)
class Vocabulary:
    """Words kept for training, most frequent first (ties alphabetical), with their corpus counts."""

    words: list[str]
    counts: list[int]
    word_to_id: dict[str, int] = field(repr=False)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_id

    @property
    def total(self) -> int:
        """Number of corpus tokens that belong to the vocabulary."""
        return sum(self.counts)

    def id_of(self, word: str) -> int:
        """The ID of ``word``; a clear ``KeyError`` when it was too rare or never seen."""
        if word not in self.word_to_id:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self)} words): it occurs fewer than "
                           "min_count times in the corpus, or not at all.")
        return self.word_to_id[word]

    def encode(self, tokens: Iterable[str]) -> Tensor:
        """IDs of the tokens that are in the vocabulary, as a 1-D int64 tensor (others are dropped)."""
        return torch.tensor([self.word_to_id[t] for t in tokens if t in self.word_to_id], dtype=torch.long)


def build_vocabulary(sentences: Iterable[Sequence[str]], min_count: int = 5) -> Vocabulary:
    """Count the words of ``sentences`` and keep those seen at least ``min_count`` times.

    ``sentences`` may be any iterable of token lists, a generator included (it is read once).

    Raises:
        ValueError: an empty corpus, a ``min_count`` below 1, or a ``min_count`` that removes every word.
        TypeError: ``sentences`` is a plain string or holds strings instead of token lists.
    """
    sentences = list(sentences)  # a generator can be read only once: the checks below must not consume it
    if any(isinstance(s, str) for s in sentences):  # also catches a plain string (a list of characters)
        raise TypeError("sentences must be a list of token lists, e.g. [['the', 'cat'], ['a', 'dog']]; "
                        "split each text into tokens first (utils.word2vec.tokenize).")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise ValueError(f"min_count must be an integer >= 1, got {min_count!r}.")
    counts = Counter(token for sentence in sentences for token in sentence)
    if not counts:
        raise ValueError("The corpus is empty: there is no token to count. Check the file and the tokeniser.")
    kept = sorted(((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
    if not kept:
        raise ValueError(f"No word occurs min_count={min_count} times (the most frequent occurs "
                         f"{max(counts.values())} times): lower min_count.")
    words = [w for w, _ in kept]
    return Vocabulary(words, [c for _, c in kept], {w: i for i, w in enumerate(words)})


def encode_corpus(sentences: Sequence[Sequence[str]], vocabulary: Vocabulary) -> list[Tensor]:
    """Each sentence as a 1-D tensor of vocabulary IDs, out-of-vocabulary words removed (as word2vec does)."""
    return [vocabulary.encode(sentence) for sentence in sentences]


# Subsampling -----------------------------------------------------------------------------------------


def keep_probabilities(counts: Sequence[int] | Tensor, sample: float = 1e-3) -> Tensor:
    """Probability of keeping each token of a word, word2vec C code's formula (also gensim's).

    ``P(keep) = min(1, (sqrt(f / (t·total)) + 1) · t·total / f)`` with ``f`` the word's count, ``total``
    the sum of all counts and ``t = sample``. ``sample=0`` keeps everything.
    """
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.ndim != 1 or counts.numel() == 0 or bool((counts <= 0).any()):
        raise ValueError("counts must be a non-empty 1-D sequence of positive word counts.")
    if not 0 <= sample < 1:
        raise ValueError(f"sample must be in [0, 1) (word2vec uses 1e-3 to 1e-5), got {sample!r}.")
    if sample == 0:
        return torch.ones_like(counts)
    threshold = sample * counts.sum()
    return (((counts / threshold).sqrt() + 1) * threshold / counts).clamp(max=1.0)


def subsample(ids: Tensor, keep: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Keep each token of the 1-D ID tensor ``ids`` with probability ``keep[id]`` (one draw per token)."""
    draws = torch.rand(ids.shape, generator=generator, dtype=torch.float64)
    return ids[draws < keep[ids]]


# Skip-gram pairs -------------------------------------------------------------------------------------


def skipgram_pairs(sentences: Tensor | Sequence[Tensor], window: int,
                   generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """All (centre, context) ID pairs within ``window`` tokens, never across sentence boundaries.

    A sentence of ``n`` tokens with a fixed window ``w`` gives ``Σᵢ min(i, w) + min(n−1−i, w)`` pairs.
    With a ``generator``, each centre draws its own window size uniformly from ``1..window`` (word2vec).
    Pairs come sorted by centre position, then context position.

    Returns:
        ``(centres, contexts)``, two 1-D int64 tensors of equal length.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an integer >= 1 (word2vec uses 5), got {window!r}.")
    if isinstance(sentences, Tensor):
        sentences = [sentences]
    if any(s.ndim != 1 for s in sentences):
        raise ValueError("Each sentence must be a 1-D tensor of token IDs; pass a list of them for a corpus.")
    lengths = torch.tensor([len(s) for s in sentences], dtype=torch.long)
    ids = torch.cat(list(sentences)).long() if len(sentences) else torch.empty(0, dtype=torch.long)
    sentence_of = torch.repeat_interleave(torch.arange(len(lengths)), lengths)
    offsets = torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)])  # (2w,)
    positions = torch.arange(len(ids)).unsqueeze(1) + offsets  # (N, 2w): context position of each slot
    inside = (positions >= 0) & (positions < len(ids))
    safe = positions.clamp(0, max(len(ids) - 1, 0))
    valid = inside & (sentence_of[safe] == sentence_of.unsqueeze(1))
    if generator is not None:
        reach = torch.randint(1, window + 1, (len(ids), 1), generator=generator)
        valid &= offsets.abs() <= reach
    centre_rows = torch.arange(len(ids)).unsqueeze(1).expand_as(positions)
    return ids[centre_rows[valid]], ids[positions[valid]]


# Negative sampling -----------------------------------------------------------------------------------


def noise_distribution(counts: Sequence[int] | Tensor, power: float = 0.75) -> Tensor:
    """The negative-sampling distribution: counts raised to ``power`` (3/4 in word2vec), normalised."""
    counts = torch.as_tensor(counts, dtype=torch.float64)
    if counts.ndim != 1 or counts.numel() == 0 or bool((counts < 0).any()) or counts.sum() <= 0:
        raise ValueError("counts must be a non-empty 1-D sequence of non-negative counts, not all zero.")
    weights = counts**power
    return weights / weights.sum()


def sample_negatives(noise: Tensor, num_pairs: int, k: int, generator: torch.Generator | None = None) -> Tensor:
    """``k`` negative word IDs per pair, drawn with replacement from ``noise``: shape ``(num_pairs, k)``."""
    if k < 1:
        raise ValueError(f"k (negatives per pair) must be >= 1 (word2vec uses 5 to 20), got {k!r}.")
    if num_pairs == 0:
        return torch.empty(0, k, dtype=torch.long)
    return torch.multinomial(noise, num_pairs * k, replacement=True, generator=generator).view(num_pairs, k)


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
    generator = torch.Generator().manual_seed(seed)
    keep = keep_probabilities(counts, sample)
    noise = noise_distribution(counts)
    sparse = model.input_embeddings.sparse
    optimizer = (torch.optim.SparseAdam if sparse else torch.optim.Adam)(model.parameters(), lr=lr)
    result = TrainingResult([], [], [], 0.0)
    start = time.perf_counter()
    bar = tqdm(total=epochs, desc="training", file=sys.stdout, disable=not progress, mininterval=0,
               ncols=80, bar_format="{desc} |{bar}| {n_fmt}/{total_fmt} epochs{postfix}")
    for _ in range(epochs):
        kept = [subsample(sentence, keep, generator) for sentence in corpus]
        centres, contexts = skipgram_pairs(kept, window, generator)
        order = torch.randperm(len(centres), generator=generator)
        centres, contexts = centres[order], contexts[order]
        if len(centres) == 0:
            raise ValueError(f"Epoch {len(result.epoch_losses) + 1}: subsampling (sample={sample}) left no "
                             f"(centre, context) pair in this corpus of {sum(len(s) for s in corpus)} tokens. "
                             "The corpus is too small for subsampling: pass sample=0, or use more text.")
        noise_ids = sample_negatives(noise, len(centres), negatives, generator)
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
