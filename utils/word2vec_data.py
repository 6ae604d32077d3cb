"""word2vec's data side: corpus, vocabulary, subsampling, skip-gram pairs and negative samples.

The training examples of :mod:`utils.word2vec`, prepared as Mikolov et al.'s C code (and gensim) prepare them;
that module's docstring lists each choice. Everything here works on token IDs (``torch.long`` tensors).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

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
