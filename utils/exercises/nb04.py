"""Exercise checks for notebook 04 (sliding-window batching)."""

from __future__ import annotations

from functools import lru_cache

import torch
from torch.utils.data import DataLoader

from utils.exercises import NotYet, exercise, expect_shape, expect_type


@lru_cache(maxsize=1)
def _verdict_ids() -> tuple[int, ...]:
    from utils.data import fetch
    from utils.tokenizer import gpt2_tokenizer

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
          "with max_length=8 and stride=2, neighbouring windows share 6 tokens; use batch_size=4, "
          "shuffle=False.")
def check_batch_8_2(answer) -> None:
    _check_batch(answer, batch_size=4, max_length=8, stride=2)


@exercise("04.3", "the number of batches, predicted",
          "number of windows = (n - max_length - 1) // stride + 1; with drop_last=True a partial batch "
          "at the end is dropped.")
def check_batch_count(answer) -> None:
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise NotYet(f"Expected a whole number of batches (an int), got a {type(answer).__name__}.")
    num_tokens, max_length, stride, batch_size = len(_verdict_ids()), 8, 2, 8
    windows = len(range(0, num_tokens - max_length, stride))
    if answer == -(-windows // batch_size):
        raise NotYet("Almost: that counts the last, partial batch, which drop_last=True drops.")
    if answer == windows:
        raise NotYet("That is the number of windows; a batch holds batch_size of them.")
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
    if not torch.equal(answer, expected):
        raise NotYet("Right shape, wrong windows: unfold the GPT-2 token tensor of the whole text.")
    if answer.untyped_storage().nbytes() != len(ids) * 8:
        raise NotYet("Right windows, but they were copied: the answer should be a view into `tokens` "
                     "(no torch.tensor(...), .clone(), .contiguous() or torch.stack).")
