"""load_word_vectors(path): the user's own vectors from a local word2vec-format file, and clear errors."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from gensim.models import KeyedVectors

import utils.word_vectors as wv
from utils.similarity import analogy
from utils.word_vectors import UnknownWordError, fill_norms, load_word_vectors

WORDS = ["king", "queen", "man", "woman", "Tower", "crown_prince"]
VECTORS = np.random.default_rng(0).normal(size=(len(WORDS), 4)).astype(np.float32)


def _save(path, binary, header=True):
    source = KeyedVectors(vector_size=VECTORS.shape[1])
    source.add_vectors(WORDS, VECTORS)
    source.save_word2vec_format(str(path), binary=binary, write_header=header)
    return path


@pytest.mark.parametrize("name, binary", [("v.bin", True), ("v.txt", False), ("v.vec", False),
                                          ("v.bin.gz", True), ("v.txt.gz", False), ("V.BIN", True)])
def test_every_word2vec_ending_loads_with_norms(tmp_path, name, binary):
    raw = _save(tmp_path / ("raw.bin" if binary else "raw.txt"), binary)
    path = tmp_path / name
    data = raw.read_bytes()
    path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    for argument in (path, str(path)):
        kv = load_word_vectors(argument)
        assert isinstance(kv, wv.CourseKeyedVectors)
        assert kv.index_to_key == WORDS                      # case and phrases kept as they are
        np.testing.assert_allclose(kv.vectors, VECTORS, rtol=1e-6)
        np.testing.assert_allclose(kv.norms, np.linalg.norm(VECTORS, axis=1), rtol=1e-6)
    assert load_word_vectors(path, limit=2).index_to_key == WORDS[:2]


def test_glove_text_without_header_loads(tmp_path):
    kv = load_word_vectors(_save(tmp_path / "glove.txt", binary=False, header=False))
    assert kv.index_to_key == WORDS
    np.testing.assert_allclose(kv["woman"], VECTORS[3], rtol=1e-6)


def test_a_case_sensitive_vocabulary_is_not_called_lower_case(tmp_path):
    kv = load_word_vectors(_save(tmp_path / "v.bin", binary=True))
    with pytest.raises(UnknownWordError) as info:
        kv["Queen"]
    assert "lower-case spelling 'queen'" in str(info.value)
    assert "This vocabulary is lower-case" not in str(info.value)


def test_missing_file_says_what_is_expected(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_word_vectors(tmp_path / "nowhere.bin")
    message = str(info.value)
    assert "nowhere.bin" in message and "does not exist" in message and ".vec" in message
    assert "glove-6b-50d" in message
    with pytest.raises(FileNotFoundError, match="is a folder"):
        load_word_vectors(str(tmp_path) + "/")


def test_unknown_ending_is_refused_with_the_endings_it_knows(tmp_path):
    path = tmp_path / "vectors.model"
    path.write_text("2 2\na 1 2\nb 3 4\n")
    with pytest.raises(ValueError) as info:
        load_word_vectors(path)
    assert "vectors.model" in str(info.value) and ".bin" in str(info.value) and ".txt" in str(info.value)


@pytest.mark.parametrize("name, content, expected", [
    ("text-as.bin", None, "binary"),                          # a text file under a binary name
    ("binary-as.txt", "binary", "text"),                      # a binary file under a text name
    ("empty.bin", b"", "binary"),
    ("short.bin", b"10 4\nking ", "binary"),                  # fewer vectors than the header says
    ("bad.txt", b"2 3\nking 1 2 x\nqueen 1 2 3\n", "text"),
    ("notgzip.txt.gz", b"2 3\nking 1 2 3\n", "text"),
])
def test_wrong_format_names_the_file_and_the_format(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is None:
        path.write_bytes(_save(tmp_path / "raw.txt", binary=False).read_bytes())
    elif content == "binary":
        path.write_bytes(_save(tmp_path / "raw.bin", binary=True).read_bytes())
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        load_word_vectors(path)
    message = str(info.value)
    assert name in message and f"word2vec {expected} file" in message


def test_unknown_name_that_is_not_a_path_lists_models_and_mentions_paths():
    with pytest.raises(ValueError) as info:
        load_word_vectors("word2vec-google-news")
    assert "word2vec-google-news-300" in str(info.value) and ".bin" in str(info.value)


def test_fill_norms_in_chunks_equals_gensim():
    kv = KeyedVectors(vector_size=5)
    kv.add_vectors([f"w{i}" for i in range(23)], np.random.default_rng(1).normal(size=(23, 5)).astype(np.float32))
    kv.norms = None
    ours = fill_norms(kv, chunk_rows=4).copy()
    kv.fill_norms(force=True)
    np.testing.assert_array_equal(ours, kv.norms)
    assert ours.dtype == np.float32
    kv.norms = ours
    assert fill_norms(kv) is ours                             # kept, not recomputed


def test_analogy_in_chunks_equals_most_similar(tmp_path, monkeypatch):
    import utils.similarity as similarity

    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(50)]
    kv = wv.CourseKeyedVectors(vector_size=8)
    kv.add_vectors(words, rng.normal(size=(50, 8)).astype(np.float32))
    monkeypatch.setattr(similarity, "ANALOGY_CHUNK_ROWS", 7)  # several chunks, a short last one
    for restrict_vocab in (None, 30):
        ours = analogy(kv, "w1", "w2", "w3", topn=10, restrict_vocab=restrict_vocab)
        theirs = kv.most_similar(positive=["w2", "w3"], negative=["w1"], topn=10, restrict_vocab=restrict_vocab)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-6)
    # a query word beyond restrict_vocab is excluded only where it could be an answer
    assert len(analogy(kv, "w40", "w2", "w3", topn=100, restrict_vocab=30)) == 28


def test_notebook_ram_need_is_stated_for_every_model():
    for info in wv.MODELS.values():
        assert info.notebook_ram_megabytes >= wv.NOTEBOOK01_DEFAULT_PEAK_MB
        assert info.notebook_ram_megabytes >= info.float32_megabytes
    big = wv.MODELS["word2vec-google-news-300"]
    assert big.notebook_ram_megabytes == pytest.approx(
        wv.NOTEBOOK01_DEFAULT_PEAK_MB + wv.NOTEBOOK01_GROWTH_PER_MATRIX_BYTE * (3600.0 - 80.0))
    assert wv.NOTEBOOK01_GROWTH_PER_MATRIX_BYTE <= 1.5   # issue 12: at most 1.5x the matrix beyond the default
    assert wv.MODELS["glove-6b-50d"].notebook_ram_megabytes == wv.NOTEBOOK01_DEFAULT_PEAK_MB
