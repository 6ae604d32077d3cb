"""Exercise checks for notebook 08 (positions measured)."""

from __future__ import annotations

import re

import torch

from . import NotYet, call_student, exercise, expect_type

METHODS = ("none", "learned", "sinusoidal", "rope", "alibi")
ALIASES = {"nope": "none", "no positions": "none", "learned absolute": "learned", "absolute": "learned",
           "sinusoid": "sinusoidal", "sin": "sinusoidal", "rotary": "rope"}
# Measured in notebook 08 (accuracy on 64-token sequences, trained on 16): only ALiBi stays above 0.9;
# the others are at most 0.7 or cannot run. The gap is far larger than run-to-run differences on a GPU.
KEEPS_ACCURACY_AT_4X = frozenset({"alibi"})


def _method_names(answer) -> set[str]:
    if isinstance(answer, str):
        answer = [part for part in re.split(r"[,\s]+", answer) if part]
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


@exercise("08.1", "predict, then run: which methods keep their accuracy at 4× the length",
          "look at the table of section 4 (column T=64) and the per-position plot; a method keeps its accuracy "
          "when its column T=64 is at least 0.9.")
def check_survivors(answer) -> None:
    names = _method_names(answer)
    if not names:
        raise NotYet("The empty set says no method works at 64 tokens; look at the column T=64 again.")
    if "learned" in names:
        raise NotYet("The learned model cannot even read 64 tokens: its table has 16 rows (the table says n/a).")
    wrong = sorted(names - KEEPS_ACCURACY_AT_4X)
    if wrong:
        raise NotYet(f"{', '.join(wrong)}: accuracy below 0.9 at 64 tokens in the table of section 4.")
    if names != KEEPS_ACCURACY_AT_4X:
        raise NotYet("Some method that stays above 0.9 at 64 tokens is missing from your set.")


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
        raise NotYet(f"For num_heads={num_heads}, seq_len={seq_len} the values differ from -slope_h · |i − j|.")


_MISSING_ROW = re.compile(r"\brows?\b|\btable\b|\bindex|\bembedding|\bvector|\bcontext.?length|\bnever (been )?"
                          r"(trained|seen|learn)|\bnot (been )?(trained|learn)|\buntrained|\bno (trained )?"
                          r"(entry|entries|parameters?)", re.I)
_DISTANCE = re.compile(r"distance|relative|\|\s*i\s*[-−]\s*j\s*\||offset|nearest|closest|recent|previous|"
                       r"neighbou?r|how far|penal|slope", re.I)


@exercise("08.3", "open question: why the learned table stops and ALiBi does not",
          "one sentence per model: what does the learned model look up for position 16, and what does ALiBi's "
          "bias depend on (see section 2)?")
def check_explanation(answer) -> None:
    if not isinstance(answer, str):
        raise NotYet(f"Expected your explanation as a string, got a {type(answer).__name__}.")
    if len(answer.split()) < 10:
        raise NotYet("Write one or two full sentences (at least 10 words): one idea for each model.")
    if not _MISSING_ROW.search(answer):
        raise NotYet("Your explanation does not say what the learned model lacks beyond position 15 (what does "
                     "it look up for a position, and what exists for position 16?).")
    if not _DISTANCE.search(answer):
        raise NotYet("Your explanation does not say what ALiBi's bias depends on, and why that is defined at "
                     "any length.")
