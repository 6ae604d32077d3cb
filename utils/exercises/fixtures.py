"""What several notebooks' exercise checks share: loaders of course data and answer converters.

Checks for notebook NN import from here, never from another notebook's ``nbNN`` module.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from . import NotYet, as_int, expect_type


@functools.cache
def gpt2():
    """The course's GPT-2 tokenizer (tiktoken, offline)."""
    from ..tokenizer import gpt2_tokenizer

    return gpt2_tokenizer()


@functools.cache
def english_words() -> frozenset[str]:
    """The lower-case vocabulary of the course's GloVe vectors (400,000 words): what a check counts as a word."""
    from ..word_vectors import load_word_vectors

    return frozenset(load_word_vectors().key_to_index)


@functools.cache
def verdict_ids() -> tuple[int, ...]:
    """The GPT-2 token IDs of The Verdict (5,145 of them), as notebook 04 section 1 makes them (04 and 05)."""
    from ..data import fetch

    text = fetch("the-verdict.txt").read_text(encoding="utf-8")
    return tuple(gpt2().encode(text, allowed_special={"<|endoftext|>"}))


def as_id_list(answer: Any, what: str) -> list[int]:
    """A list/tuple of integers, a 1-D integer tensor or a 1-D integer NumPy array, as a list of Python ints."""
    if isinstance(answer, (torch.Tensor, np.ndarray)):
        if answer.ndim != 1:
            raise NotYet(f"Expected {what} as a flat sequence, got {answer.ndim} dimensions.")
        answer = list(answer)
    expect_type(answer, (list, tuple), what)
    values = []
    for token in answer:
        try:
            values.append(as_int(token, "an integer token ID"))
        except NotYet as error:
            raise NotYet(f"Every element should be an integer token ID. {error}") from None
    return values
