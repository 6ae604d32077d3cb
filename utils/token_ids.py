"""Check token IDs before an embedding lookup, with an error message that says what to fix.

``torch.nn.Embedding`` answers a bad ID with ``IndexError: index out of range in self``, which names
neither the ID, nor where it is, nor the valid range. :func:`check_token_ids` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)
from .validation import check_positive_int, integer_kind, require_integer_ids


def _position(flat_index: int, shape: tuple[int, ...]) -> int | tuple[int, ...]:
    """The index of element ``flat_index`` of a row-major tensor of ``shape``: an int for 1-D, else a tuple."""
    if len(shape) <= 1:
        return flat_index
    position = []
    for size in reversed(shape):
        position.append(flat_index % size)
        flat_index //= size
    return tuple(reversed(position))


def _as_tensor(ids: object) -> torch.Tensor:
    """``ids`` as a tensor; NumPy arrays are copied (a read-only memmap cannot be shared with torch)."""
    if isinstance(ids, torch.Tensor):
        return ids
    if isinstance(ids, str | bytes):
        raise TypeError(
            f"Token IDs must be integers, got a {type(ids).__name__}. Tokenize the text first, "
            "e.g. gpt2_tokenizer().encode(text)."
        )
    if isinstance(ids, np.ndarray):
        require_integer_ids(ids.dtype)
        return torch.from_numpy(np.array(ids, dtype=np.int64 if ids.dtype.kind == "u" else None))
    try:
        tensor = torch.as_tensor(ids)
    except (TypeError, ValueError, RuntimeError) as error:
        raise (ValueError if isinstance(ids, Sequence) else TypeError)(
            f"Token IDs must be an int, a (nested) list of ints of equal lengths, a tensor or a NumPy array; "
            f"got {type(ids).__name__} that torch cannot read ({error}). Pad the rows to one length or "
            "flatten them."
        ) from None
    if tensor.numel() == 0:
        tensor = tensor.long()  # torch.as_tensor([]) is float32; an empty list of IDs is fine
    return tensor


def check_token_ids(ids: torch.Tensor | np.ndarray | Sequence | int, vocab_size: int) -> torch.Tensor:
    """Return ``ids`` as an integer tensor after checking that every ID is a row of a ``vocab_size`` table.

    Valid IDs are ``0, 1, ..., vocab_size - 1``. Accepts a tensor, a NumPy array (a ``np.memmap`` too), a
    (nested) list of ints or one int. Signed integer tensors come back as they are (no copy); unsigned
    IDs (``uint16`` is how token files are stored) come back as int64, which ``nn.Embedding`` accepts.

    Raises:
        TypeError: the IDs are not integers (floats, booleans, text), or ``vocab_size`` is not an int.
        ValueError: ``vocab_size`` < 1, ragged nested lists, or an ID negative or ≥ ``vocab_size``; the
            message names the first bad ID, its position, the valid range, how many IDs are bad, and a hint.
    """
    vocab_size = check_positive_int(vocab_size, "vocab_size", example=50257)
    tensor = _as_tensor(ids)
    require_integer_ids(tensor.dtype)
    if integer_kind(tensor.dtype) == "u":
        tensor = tensor.to(torch.int64)  # torch compares uint16/32/64 only partially; IDs fit in int64
    bad = (tensor < 0) | (tensor >= vocab_size)
    if bad.any():
        flat_bad = bad.flatten().nonzero().flatten()
        first = int(flat_bad[0])
        value = int(tensor.flatten()[first])
        count = f"{len(flat_bad)} of {tensor.numel()} IDs out of range; the first is shown"
        if value < 0:
            hint = (
                "negative IDs are not allowed (the lookup does not count from the end). If -1 marks "
                "padding, replace it with a real padding ID and pass padding_idx=... to nn.Embedding."
            )
        else:
            hint = (
                f"the IDs come from a larger vocabulary than this table has rows. Use the tokenizer that "
                f"matches the table, or create it with num_embeddings ≥ {int(tensor.max()) + 1} "
                "(the largest ID + 1)."
            )
        raise ValueError(
            f"Token ID {value} at position {_position(first, tuple(tensor.shape))} is out of range: valid IDs "
            f"are 0 to {vocab_size - 1} for a vocabulary of {vocab_size} ({count}). Hint: {hint}"
        )
    return tensor
