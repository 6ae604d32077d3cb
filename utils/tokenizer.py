"""The GPT-2 byte-pair-encoding tokenizer, built offline from the committed ``data/gpt2.tiktoken``."""

from __future__ import annotations

from functools import lru_cache

import tiktoken
from tiktoken.load import load_tiktoken_bpe

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)
from .data import REGISTRY, fetch

END_OF_TEXT = "<|endoftext|>"
# GPT-2's pre-tokenisation regex, exactly as tiktoken's own "gpt2" / "r50k_base" encodings use it.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""


@lru_cache(maxsize=1)
def gpt2_tokenizer() -> tiktoken.Encoding:
    """tiktoken's GPT-2 encoding (50,257 tokens, ``<|endoftext|>`` = 50256), with no network access.

    Token for token the same as ``tiktoken.get_encoding("gpt2")``, which would download its files.
    The ranks file is verified with the sha256 that tiktoken itself pins for it.
    """
    path = fetch("gpt2.tiktoken")
    ranks = load_tiktoken_bpe(str(path), expected_hash=REGISTRY["gpt2.tiktoken"].checksum)
    return tiktoken.Encoding(
        name="gpt2",
        pat_str=GPT2_PATTERN,
        mergeable_ranks=ranks,
        special_tokens={END_OF_TEXT: len(ranks)},
        explicit_n_vocab=50257,
    )
