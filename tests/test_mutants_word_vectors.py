"""Tests that kill surviving mutants of utils/word_vectors.py.

Found by ``python tools/mutation_test.py utils/word_vectors.py --sample 40`` (docs/authoring.md, "Mutation
testing"). References: the published sizes of GloVe 6B (400,000 words; the dimension in the model's name)
and the documented range of ``limit``.
"""

from __future__ import annotations

import dataclasses

import pytest

from utils.word_vectors import MODELS, load_word_vectors


def test_the_model_catalogue_cannot_be_changed_by_accident() -> None:
    # Survivor: `@dataclass(frozen=True)` -> frozen=False on ModelInfo.
    with pytest.raises(dataclasses.FrozenInstanceError):
        MODELS["glove-6b-50d"].words = 1


@pytest.mark.parametrize("name", [n for n in MODELS if n.startswith("glove-wiki-gigaword-") or n == "glove-6b-50d"])
def test_glove_6b_sizes_are_the_published_ones(name: str) -> None:
    # Survivors: 400000 -> 400001 and 100 -> 101 in the catalogue row of glove-wiki-gigaword-100.
    info = MODELS[name]
    assert info.words == 400_000  # GloVe 6B: "400K vocab" (Pennington et al., 2014; nlp.stanford.edu)
    assert info.dimensions == int(name.rsplit("-", 1)[1].removesuffix("d"))


def test_a_limit_of_one_word_is_allowed() -> None:
    # Survivors: `limit < 1` -> `limit <= 1` / `limit < 2`.
    kv = load_word_vectors(limit=1)
    assert len(kv.index_to_key) == 1
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="limit must be a positive integer or None"):
            load_word_vectors(limit=bad)
