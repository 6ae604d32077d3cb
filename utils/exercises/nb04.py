"""Exercise checks for notebook 04 (sliding-window batching)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from torch.utils.data import DataLoader

from . import NotYet, as_int, exercise, expect_shape, expect_type


@lru_cache(maxsize=1)
def _verdict_ids() -> tuple[int, ...]:
    from ..data import fetch
    from ..tokenizer import gpt2_tokenizer

    text = fetch("the-verdict.txt").read_text(encoding="utf-8")
    return tuple(gpt2_tokenizer().encode(text, allowed_special={"<|endoftext|>"}))


def _first_batch(batch_size: int, max_length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The expected first batch, computed with the classic loop (not with utils.windows)."""
    ids = _verdict_ids()
    starts = list(range(0, len(ids) - max_length, stride))[:batch_size]
    inputs = torch.tensor([ids[s:s + max_length] for s in starts])
    targets = torch.tensor([ids[s + 1:s + max_length + 1] for s in starts])
    return inputs, targets


def _check_batch(answer, batch_size: int, max_length: int, stride: int) -> None:
    if isinstance(answer, DataLoader):
        raise NotYet("That is the loader itself; the answer is the first batch it yields: next(iter(loader)).")
    if isinstance(answer, list) and len(answer) == 2:
        answer = tuple(answer)
    expect_type(answer, tuple, "a pair (inputs, targets): the first batch the loader yields")
    if len(answer) != 2:
        raise NotYet(f"Expected a pair (inputs, targets), got a tuple of {len(answer)} items.")
    inputs, targets = answer
    expect_type(inputs, torch.Tensor, "inputs as a tensor")
    expect_type(targets, torch.Tensor, "targets as a tensor")
    expect_shape(inputs, (batch_size, max_length))
    expect_shape(targets, (batch_size, max_length))
    if not torch.equal(inputs[:, 1:], targets[:, :-1]):
        raise NotYet("Each target row should be its input row shifted left by one token.")
    expected_inputs, expected_targets = _first_batch(batch_size, max_length, stride)
    if not torch.equal(inputs, expected_inputs) or not torch.equal(targets, expected_targets):
        if torch.equal(inputs[0], expected_inputs[0]):
            raise NotYet(f"The first row is right but later rows are not: do the windows start every "
                         f"{stride} tokens, in order (shuffle=False)?")
        raise NotYet("Right shape, wrong tokens: use the GPT-2 tokens of the whole text and shuffle=False.")


@exercise("04.1", "the first batch for max_length=2, stride=2",
          "pass the four settings to create_dataloader(raw_text, ...); a loader's first batch is "
          "next(iter(loader)).")
def check_batch_2_2(answer) -> None:
    _check_batch(answer, batch_size=8, max_length=2, stride=2)


@exercise("04.2", "the first batch for max_length=8, stride=2",
          "with stride=2 each window starts 2 tokens after the previous one; use batch_size=4, "
          "shuffle=False and compare rows 0 and 1 of the inputs.")
def check_batch_8_2(answer) -> None:
    _check_batch(answer, batch_size=4, max_length=8, stride=2)


@exercise("04.3", "the number of batches, predicted",
          "count the windows first (the last window's target must still fit in the text), then how many "
          "full batches of 8 they make.")
def check_batch_count(answer) -> None:
    answer = as_int(answer, "a number of batches")
    num_tokens, max_length, stride, batch_size = len(_verdict_ids()), 8, 2, 8
    windows = len(range(0, num_tokens - max_length, stride))
    if answer == -(-windows // batch_size):
        raise NotYet("Almost: that counts the last, partial batch, which drop_last=True drops.")
    if abs(answer - windows) <= 1:
        raise NotYet("That is (about) the number of windows; a batch holds batch_size of them.")
    if answer != windows // batch_size:
        raise NotYet("Not the number of batches: count the windows first, then the full batches.")


@exercise("04.4", "input windows as a zero-copy view",
          "tokens[:-1].unfold(0, size, step) gives every window of `size` tokens, starting every `step`; "
          "it is a view, so no token is copied.")
def check_unfold(answer) -> None:
    expect_type(answer, torch.Tensor, "a 2-D tensor of input windows")
    ids = _verdict_ids()
    windows = len(range(0, len(ids) - 4, 4))
    expect_shape(answer, (windows, 4))
    expected = torch.tensor([ids[s:s + 4] for s in range(0, len(ids) - 4, 4)])
    if not torch.equal(answer.to(torch.int64), expected):
        raise NotYet("Right shape, wrong windows: unfold the GPT-2 token tensor of the whole text.")
    if answer.untyped_storage().nbytes() <= answer.numel() * answer.element_size():
        raise NotYet("Right windows, but they were copied: the answer should be a view into `tokens` "
                     "(no torch.tensor(...), .clone(), .contiguous() or torch.stack).")


def _positions(answer, what: str) -> list[int]:
    """A collection of integer positions (list, tuple, set, range, 1-D tensor or array) as a sorted list."""
    if isinstance(answer, torch.Tensor | np.ndarray):
        if answer.ndim != 1:
            raise NotYet(f"Expected {what} as a flat list, got an array of shape {tuple(answer.shape)}.")
        answer = answer.tolist()
    if not isinstance(answer, list | tuple | set | range):
        raise NotYet(f"Expected {what} (a list of whole numbers), got a {type(answer).__name__}.")
    return sorted(as_int(value, "a token position") for value in answer)


@exercise("04.5", "tokens that are never an input when stride > max_length",
          "with max_length=4 and stride=5 an input window covers positions s … s+3 and the next one starts "
          "at s+5: write out the first four windows and see which positions they skip.")
def check_skipped_positions(answer) -> None:
    got = _positions(answer, "the positions among 0 … 19 that are in no input window")
    max_length, stride, first = 4, 5, 20
    inside = {s + offset for s in range(0, first, stride) for offset in range(max_length)}
    expected = sorted(set(range(first)) - inside)
    if got == expected:
        return
    if got and all(p % stride == 0 for p in got):
        raise NotYet("Those are where the windows start; a start is the first token of an input window.")
    if got and all(p % stride == max_length - 1 for p in got):
        raise NotYet("Those are the last tokens of the input windows, so they are inputs; look one further.")
    if set(got) < set(expected):
        raise NotYet(f"Right so far, but there are {len(expected)} such positions among 0 … 19; you gave "
                     f"{len(got)}.")
    raise NotYet("Not these positions: some of them are inside an input window, or a skipped one is missing.")


def _open_answer(answer, topics: dict[str, tuple[str, ...]]) -> None:
    """A qualitative check of a written answer: long enough, and touching every topic (by any keyword)."""
    expect_type(answer, str, "your answer as a text (a string in quotes)")
    if len(answer.split()) < 12:
        raise NotYet("Write two or three full sentences (at least 12 words): say what happens and why.")
    text = answer.lower()
    for missing, keywords in topics.items():
        if not any(word in text for word in keywords):
            raise NotYet(f"Your answer does not yet say {missing}.")


@exercise("04.6", "strided windows or random offsets? (open question)",
          "run the comparison cell above the exercise; compare how often each token is an input per epoch "
          "with each scheme, and what matters on a corpus of billions of tokens.")
def check_sampling_discussion(answer) -> None:
    _open_answer(answer, {
        "how often each token is an input with stride = max_length (per epoch)":
            ("once", "exactly", "every token", "each token", "all tokens", "disjoint", "cover", "1 time"),
        "what random offsets give instead (some tokens several times, some never, only on average)":
            ("random", "average", "expect", "never", "miss", "twice", "several", "chance", "some tokens"),
    })
