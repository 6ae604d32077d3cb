"""The bad-input catalogue of README.md's troubleshooting section, one test per row.

Each case makes the mistake a student makes, checks the error type and that the message a student sees
starts the way the README says, and checks that the README still lists it. Data-file faults (no network,
corrupt or truncated files, unwritable cache) are tested in tests/test_data.py with a local server.
"""

from __future__ import annotations

import re

import pytest
import torch

from utils.data import REPO_ROOT, fetch
from utils.positional import apply_rope, position_ids, sinusoidal_encoding
from utils.token_ids import check_token_ids
from utils.windows import SlidingWindowDataset, create_dataloader
from utils.word_vectors import load_word_vectors

IDS = list(range(100))

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
}


def readme_troubleshooting() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Troubleshooting", 1)[1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_student_sees_a_clear_message(case):
    make_mistake, error_type, shown = CASES[case]
    with pytest.raises(error_type) as info:
        make_mistake()
    seen = f"{type(info.value).__name__ if error_type is not KeyError else 'KeyError'}: {info.value}"
    assert seen.startswith(shown), f"{case}: the student sees\n  {seen}\nnot\n  {shown}"
    # Messages explain a fix, not just the problem: they are full sentences beyond the first.
    assert error_type is IndexError or len(re.findall(r"[.:?]", str(info.value))) >= 2


@pytest.mark.parametrize("case", sorted(CASES))
def test_readme_lists_the_message(case):
    shown = CASES[case][2]
    table = readme_troubleshooting()
    # The README may abbreviate a message with "…"; every row's first words must be there verbatim.
    assert shown[:45] in table, f"README.md's troubleshooting table does not list: {shown[:45]}"
