"""Build time and peak memory: the classic list-of-tensors window dataset vs utils.windows' views.

    python benchmarks/bench_windows.py            # both sizes, about 30 s and 1 GB of RAM
    python benchmarks/bench_windows.py --quick    # 50,000 tokens only, a few seconds

Each measurement runs in a fresh Python process, so one dataset's memory cannot hide in another's.
Memory is the growth of the process's resident set size (RSS) while the dataset is built: the peak
(``VmHWM`` in ``/proc/self/status``, Linux only) minus the RSS just before. ``tracemalloc`` would not do:
it sees only Python's allocator, not the buffers torch allocates for tensor data. Besides RSS, the script
prints the bytes held by the datasets' tensors (``untyped_storage().nbytes()``), which is exact and
platform-independent; RSS adds torch's per-tensor Python objects and allocator overhead on top.

Build times depend on the machine and its load; the byte counts do not.

Both datasets start from the same Python list of token IDs (the tokenized "The Verdict", repeated), as the
classic one does; the view dataset's time includes turning that list into one int64 tensor.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time

CASES = {"200k/256/1": (200_000, 256, 1), "1M/256/128": (1_000_000, 256, 128)}
QUICK = {"50k/256/1": (50_000, 256, 1)}


class ClassicDataset:
    """Build a Large Language Model (From Scratch), chapter 2: every window copied into its own tensors."""

    def __init__(self, token_ids: list[int], max_length: int, stride: int) -> None:
        import torch

        self.input_ids = []
        self.target_ids = []
        for i in range(0, len(token_ids) - max_length, stride):
            self.input_ids.append(torch.tensor(token_ids[i:i + max_length]))
            self.target_ids.append(torch.tensor(token_ids[i + 1:i + max_length + 1]))

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, index: int):
        return self.input_ids[index], self.target_ids[index]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def token_ids(num_tokens: int) -> list[int]:
    from utils.data import fetch
    from utils.tokenizer import gpt2_tokenizer

    verdict = gpt2_tokenizer().encode(fetch("the-verdict.txt").read_text(encoding="utf-8"))
    return (verdict * (num_tokens // len(verdict) + 1))[:num_tokens]


def _best_time(function, repeats: int = 20) -> float:
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times[1:])


def measure(kind: str, num_tokens: int, max_length: int, stride: int) -> dict:
    """Build one dataset in this process and report its size, time and memory."""
    import torch

    from utils.windows import SlidingWindowDataset

    ids = token_ids(num_tokens)
    gc.collect()
    before = _rss_bytes()
    start = time.perf_counter()
    if kind == "classic":
        dataset = ClassicDataset(ids, max_length, stride)
        tensors = dataset.input_ids + dataset.target_ids
    else:
        dataset = SlidingWindowDataset(ids, max_length, stride)
        tensors = [dataset.tokens]
    seconds = time.perf_counter() - start
    peak = _peak_rss_bytes() - before
    storages = {tensor.untyped_storage().data_ptr(): tensor.untyped_storage().nbytes() for tensor in tensors}
    result = {"windows": len(dataset), "seconds": seconds, "peak_rss": max(peak, 0),
              "tensor_bytes": sum(storages.values())}
    if kind == "views":  # from a tensor that already exists: best of 20 warm runs
        tokens = torch.tensor(ids)
        result["seconds_from_tensor"] = _best_time(lambda: SlidingWindowDataset(tokens, max_length, stride))
        result["seconds_unfold"] = _best_time(lambda: tokens[:-1].unfold(0, max_length, stride))
    return result


def _child(kind: str, case: tuple[int, int, int]) -> dict:
    output = subprocess.run([sys.executable, __file__, "--child", kind, *map(str, case)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _mb(num_bytes: float) -> str:
    return f"{num_bytes / 1e6:9.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only 50,000 tokens at max_length=256, stride=1")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "TOKENS", "MAX_LENGTH", "STRIDE"),
                        help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        kind, *numbers = arguments.child
        print(json.dumps(measure(kind, *map(int, numbers))))
        return

    for name, case in (QUICK if arguments.quick else CASES).items():
        classic, views = _child("classic", case), _child("views", case)
        assert classic["windows"] == views["windows"]
        tokens, max_length, stride = case
        print(f"\n{tokens:,} tokens, max_length={max_length}, stride={stride}: {views['windows']:,} windows ({name})")
        print(f"  {'':22}{'build time':>12}{'peak RSS growth':>18}{'tensor bytes':>15}")
        print(f"  {'classic list of tensors':22}{classic['seconds']:10.3f} s{_mb(classic['peak_rss']):>18}"
              f"{_mb(classic['tensor_bytes']):>15}")
        print(f"  {'SlidingWindowDataset':22}{views['seconds']:10.4f} s{_mb(views['peak_rss']):>18}"
              f"{_mb(views['tensor_bytes']):>15}")
        print(f"  ratio classic / views: time {classic['seconds'] / views['seconds']:,.0f}x, "
              f"peak RSS {classic['peak_rss'] / max(views['peak_rss'], 1):,.0f}x, "
              f"tensor bytes {classic['tensor_bytes'] / views['tensor_bytes']:,.0f}x")
        print(f"  from an existing int64 tensor: {views['seconds_from_tensor'] * 1e6:,.0f} µs in all, of which "
              f"the views (unfold) {views['seconds_unfold'] * 1e6:,.0f} µs; the rest is validation, one scan "
              "for negative IDs")


if __name__ == "__main__":
    main()
