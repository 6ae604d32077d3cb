"""utils.tokenizer.gpt2_tokenizer: offline, and token for token tiktoken's own GPT-2 encoding."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public

from utils.data import REGISTRY, fetch
from utils.tokenizer import gpt2_tokenizer

SAMPLES = [
    "Hello, world! It's a test.",
    "  leading spaces,\ttabs\nand newlines\n\n",
    "Ünïcödé — 日本語のテキスト 🙂 and numbers 1234567 3.14159",
    "they'll we've I'm she'd it's   trailing   ",
    "<|endoftext|> is special only when allowed",
]


@pytest.fixture(scope="module")
def tiktoken_reference(tmp_path_factory):
    """tiktoken's own r50k_base encoding (GPT-2's ranks), fed our file through its cache instead of the network."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    url = "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken"
    shutil.copyfile(fetch("gpt2.tiktoken"), cache / hashlib.sha1(url.encode()).hexdigest())
    patch = pytest.MonkeyPatch()
    patch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    try:
        reference = tiktoken.Encoding(**openai_public.r50k_base())
    finally:
        patch.undo()
    return reference


def test_vocabulary_and_special_token():
    tokenizer = gpt2_tokenizer()
    assert tokenizer.n_vocab == 50257
    assert tokenizer.eot_token == 50256
    assert tokenizer.encode("<|endoftext|>", allowed_special={"<|endoftext|>"}) == [50256]


def test_special_token_is_rejected_unless_allowed():
    with pytest.raises(ValueError):
        gpt2_tokenizer().encode("<|endoftext|>")


def test_same_tokens_as_tiktoken(tiktoken_reference):
    tokenizer = gpt2_tokenizer()
    for text in SAMPLES:
        ours = tokenizer.encode(text, allowed_special="all")
        assert ours == tiktoken_reference.encode(text, allowed_special="all")
        assert tokenizer.decode(ours) == text
    assert tokenizer._pat_str == tiktoken_reference._pat_str


def test_the_verdict_tokens():
    mirror = os.environ.get("COURSE_DATA_MIRROR")
    try:
        text = fetch("the-verdict.txt").read_text(encoding="utf-8")
    except OSError:
        pytest.skip(f"the-verdict.txt is not available offline (COURSE_DATA_MIRROR={mirror!r})")
    ids = gpt2_tokenizer().encode(text)
    assert len(ids) == 5145
    assert ids[:8] == [40, 367, 2885, 1464, 1807, 3619, 402, 271]


def test_ranks_file_is_verified_with_tiktokens_hash():
    assert REGISTRY["gpt2.tiktoken"].checksum == "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
