"""Embedding lookup vs one-hot × weight: time and peak memory for several vocabulary sizes, in one run.

    python benchmarks/bench_embedding_lookup.py
    python benchmarks/bench_embedding_lookup.py --vocab-sizes 1000 50257 --dim 768 --tokens 1024 --repeats 3

Prints a table and the ratios at the largest vocabulary. The default (V up to GPT-2's 50,257, d = 768,
1,024 tokens) takes from a few seconds to half a minute on a laptop CPU. See utils/lookup_cost.py for how
time and memory are measured.
"""

from __future__ import annotations

import argparse
import platform

import torch

from utils.lookup_cost import compare_lookup_vs_one_hot, format_table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab-sizes", type=int, nargs="+", default=[1_000, 4_000, 16_000, 50_257])
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--tokens", type=int, default=1_024)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the one-hot path per size")
    parser.add_argument("--threads", type=int, default=1,
                        help="PyTorch CPU threads (default 1: stable timings on a shared machine; 0 = unchanged)")
    args = parser.parse_args(argv)

    num_threads = args.threads or None
    threads = num_threads or torch.get_num_threads()
    print(f"torch {torch.__version__}, {platform.machine()}, {threads} thread(s); "
          f"d = {args.dim}, {args.tokens:,} tokens, float32\n")
    rows = compare_lookup_vs_one_hot(args.vocab_sizes, dim=args.dim, num_tokens=args.tokens,
                                     repeats=args.repeats, num_threads=num_threads)
    print(format_table(rows))
    last = rows[-1]
    print(f"\nat V = {last.vocab_size:,}: one-hot × weight is {last.time_ratio:,.0f}× slower and needs "
          f"{last.allocation_ratio:,.0f}× the allocations of the lookup (memory model) (outputs checked equal).")


if __name__ == "__main__":
    main()
