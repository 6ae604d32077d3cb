"""Check token IDs before an embedding lookup, with an error message that says what to fix.

``torch.nn.Embedding`` answers a bad ID with ``IndexError: index out of range in self``, which names
neither the ID, nor where it is, nor the valid range. :func:`check_token_ids` does.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def _position(flat_index: int, shape: tuple[int, ...]) -> int | tuple[int, ...]:
    """The index of element ``flat_index`` of a row-major tensor of ``shape``: an int for 1-D, else a tuple."""
    if len(shape) <= 1:
        return flat_index
    position = []
    for size in reversed(shape):
        position.append(flat_index % size)
        flat_index //= size
    return tuple(reversed(position))


def check_token_ids(ids: torch.Tensor | Sequence | int, vocab_size: int) -> torch.Tensor:
    """Return ``ids`` as an integer tensor after checking that every ID is a row of a ``vocab_size`` table.

    Valid IDs are ``0, 1, ..., vocab_size - 1``. Accepts a tensor, a (nested) list of ints or one int.

    Raises:
        TypeError: the IDs are not integers (floats, booleans), or ``vocab_size`` is not an int.
        ValueError: ``vocab_size`` < 1, or an ID is negative or ≥ ``vocab_size``; the message names the
            first bad ID, its position, the valid range, how many IDs are bad, and a hint.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int):
        raise TypeError(f"vocab_size must be an int, got {type(vocab_size).__name__}.")
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be at least 1, got {vocab_size}.")
    tensor = torch.as_tensor(ids)
    if tensor.numel() == 0 and not isinstance(ids, torch.Tensor):
        tensor = tensor.long()  # torch.as_tensor([]) is float32; an empty list of IDs is fine
    if tensor.dtype == torch.bool or tensor.dtype.is_floating_point or tensor.dtype.is_complex:
        raise TypeError(
            f"Token IDs must be integers, got dtype {tensor.dtype}. Hint: IDs index rows of the table; "
            "did you pass embeddings, probabilities or a mask instead of IDs? Whole-number floats can be "
            "converted with ids.long()."
        )
    bad = (tensor < 0) | (tensor >= vocab_size)
    if bad.any():
        flat_bad = bad.flatten().nonzero().flatten()
        first = int(flat_bad[0])
        value = int(tensor.flatten()[first])
        count = f"{len(flat_bad)} of {tensor.numel()} IDs out of range; the first is shown"
        if value < 0:
            hint = ("negative IDs are not allowed (the lookup does not count from the end). If -1 marks "
                    "padding, replace it with a real padding ID and pass padding_idx=... to nn.Embedding.")
        else:
            hint = (f"the IDs come from a larger vocabulary than this table has rows. Use the tokenizer that "
                    f"matches the table, or create it with num_embeddings ≥ {int(tensor.max()) + 1} "
                    "(the largest ID + 1).")
        raise ValueError(
            f"Token ID {value} at position {_position(first, tuple(tensor.shape))} is out of range: valid IDs "
            f"are 0 to {vocab_size - 1} for a vocabulary of {vocab_size} ({count}). Hint: {hint}"
        )
    return tensor
