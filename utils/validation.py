"""Argument checks shared by the course's modules, with one contract.

* a value of the wrong **type** raises ``TypeError`` (``stride=1.5``, ``max_length=True``, IDs as floats);
* a value of the right type but a wrong **value** raises ``ValueError`` (``stride=0``, a negative ID).

Every message names the argument, shows what was passed and says what to pass instead, so a student can fix
the call without reading the source. The algorithms then read like the notebooks: one line of checks, then
the idea.
"""

from __future__ import annotations

import numbers
import sys

from . import _guard  # noqa: F401  (stops when another `utils` shadows the course's)

__all__ = [
    "check_int",
    "check_positive_int",
    "check_positive_number",
    "check_str",
    "integer_kind",
    "require_integer_ids",
]


def check_int(value: object, name: str, *, minimum: int | None = None, example: int = 4) -> int:
    """``value`` as a Python int: an integer (Python, NumPy or a one-element integer tensor), not a bool.

    Raises:
        TypeError: ``value`` is not a whole number (a float, a string, ``None``, a bool).
        ValueError: ``value`` is smaller than ``minimum``.
    """
    torch = sys.modules.get("torch")  # not imported: then value cannot be a tensor (utils.data stays light)
    if (
        torch is not None
        and isinstance(value, torch.Tensor)
        and value.numel() == 1
        and integer_kind(value.dtype)
    ):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        adjective = "a positive integer" if minimum == 1 else "an integer"
        raise TypeError(
            f"{name} must be {adjective}, got {value!r} ({type(value).__name__}). "
            f"Pass a whole number such as {name}={example}."
        )
    if minimum is not None and value < minimum:
        wanted = "a positive whole number" if minimum == 1 else f"a whole number ≥ {minimum}"
        raise ValueError(
            f"{name} must be at least {minimum}, got {value}. Pass {wanted} such as {name}={example}."
        )
    return int(value)


def check_positive_int(value: object, name: str, *, example: int = 4) -> int:
    """``value`` as an int ≥ 1 (sizes, lengths, strides, counts); TypeError / ValueError otherwise."""
    return check_int(value, name, minimum=1, example=example)


def check_positive_number(value: object, name: str, *, example: float = 15) -> float:
    """``value`` as a float > 0 (timeouts, rates): TypeError for a non-number or a bool, ValueError for ≤ 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a positive number, got {value!r} ({type(value).__name__}). "
            f"Pass a number such as {name}={example}."
        )
    if not value > 0:  # also catches NaN
        raise ValueError(
            f"{name} must be greater than 0, got {value}. Pass a number such as {name}={example}."
        )
    return float(value)


def check_str(value: object, name: str, *, example: str) -> str:
    """``value`` if it is a str; TypeError otherwise."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str, got {value!r} ({type(value).__name__}). Pass e.g. {example!r}."
        )
    return value


def integer_kind(dtype: object) -> str:
    """``"i"`` for a signed and ``"u"`` for an unsigned integer dtype (NumPy or torch), ``""`` otherwise."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(dtype, torch.dtype):
        if dtype == torch.bool or dtype.is_floating_point or dtype.is_complex:
            return ""
        return "i" if dtype.is_signed else "u"
    import numpy as np

    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        return ""
    return kind if kind in "iu" else ""


def require_integer_ids(dtype: object) -> None:
    """TypeError unless ``dtype`` is an integer dtype: token IDs are row numbers of an embedding table."""
    if not integer_kind(dtype):
        raise TypeError(
            f"Token IDs must be integers, got dtype {dtype}. Token IDs are row numbers of an "
            "embedding table; convert whole-number IDs with .long() (tensor) or "
            ".astype(np.int64) (array), or tokenize the text again."
        )
