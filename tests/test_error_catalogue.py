"""The bad-input catalogue of docs/troubleshooting.md, one test per row.

Each case makes the mistake a student makes, checks the error type and that the message a student sees
starts the way docs/troubleshooting.md says, and checks that it still lists it. Download faults are made here
against a local server (DOWNLOAD_CASES); the rest of the data-file faults (no network, corrupt or truncated
files, unwritable cache, CRLF copies, concurrent fetches) are tested in tests/test_data.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import pytest
import torch

import utils._guard as guard
from utils.data import REPO_ROOT, DataFileError, fetch, offline_mode
from utils.positional import apply_rope, position_ids, sinusoidal_encoding
from utils.token_ids import check_token_ids
from utils.windows import SlidingWindowDataset, count_windows, create_dataloader
from utils.word_vectors import load_word_vectors

IDS = list(range(100))


def _train_on(sentences):
    from utils.word2vec import SkipGramModel, build_vocabulary, encode_corpus, train_skipgram

    vocabulary = build_vocabulary(sentences, min_count=1)
    model = SkipGramModel(len(vocabulary), 4)
    return train_skipgram(
        model, encode_corpus(sentences, vocabulary), vocabulary.counts, epochs=1, progress=False
    )


def _analogy_over_no_words():
    import numpy as np
    from gensim.models import KeyedVectors

    from utils.similarity import analogy

    kv = KeyedVectors(vector_size=2, count=0, dtype=np.float32)
    kv.add_vectors(["a", "b", "c"], np.eye(3, 2, dtype=np.float32))
    return analogy(kv, "a", "b", "c", restrict_vocab=0)


CASES = {
    "empty text": (
        lambda: create_dataloader(""),
        ValueError,
        "ValueError: The text is empty: there is nothing to cut into windows.",
    ),
    "not a text": (
        lambda: create_dataloader(3.5),
        TypeError,
        "TypeError: create_dataloader needs a text (str) or token IDs",
    ),
    "text shorter than a window": (
        lambda: create_dataloader("Hello world", max_length=256),
        ValueError,
        "ValueError: Only 2 tokens, but max_length=256 needs at least 257 (max_length + 1:",
    ),
    "max_length 0": (
        lambda: SlidingWindowDataset(IDS, 0, 1),
        ValueError,
        "ValueError: max_length must be at least 1, got 0.",
    ),
    "stride 0": (
        lambda: SlidingWindowDataset(IDS, 4, 0),
        ValueError,
        "ValueError: stride must be at least 1, got 0.",
    ),
    "word2vec corpus of one-word sentences": (
        lambda: _train_on([["solitary"]] * 6),
        ValueError,
        "ValueError: No sentence has two in-vocabulary tokens, so no (centre, context) pair can be made:",
    ),
    "word2vec corpus too small for subsampling": (
        lambda: _train_on([["tiny", "corpus"]] * 6),
        ValueError,
        "ValueError: Epoch 1: subsampling (sample=0.001) left no (centre, context) pair",
    ),
    "analogy over no words": (
        lambda: _analogy_over_no_words(),
        ValueError,
        "ValueError: restrict_vocab must be",
    ),
    "stride negative": (
        lambda: SlidingWindowDataset(IDS, 4, -2),
        ValueError,
        "ValueError: stride must be at least 1",
    ),
    "batch_size 0": (
        lambda: create_dataloader(IDS, batch_size=0, max_length=4, stride=4),
        ValueError,
        "ValueError: batch_size must be at least 1",
    ),
    "stride not an integer": (
        lambda: SlidingWindowDataset(IDS, 4, 1.5),
        TypeError,
        "TypeError: stride must be a positive integer, got 1.5 (float).",
    ),
    "max_length a bool": (
        lambda: SlidingWindowDataset(IDS, True, 1),
        TypeError,
        "TypeError: max_length must be a positive integer",
    ),
    "float token IDs": (
        lambda: SlidingWindowDataset(torch.rand(100), 4, 1),
        TypeError,
        "TypeError: Token IDs must be integers, got dtype torch.float32.",
    ),
    "negative token IDs": (
        lambda: SlidingWindowDataset([1, -2, *IDS], 4, 1),
        ValueError,
        "ValueError: Token IDs must be >= 0, found -2.",
    ),
    "token ID out of range": (
        lambda: check_token_ids(torch.tensor([2, 3, 6]), 6),
        ValueError,
        "ValueError: Token ID 6 at position 2 is out of range: valid IDs are 0 to 5",
    ),
    "token ID out of range in nn.Embedding": (
        lambda: torch.nn.Embedding(6, 3)(torch.tensor([6])),
        IndexError,
        "IndexError: index out of range in self",
    ),
    "position beyond the table": (
        lambda: position_ids(1025),
        ValueError,
        "ValueError: A sequence of 1025 tokens needs positions 0…1024, but the position "
        "table has only context_length=1024 rows",
    ),
    "odd dimension for RoPE": (
        lambda: apply_rope(torch.randn(4, 5)),
        ValueError,
        "ValueError: dim must be even (positions use pairs of dimensions (2i, 2i+1)), got dim=5.",
    ),
    "odd dimension for the sinusoidal table": (
        lambda: sinusoidal_encoding(4, 5),
        ValueError,
        "ValueError: dim must be even",
    ),
    "unknown model name": (
        lambda: load_word_vectors("x"),
        ValueError,
        "ValueError: Unknown word-vector model 'x'. Known models:",
    ),
    "unknown data file": (lambda: fetch("x"), KeyError, "KeyError: Unknown data file 'x'. Known files:"),
    "data file name not a str": (
        lambda: fetch(Path("data/the-verdict.txt")),
        TypeError,
        "TypeError: name must be a str, got ",
    ),
    "timeout 0": (
        lambda: fetch("the-verdict.txt", timeout=0),
        ValueError,
        "ValueError: timeout must be greater than 0, got 0.",
    ),
    "negative token count": (
        lambda: count_windows(-1, 4, 1),
        ValueError,
        "ValueError: num_tokens must be at least 0, got -1.",
    ),
    "unclear COURSE_OFFLINE": (
        lambda: with_env("COURSE_OFFLINE", "maybe", offline_mode),
        ValueError,
        "ValueError: COURSE_OFFLINE='maybe' is not understood. Set COURSE_OFFLINE=1",
    ),
    "text where token IDs belong": (
        lambda: check_token_ids("Hello", 50257),
        TypeError,
        "TypeError: Token IDs must be integers, got a str. Tokenize the text first",
    ),
    "ragged token ID lists": (
        lambda: check_token_ids([[1, 2], [3]], 50257),
        ValueError,
        "ValueError: Token IDs must be an int, a (nested) list of ints of equal lengths",
    ),
    "vocab_size 0": (
        lambda: check_token_ids([1], 0),
        ValueError,
        "ValueError: vocab_size must be at least 1, got 0.",
    ),
    "another utils package shadows the course's": (
        lambda: with_module("utils", "/elsewhere/utils/__init__.py", guard.check_course_utils),
        ImportError,
        "ImportError: Another `utils` shadows the course's package: Python imported",
    ),
    "a utils.py in the notebook's folder": (
        lambda: import_with_utils_py_in_the_folder(),
        ModuleNotFoundError,
        "ModuleNotFoundError: No module named 'utils.data'; 'utils' is not a package",
    ),
}

# Server path -> what the student sees; README rows write the file name as "…".
DOWNLOAD_CASES = {
    "/endless": "DataFileError: Stopped downloading payload.txt: the server sent more than the registered",
    "/announces-too-much": "DataFileError: Stopped downloading payload.txt: the server announced",
    "/trickle": "DataFileError: Stopped downloading payload.txt: slower than 4 KiB/s for 0.5 s",
}


def with_env(name: str, value: str, action):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(name, value)
        return action()


def with_module(name: str, origin: str, action):
    foreign = types.ModuleType(name)
    foreign.__file__ = origin
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, name, foreign)
        return action()


def import_with_utils_py_in_the_folder():
    """Python's own error, in a fresh interpreter whose current folder holds a utils.py (as a student's)."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "utils.py").write_text("HELPER = 1\n", encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-c", "from utils.data import fetch"], cwd=folder, capture_output=True, text=True
        )
    kind, _, message = result.stderr.strip().splitlines()[-1].partition(": ")
    if kind != "ModuleNotFoundError":
        raise AssertionError(f"unexpected outcome: {result.stderr}")
    raise ModuleNotFoundError(message)


def readme_troubleshooting() -> str:
    """The table of docs/troubleshooting.md (the README links to it)."""
    text = (REPO_ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    assert "docs/troubleshooting.md" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Messages", 1)[1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_student_sees_a_clear_message(case):
    make_mistake, error_type, shown = CASES[case]
    with pytest.raises(error_type) as info:
        make_mistake()
    seen = f"{type(info.value).__name__ if error_type is not KeyError else 'KeyError'}: {info.value}"
    assert seen.startswith(shown), f"{case}: the student sees\n  {seen}\nnot\n  {shown}"
    # Messages explain a fix, not just the problem: they are full sentences beyond the first.
    assert error_type in (IndexError, ModuleNotFoundError) or len(re.findall(r"[.:?]", str(info.value))) >= 2


@pytest.mark.parametrize("case", sorted(CASES))
def test_readme_lists_the_message(case):
    shown = CASES[case][2]
    table = readme_troubleshooting()
    # The README may abbreviate a message with "…"; every row's first words must be there verbatim.
    assert shown[:45] in table, f"docs/troubleshooting.md does not list: {shown[:45]}"


@pytest.mark.parametrize("path", sorted(DOWNLOAD_CASES))
def test_download_faults_are_named(path, isolated_data, payload_entry, http_server, monkeypatch):
    url, _ = http_server
    payload_entry(url + path)
    monkeypatch.setattr("utils.download.SLOW_WINDOW", 0.5)
    with pytest.raises(DataFileError) as info:
        fetch("payload.txt", timeout=1, progress=False)
    assert f"DataFileError: {info.value}".startswith(DOWNLOAD_CASES[path])
    readme_row = DOWNLOAD_CASES[path].replace("payload.txt", "…").split(" for 0.5 s")[0]
    assert readme_row[:60] in readme_troubleshooting(), (
        f"docs/troubleshooting.md does not list: {readme_row[:60]}"
    )
