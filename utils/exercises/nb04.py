"""Exercise checks for notebook 04 (sliding-window batching).

Expected values are computed from the GPT-2 tokens of *The Verdict* with the classic window loop of the book
(``range(0, n - max_length, stride)``), never with ``utils.windows``, so a bug there cannot hide here.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader

from . import NotYet, as_int, exercise, expect_shape, expect_type, multiple_choice, reflection, whole_number
from .fixtures import verdict_ids as _verdict_ids


def _starts(max_length: int, stride: int) -> range:
    """The window starts of the classic loop: a window's target must fit too."""
    return range(0, len(_verdict_ids()) - max_length, stride)


def _first_batch(batch_size: int, max_length: int, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The expected first batch, computed with the classic loop (not with utils.windows)."""
    ids = _verdict_ids()
    starts = list(_starts(max_length, stride))[:batch_size]
    inputs = torch.tensor([ids[s : s + max_length] for s in starts])
    targets = torch.tensor([ids[s + 1 : s + max_length + 1] for s in starts])
    return inputs, targets


def _as_pair(answer, what: str) -> tuple:
    """``answer`` as a 2-tuple (a list of two is accepted: a DataLoader yields lists)."""
    if isinstance(answer, list) and len(answer) == 2:
        answer = tuple(answer)
    expect_type(answer, tuple, what)
    if len(answer) != 2:
        raise NotYet(
            f"Expected a pair {what.split(':')[0].removeprefix('a pair ')}, got a tuple of "
            f"{len(answer)} items."
        )
    return answer


# --- 04.1 -------------------------------------------------------------------------------------------------


def _check_batch(answer, batch_size: int, max_length: int, stride: int) -> None:
    if isinstance(answer, DataLoader):
        raise NotYet(
            "That is the loader itself; the answer is the first batch it yields: next(iter(loader))."
        )
    inputs, targets = _as_pair(answer, "a pair (inputs, targets): the first batch the loader yields")
    expect_type(inputs, torch.Tensor, "inputs as a tensor")
    expect_type(targets, torch.Tensor, "targets as a tensor")
    expect_shape(inputs, (batch_size, max_length))
    expect_shape(targets, (batch_size, max_length))
    if not torch.equal(inputs[:, 1:], targets[:, :-1]):
        raise NotYet("Each target row should be its input row moved one token along (y[i] = x[i + 1]).")
    expected_inputs, expected_targets = _first_batch(batch_size, max_length, stride)
    if not torch.equal(inputs, expected_inputs) or not torch.equal(targets, expected_targets):
        if torch.equal(inputs[0], expected_inputs[0]):
            raise NotYet(
                f"The first row is right but later rows are not: do the windows start every "
                f"{stride} tokens, in order (shuffle=False)?"
            )
        raise NotYet("Right shape, wrong tokens: use the GPT-2 tokens of the whole text and shuffle=False.")


@exercise(
    "04.1",
    "the first batch for max_length=2, stride=2",
    "pass the four settings to create_dataloader(raw_text, ...); a loader's first batch is "
    "next(iter(loader)).",
)
def check_batch_2_2(answer) -> None:
    _check_batch(answer, batch_size=8, max_length=2, stride=2)


# --- 04.2 -------------------------------------------------------------------------------------------------


def _shared_by_neighbours() -> int:
    """How many tokens input row 0 and row 1 of the batch (4, 8, 2) share: the longest overlap, counted."""
    inputs, _ = _first_batch(batch_size=4, max_length=8, stride=2)
    first, second = inputs[0].tolist(), inputs[1].tolist()
    return max(k for k in range(len(first) + 1) if k == 0 or first[-k:] == second[:k])


whole_number(
    "04.2",
    "tokens shared by neighbouring rows (max_length=8, stride=2)",
    "row 1 starts `stride` tokens after row 0 and both are `max_length` tokens long; line up rows 0 and 1 "
    "and count the tokens they have in common.",
    "the number of tokens neighbouring input rows share",
    _shared_by_neighbours,
    {
        2: "2 is the stride: how far apart neighbouring windows start, not how many tokens they share.",
        8: "8 is max_length, the whole window; the next window starts 2 tokens later, so not all of it "
        "is shared.",
        7: "7 is what an input row shares with its own target row (moved one token along); the next input "
        "row starts `stride` = 2 tokens later.",
        10: "10 is max_length + stride; rows of 8 tokens cannot share more than 8.",
    },
)


# --- 04.3 -------------------------------------------------------------------------------------------------

_BATCHING = {"batch_size": 8, "max_length": 11, "stride": 2}


def _batches() -> int:
    return len(_starts(_BATCHING["max_length"], _BATCHING["stride"])) // _BATCHING["batch_size"]


def _batch_count_mistakes() -> dict[int, str]:
    n, batch_size = len(_verdict_ids()), _BATCHING["batch_size"]
    max_length, stride = _BATCHING["max_length"], _BATCHING["stride"]
    windows = len(_starts(max_length, stride))
    naive_windows = (n - max_length) // stride + 1  # a start at n - max_length: its target cannot fit
    mistakes = {
        windows: f"{windows} is the number of windows; a batch holds {batch_size} of them.",
        naive_windows: f"{naive_windows} counts windows, not batches, and one window too many (a start at "
        f"n - max_length has no room for its target).",
        n // (batch_size * max_length): "That counts windows that do not overlap (stride = max_length); here "
        "the stride is 2.",
        n // batch_size: "That divides the tokens by the batch size; count the windows first.",
    }
    one_more = (
        "One batch too many: either a window starting at n - max_length = "
        f"{n - max_length} was counted (its target would need token {n}, which does not exist: the boundary "
        "case of section 4), or the last, partial batch was counted, which drop_last=True drops."
    )
    for wrong in {naive_windows // batch_size, -(-windows // batch_size), n // (batch_size * stride)}:
        if wrong == _batches() + 1:
            mistakes[wrong] = one_more
    return mistakes


whole_number(
    "04.3",
    "the number of batches, predicted",
    "count the windows first: a window may start at s only if its target fits, s + max_length + 1 <= n; "
    "then count the full batches of 8.",
    "the number of batches",
    _batches,
    _batch_count_mistakes,
)


# --- 04.4 -------------------------------------------------------------------------------------------------

_UNFOLD = {"max_length": 5, "stride": 5}  # 5,145 - 5 = 5,140 is a multiple of 5: the off-by-one shows


def _is_view(windows: torch.Tensor) -> bool:
    """A view into the whole token tensor: its storage holds exactly the text's tokens, more than its own
    elements (a copy holds exactly its own elements; a copy inside a larger tensor holds more than the text)."""
    storage = windows.untyped_storage().nbytes()
    return storage > windows.numel() * windows.element_size() and storage == len(_verdict_ids()) * (
        windows.element_size()
    )


def _views_of_one_tensor(inputs: torch.Tensor, targets: torch.Tensor) -> bool:
    """Inputs and targets are views of one tensor of the whole text, the targets starting one element later."""
    return (
        _is_view(inputs)
        and _is_view(targets)
        and inputs.untyped_storage().data_ptr() == targets.untyped_storage().data_ptr()
        and targets.data_ptr() - inputs.data_ptr() == inputs.element_size()
    )


@exercise(
    "04.4",
    "input and target windows as zero-copy views",
    "every input window needs its target one token later: which tokens can start or fill an input, "
    "which a target? unfold each with size = step = 5 and return the pair.",
)
def check_unfold(answer) -> None:
    if isinstance(answer, torch.Tensor):
        raise NotYet("Expected a pair (input_windows, target_windows), got one tensor: make the targets too.")
    inputs, targets = _as_pair(answer, "a pair (input_windows, target_windows) of 2-D tensors")
    expect_type(inputs, torch.Tensor, "input_windows as a tensor")
    expect_type(targets, torch.Tensor, "target_windows as a tensor")
    ids, max_length, stride = _verdict_ids(), _UNFOLD["max_length"], _UNFOLD["stride"]
    starts = _starts(max_length, stride)
    for name, windows in (("input_windows", inputs), ("target_windows", targets)):
        if windows.dim() == 2 and windows.shape[1] == max_length and windows.shape[0] == len(starts) + 1:
            raise NotYet(
                f"{name} has {len(starts) + 1} windows, one too many: the last one has no room for "
                f"its target (the boundary case of section 4)."
            )
        expect_shape(windows, (len(starts), max_length))
    expected_inputs = torch.tensor([ids[s : s + max_length] for s in starts])
    expected_targets = torch.tensor([ids[s + 1 : s + max_length + 1] for s in starts])
    if torch.equal(inputs.to(torch.int64), expected_targets) and torch.equal(
        targets.to(torch.int64), expected_inputs
    ):
        raise NotYet("Inputs and targets are swapped: the target is the input window one token later.")
    if not torch.equal(inputs.to(torch.int64), expected_inputs):
        raise NotYet(
            "Right shape, wrong input windows: unfold the GPT-2 tokens of the whole text, starting "
            "at token 0."
        )
    if not torch.equal(targets.to(torch.int64), expected_targets):
        raise NotYet("Right inputs, wrong targets: each target window is its input window one token later.")
    if _is_view(inputs) and _is_view(targets) and not _views_of_one_tensor(inputs, targets):
        raise NotYet(
            "Right windows, and views, but not of one tensor with the targets one element later: unfold "
            "`tokens` twice (tokens[:-1] and tokens[1:]), so both are views of the same storage."
        )
    if not _views_of_one_tensor(inputs, targets):
        raise NotYet(
            "Right windows, but they were copied: the answer should be views into `tokens` "
            "(no torch.tensor(...), .clone(), .contiguous() or torch.stack)."
        )


# --- 04.5 -------------------------------------------------------------------------------------------------

_SKIP = {"max_length": 4, "stride": 5, "first": 20}


def _skipped_positions() -> list[int]:
    max_length, stride, first = _SKIP["max_length"], _SKIP["stride"], _SKIP["first"]
    inside = {s + offset for s in range(0, first, stride) for offset in range(max_length)}
    return sorted(set(range(first)) - inside)


def _positions(answer, what: str) -> list[int]:
    """A collection of integer positions (list, tuple, set, range, 1-D tensor or array) as a sorted list."""
    if isinstance(answer, torch.Tensor | np.ndarray):
        if answer.ndim != 1:
            raise NotYet(f"Expected {what} as a flat list, got an array of shape {tuple(answer.shape)}.")
        answer = answer.tolist()
    if not isinstance(answer, list | tuple | set | range):
        raise NotYet(f"Expected {what} (a list of whole numbers), got a {type(answer).__name__}.")
    return sorted(as_int(value, "a token position", integral_floats=True) for value in answer)


@exercise(
    "04.5",
    "tokens that are never an input when stride > max_length",
    "with max_length=4 and stride=5 an input window covers positions s … s+3 and the next one starts "
    "at s+5: write out the first four windows and see which positions they skip.",
    answer=_skipped_positions,
)
def check_skipped_positions(answer) -> None:
    got = _positions(answer, "the positions among 0 … 19 that are in no input window")
    expected = _skipped_positions()
    if got == expected:
        return
    if not got:
        raise NotYet("An empty list: some of the positions 0 … 19 are in no input window; which?")
    if len(set(got)) != len(got):
        raise NotYet("A position appears twice in your list: give each one once.")
    stride, max_length = _SKIP["stride"], _SKIP["max_length"]
    if got and all(p % stride == 0 for p in got):
        raise NotYet("Those are where the windows start; a start is the first token of an input window.")
    if got and all(p % stride == max_length - 1 for p in got):
        raise NotYet("Those are the last tokens of the input windows, so they are inputs; look one further.")
    if set(got) < set(expected):
        raise NotYet(
            f"Right so far, but there are {len(expected)} such positions among 0 … 19; you gave {len(got)}."
        )
    raise NotYet("Not these positions: some of them are inside an input window, or a skipped one is missing.")


# --- 04.6 and 04.7 ----------------------------------------------------------------------------------------

multiple_choice(
    "04.6",
    "strided windows or random offsets?",
    "section 4 counts how often each token is an input with strided windows, section 6 with random offsets "
    "and over k passes.",
    {
        "a": (
            False,
            "that is reversed: strided windows tile the text, so each token is an input once per "
            "epoch (section 4); random starts can repeat or miss tokens (section 6's counts).",
        ),
        "b": (
            True,
            "strided windows tile the text; random offsets cover it once only on average, and the "
            "share never drawn falls as e^-k over k passes.",
        ),
        "c": (
            False,
            "each pass draws new offsets, so a token missed once is drawn later: after k passes "
            "the share never drawn is about e^-k (section 6's table), practically 0 at ~33 passes.",
        ),
        "d": (
            False,
            "the tokens one pass misses are a random 37% (a small cost, not a systematic hole), picked "
            "anew in every pass; "
            "over k passes the share never drawn falls as e^-k (nanoGPT's GPT-2 configuration makes "
            "about 33 passes, GPT-3 saw Common Crawl 0.44 times).",
        ),
    },
)

reflection(
    "04.7",
    "why random offsets cost little (reflection)",
    "Each pass draws new offsets. In one pass the tokens never drawn are a random 37% and about a quarter "
    "are drawn twice or more, a small cost rather than a systematic hole; over k passes the share never drawn falls as e^-k (about 33 passes for nanoGPT's "
    "GPT-2 configuration) and the number of times each token is seen varies only by about 1/sqrt(k) of its "
    "mean. Random offsets also need no dataset object and no epoch bookkeeping.",
)
