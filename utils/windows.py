"""Sliding-window input/target pairs for next-token prediction, as zero-copy views.

The classic dataset of *Build a Large Language Model (From Scratch)*, chapter 2, copies every window::

    for i in range(0, len(ids) - max_length, stride):
        inputs.append(torch.tensor(ids[i:i + max_length]))
        targets.append(torch.tensor(ids[i + 1:i + max_length + 1]))

:class:`SlidingWindowDataset` gives exactly the same ``(inputs, targets)`` pairs, in the same order, as
views into a single int64 token tensor (``Tensor.unfold``): building it copies nothing, whatever the stride.
NumPy arrays, including an ``np.memmap`` of a tokenized corpus far larger than RAM, are windowed lazily:
each item reads its ``max_length + 1`` tokens and converts them to int64 only when it is asked for.

The range end ``len(ids) - max_length`` is exclusive: a window may start at ``s`` only if its target,
which ends one token later than its input, still fits (``s + max_length + 1 <= len(ids)``). Hence
:func:`count_windows`: ``(len(ids) - max_length - 1) // stride + 1`` windows.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)
from .validation import check_int, check_positive_int, require_integer_ids

TokenIds = Sequence[int] | torch.Tensor | np.ndarray

__all__ = ["SlidingWindowDataset", "TensorWindows", "ArrayWindows", "count_windows", "create_dataloader"]


def count_windows(num_tokens: int, max_length: int, stride: int) -> int:
    """How many windows ``range(0, num_tokens - max_length, stride)`` yields: ``ceil((n - L) / stride)``.

    Equal to ``(num_tokens - max_length - 1) // stride + 1`` when ``num_tokens > max_length``, else 0.
    """
    num_tokens = check_int(num_tokens, "num_tokens", minimum=0, example=5145)
    max_length = check_positive_int(max_length, "max_length")
    stride = check_positive_int(stride, "stride")
    if num_tokens <= max_length:
        return 0
    return (num_tokens - max_length - 1) // stride + 1


def _reject_negative(smallest: int, where: str = "") -> None:
    if smallest < 0:
        raise ValueError(
            f"Token IDs must be >= 0, found {smallest}{where}. Token IDs are row numbers of an "
            "embedding table; pass the IDs a tokenizer produced."
        )


def _name_non_integer_element(token_ids: Sequence) -> None:
    """TypeError naming the first element that is not an integer (nested lists are left to the 1-D check)."""
    for position, token in enumerate(token_ids):
        if isinstance(token, Sequence) and not isinstance(token, str | bytes):
            continue
        if isinstance(token, bool) or not isinstance(token, numbers.Integral):
            raise TypeError(
                f"Token IDs must be integers, but element {position} is {token!r} "
                f"({type(token).__name__}). Pass the list the tokenizer's encode() returns."
            )


def _as_int64_tensor(token_ids: Sequence[int] | torch.Tensor) -> torch.Tensor:
    """A 1-D int64 tensor of ``token_ids``; an int64 tensor is returned as it is (no copy)."""
    if isinstance(token_ids, torch.Tensor):
        require_integer_ids(token_ids.dtype)
        tokens = token_ids.to(torch.int64)  # returns token_ids itself when it is int64 already
    elif isinstance(token_ids, str | bytes):
        raise TypeError(
            "SlidingWindowDataset needs token IDs, got a string. Tokenize it first, or "
            "pass the text to create_dataloader(), which tokenizes it with GPT-2's BPE."
        )
    elif not isinstance(token_ids, Sequence):
        raise TypeError(
            f"Token IDs must be a list of ints, a 1-D integer tensor or a NumPy array, "
            f"got {type(token_ids).__name__}."
        )
    else:
        try:
            array = np.asarray(token_ids) if len(token_ids) else np.zeros(0, dtype=np.int64)
        except ValueError:  # rows of different lengths
            raise ValueError(
                "Token IDs must be one flat sequence of ints, got nested lists of different lengths. "
                "Concatenate the documents' IDs first."
            ) from None
        if array.dtype.kind not in "iu":  # find the culprit only on this (slow, rare) path
            _name_non_integer_element(token_ids)
            raise TypeError(f"Token IDs must be integers that fit in int64, got dtype {array.dtype}.")
        tokens = torch.from_numpy(array.astype(np.int64, copy=False))
    if tokens.dim() != 1:
        raise ValueError(
            f"Token IDs must be one flat sequence (1-D), got shape {tuple(tokens.shape)}. "
            "Concatenate the documents' IDs first, e.g. with .flatten() or torch.cat()."
        )
    if tokens.numel():
        _reject_negative(int(tokens.min()))
    return tokens


class SlidingWindowDataset(Dataset):
    """Input/target windows of ``max_length`` tokens, starting every ``stride`` tokens.

    Item ``i`` is ``(ids[s:s + max_length], ids[s + 1:s + max_length + 1])`` with ``s = i * stride``, as int64
    tensors: exactly the classic ``for s in range(0, len(ids) - max_length, stride)`` loop.

    ``SlidingWindowDataset(token_ids, max_length, stride)`` picks one of two storage strategies:

    * :class:`TensorWindows` for a list of ints or a 1-D integer tensor: one int64 tensor and two
      ``(N, max_length)`` views into it, :attr:`inputs` and :attr:`targets`; building copies no tokens;
    * :class:`ArrayWindows` for a 1-D integer NumPy array or ``np.memmap`` (for example uint16, which holds
      every GPT-2 ID and which torch supports only partially): nothing is read up front; each item reads
      its ``max_length + 1`` tokens and converts them to int64 when it is requested.
    """

    inputs: torch.Tensor | None = None
    targets: torch.Tensor | None = None
    tokens: torch.Tensor | None = None

    def __new__(cls, *args, **kwargs):
        if cls is SlidingWindowDataset:  # the public name chooses the strategy from the IDs' type
            token_ids = args[0] if args else kwargs.get("token_ids")
            cls = ArrayWindows if isinstance(token_ids, np.ndarray) else TensorWindows
        return super().__new__(cls)

    def _set_sizes(self, max_length: int, stride: int) -> None:
        self.max_length = check_positive_int(max_length, "max_length")
        self.stride = check_positive_int(stride, "stride")

    def _count(self, num_tokens: int) -> None:
        """Count the windows; a text shorter than one window is an error."""
        self.num_tokens = num_tokens
        if num_tokens < self.max_length + 1:
            raise ValueError(
                f"Only {num_tokens} tokens, but max_length={self.max_length} needs at least "
                f"{self.max_length + 1} (max_length + 1: the target is the input shifted by one "
                "token). Use a longer text or a smaller max_length."
            )
        self._length = count_windows(num_tokens, self.max_length, self.stride)

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return (
            f"SlidingWindowDataset({len(self)} windows of max_length={self.max_length}, "
            f"stride={self.stride}, over {self.num_tokens:,} tokens; {self._source})"
        )


class TensorWindows(SlidingWindowDataset):
    """The windows as views into one int64 token tensor (``Tensor.unfold``): zero copies, whatever the stride."""

    _source = "int64 tensor views"

    def __init__(self, token_ids: Sequence[int] | torch.Tensor, max_length: int, stride: int) -> None:
        self._set_sizes(max_length, stride)
        self.tokens = _as_int64_tensor(token_ids)
        self._count(len(self.tokens))
        # Inputs start at 0, stride, ...; targets are the same windows one token later. Unfolding
        # tokens[:-1] keeps exactly the starts s with s + max_length + 1 <= len, like the classic loop.
        self.inputs = self.tokens[:-1].unfold(0, self.max_length, self.stride)
        self.targets = self.tokens[1:].unfold(0, self.max_length, self.stride)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs[index], self.targets[index]


class ArrayWindows(SlidingWindowDataset):
    """The windows read lazily from a NumPy array or memmap: each item reads ``max_length + 1`` tokens.

    Negative IDs in a signed memmap are reported when the window holding them is read, not up front.
    """

    _source = "NumPy array, read lazily"

    def __init__(self, token_ids: np.ndarray, max_length: int, stride: int) -> None:
        self._set_sizes(max_length, stride)
        require_integer_ids(token_ids.dtype)
        if token_ids.ndim != 1:
            raise ValueError(
                f"Token IDs must be one flat sequence (1-D), got shape {token_ids.shape}. "
                "Use .reshape(-1) or np.concatenate() first."
            )
        if token_ids.dtype.kind == "i" and not isinstance(token_ids, np.memmap) and token_ids.size:
            _reject_negative(int(token_ids.min()))  # in RAM anyway: check now (a memmap would be read whole)
        self.array = token_ids
        self._count(int(token_ids.shape[0]))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not -self._length <= index < self._length:
            raise IndexError(f"window {index} out of range for {self._length} windows")
        start = (index % self._length) * self.stride
        chunk = torch.from_numpy(self.array[start : start + self.max_length + 1].astype(np.int64))
        _reject_negative(int(chunk.min()), f" in window {index}")
        return chunk[:-1], chunk[1:]


def create_dataloader(
    text_or_ids: str | TokenIds,
    batch_size: int = 4,
    max_length: int = 256,
    stride: int = 128,
    shuffle: bool = True,
    drop_last: bool = True,
    num_workers: int = 0,
    tokenizer=None,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """Text or token IDs → a ``DataLoader`` of ``(inputs, targets)`` batches, each ``(batch_size, max_length)``.

    A string is encoded with ``tokenizer`` (default: GPT-2's BPE from :func:`utils.tokenizer.gpt2_tokenizer`,
    with ``<|endoftext|>`` allowed). Pass a seeded ``generator`` (``torch.Generator().manual_seed(...)``)
    to make the shuffled order reproducible.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    if isinstance(text_or_ids, str):
        if not text_or_ids:
            raise ValueError(
                "The text is empty: there is nothing to cut into windows. Pass the text itself, "
                "e.g. fetch('the-verdict.txt').read_text()."
            )
        if tokenizer is None:
            from .tokenizer import gpt2_tokenizer

            tokenizer = gpt2_tokenizer()
        token_ids = tokenizer.encode(text_or_ids, allowed_special={"<|endoftext|>"})
    elif isinstance(text_or_ids, list | tuple | torch.Tensor | np.ndarray):
        token_ids = text_or_ids
    else:
        raise TypeError(
            f"create_dataloader needs a text (str) or token IDs (list of ints, 1-D integer tensor "
            f"or NumPy array), got {type(text_or_ids).__name__}. For a file, pass "
            "path.read_text(encoding='utf-8')."
        )
    dataset = SlidingWindowDataset(token_ids, max_length=max_length, stride=stride)
    if drop_last and len(dataset) < batch_size:
        raise ValueError(
            f"Only {len(dataset)} windows, fewer than batch_size={batch_size}: with drop_last=True "
            "the loader would yield no batch at all. Use a smaller batch_size or stride, a longer "
            "text, or drop_last=False."
        )
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        num_workers=num_workers,
        generator=generator,
    )
