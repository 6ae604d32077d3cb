"""utils.tokenizer.gpt2_tokenizer: offline, and token for token tiktoken's own GPT-2 encoding."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public
from conftest import fetch_or_skip

from utils.data import REGISTRY, REPO_ROOT, fetch
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
    text = fetch_or_skip("the-verdict.txt").read_text(encoding="utf-8")  # on CI a missing file fails
    ids = gpt2_tokenizer().encode(text)
    assert len(ids) == 5145
    assert ids[:8] == [40, 367, 2885, 1464, 1807, 3619, 402, 271]


def test_ranks_file_is_verified_with_tiktokens_hash():
    assert (
        REGISTRY["gpt2.tiktoken"].checksum
        == "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"
    )


def test_missing_data_fails_on_ci_and_skips_elsewhere(tmp_path):
    """Without a mirror or a cached copy, fetch_or_skip skips locally and fails when CI is set."""
    test = tmp_path / "test_needs_data.py"
    test.write_text(
        "from conftest import fetch_or_skip\n\n\ndef test_it():\n    fetch_or_skip('the-verdict.txt')\n",
        encoding="utf-8",
    )
    (tmp_path / "conftest.py").write_text(
        (REPO_ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    base = {
        **os.environ,
        "COURSE_OFFLINE": "1",
        "COURSE_DATA_CACHE": str(tmp_path / "empty-cache"),
        "COURSE_DATA_MIRROR": str(tmp_path / "no-mirror"),
        "CI": "",
        "COURSE_REQUIRE_DATA": "",
    }
    outcomes = {}
    for label, extra in {"local": {}, "CI": {"CI": "true"}, "required": {"COURSE_REQUIRE_DATA": "1"}}.items():
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:randomly",
                "-p",
                "no:nbval",
                "-o",
                "addopts=",
                str(test),
            ],
            cwd=tmp_path,
            env={**base, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        outcomes[label] = result.stdout.strip().splitlines()[-1]
    assert "1 skipped" in outcomes["local"], outcomes
    assert "1 failed" in outcomes["CI"] and "1 failed" in outcomes["required"], outcomes
