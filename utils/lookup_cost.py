"""Measure an embedding lookup against the equivalent one-hot × weight product.

Both paths compute the same ``(num_tokens, dim)`` output from the same ``(vocab_size, dim)`` weight:

- lookup: ``torch.nn.functional.embedding(ids, weight)``, a row copy per token;
- one-hot: ``one_hot(ids, vocab_size).to(weight.dtype) @ weight``, a dense matrix product.

**Time** is the median wall-clock time (``time.perf_counter``) of a few runs, in inference mode, after
one untimed warm-up. It depends on the machine and on what else runs on it: compare ratios, not seconds.

**Peak memory** is a *model*, not a measurement: it is not read from the operating system (PyTorch's CPU allocator does not report a peak, and
``tracemalloc`` does not see tensor buffers). It is the largest total size of the tensors a path creates that
are alive at the same moment, read from the tensors themselves (``Tensor.nbytes``). The weight and the IDs,
shared by both paths, are not counted. For the one-hot path, the int64 one-hot matrix and its float copy
coexist while it is converted, then the float copy and the output coexist during the product.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import torch
import torch.nn.functional as F

from . import _guard  # noqa: F401  (stops when another `utils` shadows this package)

T = TypeVar("T")


@dataclass(frozen=True)
class LookupVsOneHot:
    """One measured row: both paths at one vocabulary size."""

    vocab_size: int
    dim: int
    num_tokens: int
    lookup_seconds: float
    one_hot_seconds: float
    lookup_peak_bytes: int
    one_hot_peak_bytes: int

    @property
    def time_ratio(self) -> float:
        """How many times slower the one-hot path is."""
        return self.one_hot_seconds / self.lookup_seconds

    @property
    def allocation_ratio(self) -> float:
        """How many times more bytes of new tensors the one-hot path holds at its peak (the memory model):
        ``12·N·V / (4·N·d) = 3·V/d`` whenever ``V ≥ d/2``. Not the ratio of bytes read and written."""
        return self.one_hot_peak_bytes / self.lookup_peak_bytes

    @property
    def memory_ratio(self) -> float:
        """Old name of :attr:`allocation_ratio`, kept for existing scripts."""
        return self.allocation_ratio


def lookup_path(ids: torch.Tensor, weight: torch.Tensor) -> tuple[torch.Tensor, int]:
    """The lookup output and the peak bytes of the tensors it creates."""
    out = F.embedding(ids, weight)
    return out, out.nbytes


def one_hot_path(ids: torch.Tensor, weight: torch.Tensor) -> tuple[torch.Tensor, int]:
    """The one-hot × weight output and the peak bytes of the tensors it creates, step by step."""
    hot = F.one_hot(ids, weight.shape[0])  # int64, (num_tokens, vocab_size)
    hot_float = hot.to(weight.dtype)
    peak = hot.nbytes + hot_float.nbytes
    del hot
    out = hot_float @ weight
    return out, max(peak, hot_float.nbytes + out.nbytes)


def _timed(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The median wall-clock seconds of ``repeats`` calls of ``fn``, and the first call's result."""
    times, first = [], None
    for index in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if index == 0:
            first = result
        del result
    return statistics.median(times), first


def compare_lookup_vs_one_hot(vocab_sizes: Sequence[int], dim: int = 768, num_tokens: int = 1024,
                              repeats: int = 3, lookup_repeats: int = 25, seed: int = 0,
                              num_threads: int | None = None) -> list[LookupVsOneHot]:
    """Time and peak memory of lookup vs one-hot × weight, one :class:`LookupVsOneHot` per vocabulary size.

    Runs in inference mode on float32 CPU tensors with random weights and IDs (seeded), after one untimed
    warm-up at the first vocabulary size. The one-hot path runs ``repeats`` times per size, the lookup
    ``lookup_repeats`` times (it takes well under a millisecond, so a single run is at the mercy of the
    scheduler); the first runs' outputs are checked to be exactly equal. ``num_threads`` sets PyTorch's CPU threads for the
    measurement only (``None`` keeps the current setting). The one-hot path at ``vocab_size=50_257``,
    ``dim=768``, ``num_tokens=1024`` takes seconds per run on a laptop CPU: keep ``repeats`` small.
    """
    if not vocab_sizes:
        raise ValueError("vocab_sizes is empty: pass at least one vocabulary size, e.g. [1000, 50257].")
    for name, value in [("dim", dim), ("num_tokens", num_tokens), ("repeats", repeats),
                        ("lookup_repeats", lookup_repeats),
                        *(("vocab_size", v) for v in vocab_sizes)]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")
    generator = torch.Generator().manual_seed(seed)
    previous_threads = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    rows = []
    try:
        with torch.inference_mode():
            for index, vocab_size in enumerate(vocab_sizes):
                weight = torch.randn(vocab_size, dim, generator=generator)
                ids = torch.randint(0, vocab_size, (num_tokens,), generator=generator)
                if index == 0:  # first calls pay one-time costs (thread pool, kernels): do not time them
                    lookup_path(ids, weight)
                    one_hot_path(ids, weight)
                lookup_seconds, (lookup_out, lookup_peak) = _timed(partial(lookup_path, ids, weight),
                                                            lookup_repeats)
                one_hot_seconds, (one_hot_out, one_hot_peak) = _timed(partial(one_hot_path, ids, weight), repeats)
                if not torch.equal(lookup_out, one_hot_out):
                    raise AssertionError(f"lookup and one-hot outputs differ at vocab_size={vocab_size}")
                rows.append(LookupVsOneHot(vocab_size, dim, num_tokens, lookup_seconds, one_hot_seconds,
                                           lookup_peak, one_hot_peak))
    finally:
        torch.set_num_threads(previous_threads)
    return rows


def format_table(rows: Sequence[LookupVsOneHot]) -> str:
    """The rows as a fixed-width text table: measured times in ms, and the memory model's new tensors in MB
    (10⁶ bytes) with their allocation ratio."""
    lines = [f"{'V':>7} | {'lookup ms':>9} | {'one-hot ms':>10} | {'time ratio':>10} | "
             f"{'lookup new MB':>13} | {'one-hot new MB':>14} | {'alloc. ratio':>12}"]
    lines.append("-" * len(lines[0]))
    for row in rows:
        lines.append(f"{row.vocab_size:>7,} | {row.lookup_seconds * 1e3:>9.3f} | {row.one_hot_seconds * 1e3:>10.1f} | "
                     f"{row.time_ratio:>9,.0f}× | {row.lookup_peak_bytes / 1e6:>13.2f} | "
                     f"{row.one_hot_peak_bytes / 1e6:>14.1f} | {row.allocation_ratio:>11,.0f}×")
    return "\n".join(lines)
