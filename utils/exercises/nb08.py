"""Exercise checks for notebook 08 (positions measured)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import torch

from . import NotAnswered, NotYet, call_student, exercise, expect_type, multiple_choice, reflection

METHODS = ("none", "learned", "sinusoidal", "rope", "alibi")
ALIASES = {"nope": "none", "no positions": "none", "learned absolute": "learned", "absolute": "learned",
           "sinusoid": "sinusoidal", "sin": "sinusoidal", "rotary": "rope"}
KEEPS = 0.9  # "keeps its accuracy": mean accuracy beyond the training length of at least 0.9

# Filled by notebook 08, section 4 (record_beyond_accuracy): the mean accuracy of each method on the positions
# beyond the training length, None where the method cannot read the sequence. 08.1's answer is computed from it.
_MEASURED: dict[str, float | None] = {}


def record_beyond_accuracy(beyond: Mapping[str, float | None]) -> None:
    """Notebook 08, section 4: record each method's mean accuracy beyond the training length for 08.1."""
    unknown = set(beyond) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown method(s) {sorted(unknown)}; the methods are {', '.join(METHODS)}.")
    _MEASURED.clear()
    _MEASURED.update({name: None if value is None else float(value) for name, value in beyond.items()})


def measured_survivors() -> frozenset[str]:
    """The methods whose recorded accuracy beyond the training length is at least 0.9 (08.1's answer).

    Before section 4 has run there is nothing to compare with: the check waits (⏳), it does not judge.
    """
    if not _MEASURED:
        raise NotAnswered("Nothing measured yet: run section 4 of the notebook first (08.1's answer is its table).")
    return frozenset(name for name, value in _MEASURED.items() if value is not None and value >= KEEPS)


FILLER = {"only", "and", "just", "alone", "&", "+"}  # "alibi only", "rope and alibi"


def _method_names(answer) -> set[str]:
    if hasattr(answer, "tolist") and not isinstance(answer, str):  # a NumPy array or a tensor of names
        answer = answer.tolist()
        answer = answer if isinstance(answer, list) else [answer]
    if isinstance(answer, str):
        parts = (part.strip(".!") for part in re.split(r"[,;\s]+", answer))
        answer = [part for part in parts if part and part.lower() not in FILLER]
    if not isinstance(answer, (set, frozenset, list, tuple)):
        raise NotYet(f"Expected a set of method names such as {{'none', 'rope'}}, got a {type(answer).__name__}.")
    names = set()
    for item in answer:
        if not isinstance(item, str):
            raise NotYet(f"Every entry must be a method name (a string), got {item!r}.")
        name = ALIASES.get(item.strip().lower(), item.strip().lower())
        if name not in METHODS:
            raise NotYet(f"{item!r} is not one of the methods: {', '.join(METHODS)}.")
        names.add(name)
    return names


def _shown(name: str) -> str:
    value = _MEASURED.get(name)
    return "n/a" if value is None else f"{value:.2f}"


@exercise("08.1", "predict, then run: which methods keep their accuracy beyond the training length",
          "compare your set with the column 'beyond 16' of the table in section 4: a method keeps its accuracy "
          "when its mean there is at least 0.9.")
def check_survivors(answer) -> None:
    names = _method_names(answer)
    expected = measured_survivors()
    if names == expected:
        return
    wrong = sorted(names - expected)
    missing = sorted(expected - names)
    parts = []
    if "learned" in wrong:
        parts.append("learned: the learned model cannot even read 64 tokens, its table has 16 rows.")
        wrong.remove("learned")
    if wrong:
        parts.append(", ".join(f"{name} (measured {_shown(name)})" for name in wrong)
                     + ": below 0.9 beyond the training length.")
    if missing:
        parts.append(f"{len(missing)} method(s) that stay at or above 0.9 beyond the training length "
                     "are missing from your set.")
    raise NotYet(" ".join(parts))


@exercise("08.2", "the ALiBi bias matrix",
          "the distance matrix is (positions[:, None] - positions[None, :]).abs(); the slopes need the shape "
          "(num_heads, 1, 1) to broadcast over it, and the bias is minus slope times distance.")
def check_alibi_bias(my_alibi_bias) -> None:
    from ..positional import alibi_bias, alibi_slopes

    if not callable(my_alibi_bias):
        raise NotYet("Expected a function my_alibi_bias(num_heads, seq_len).")
    for num_heads, seq_len in [(4, 5), (8, 7), (1, 3), (6, 9), (2, 1)]:
        expected = alibi_bias(num_heads, seq_len).double()
        got = call_student(my_alibi_bias, num_heads, seq_len)
        expect_type(got, torch.Tensor, "a tensor")
        if tuple(got.shape) != (num_heads, seq_len, seq_len):
            detail = (" That is one head: multiply the distance matrix by every head's slope."
                      if tuple(got.shape) == (seq_len, seq_len) else "")
            raise NotYet(f"For num_heads={num_heads}, seq_len={seq_len} expected shape "
                         f"{(num_heads, seq_len, seq_len)}, got {tuple(got.shape)}.{detail}")
        got = got.detach().cpu().double()
        if torch.allclose(got, expected, rtol=1e-5, atol=1e-7):
            continue
        slopes = alibi_slopes(num_heads).double()[:, None, None]
        positions = torch.arange(seq_len, dtype=torch.float64)
        signed = positions[:, None] - positions[None, :]
        if torch.allclose(got, -expected, rtol=1e-5, atol=1e-7):
            raise NotYet("Your bias has the wrong sign: ALiBi *penalises* distant keys, so the entries are ≤ 0.")
        if torch.allclose(got, -slopes * signed, rtol=1e-5, atol=1e-7) or \
                torch.allclose(got, slopes * signed, rtol=1e-5, atol=1e-7):
            raise NotYet("Above the diagonal your entries have the opposite sign of those below it: use the "
                         "absolute distance |i − j|.")
        if torch.allclose(got, -signed.abs().expand_as(got), rtol=1e-5, atol=1e-7):
            raise NotYet("Every head has slope 1: multiply head h's distances by alibi_slopes(num_heads)[h].")
        if torch.allclose(got, -slopes.flip(0) * signed.abs(), rtol=1e-5, atol=1e-7):
            raise NotYet("The heads are in reverse order: head 0 has the steepest slope, alibi_slopes(n)[0].")
        if torch.allclose(got, expected.tril(), rtol=1e-5, atol=1e-7) or \
                torch.allclose(got, expected.triu(), rtol=1e-5, atol=1e-7):
            raise NotYet("Your bias is zero on one side of the diagonal (a causal, triangular bias): ALiBi's bias is "
                         "-m_h·|i − j| for every pair, symmetric; the causal mask is applied separately, after it.")
        raise NotYet(f"For num_heads={num_heads}, seq_len={seq_len} the values differ from -slope_h · |i − j|.")


multiple_choice(
    "08.3",
    "why the learned model cannot read 32 tokens while ALiBi can",
    "what does the learned model look up for a position, and what does ALiBi's bias depend on (section 2)?",
    {
        "a": (False, "more training would not help: the model has no row for position 16 at all, so there is "
                     "nothing to train; the ValueError comes before any arithmetic."),
        "b": (True, "the learned model adds row p of a table with 16 rows (positions 0–15), so position 16 has "
                    "no vector; ALiBi adds -m_h·|i-j|, a formula of the distance defined for any pair."),
        "c": (False, "ALiBi stores no table at all: its bias is computed from the distance |i-j| and fixed "
                     "slopes, for whatever length comes in."),
        "d": (False, "ALiBi's slopes are fixed (2^(-8h/H)), not learned; nothing adapts to longer inputs."),
        "e": (False, "in this model the table has exactly 16 rows: position 16 does not exist (a ValueError), "
                     "it is not an untrained row. Untrained rows happen when a table is larger than the "
                     "windows it was trained on, not here."),
    },
)

reflection(
    "08.4",
    "reflection: what 'defined at any length' does and does not promise",
    "A bias or rotation defined at every distance lets the model run on 64 tokens: on the copy task ALiBi's "
    "accuracy beyond the training length stays high (0.98); its steepest-slope head is local, other heads "
    "look far, and which of them the accuracy rests on is not tested (section 6, optional section 11). "
    "Being defined is not the same as being right: RoPE converged on the repeated-segment task on every "
    "seed and is near 1.0 at 16 tokens, yet falls to about 0.3 when the repeat is 32 back, a distance never "
    "seen in training, while up to 40 tokens it stays near 0.97 with a repeat 8 back (optional section 10). "
    "ALiBi did not converge on that task, so it says nothing about ALiBi. A learned table is not even "
    "defined past its rows.",
)
