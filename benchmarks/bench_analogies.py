"""Time utils.word_vectors.evaluate_analogies against gensim's evaluate_word_analogies, in one run.

    python benchmarks/bench_analogies.py                       # restrict_vocab=30000
    python benchmarks/bench_analogies.py --restrict-vocab 300000

Both evaluate the whole Google analogy test set on GloVe 6B 50-d; the script checks that they agree on
every question and prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import logging
import os
import time

import torch
from gensim.test.utils import datapath

from utils.word_vectors import evaluate_analogies, load_word_vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restrict-vocab", type=int, default=30000,
                        help="allowed vocabulary: the most frequent N words (default 30000)")
    parser.add_argument("--model", default="glove-6b-50d", help="a name from utils.word_vectors.MODELS")
    args = parser.parse_args()
    logging.getLogger("gensim").setLevel(logging.ERROR)

    kv = load_word_vectors(args.model)
    kv.fill_norms()  # both methods need the norms: do not charge either with computing them
    questions = datapath("questions-words.txt")
    print(f"{args.model}, restrict_vocab={args.restrict_vocab:,}, {os.cpu_count()} CPUs, "
          f"torch threads {torch.get_num_threads()}")

    start = time.perf_counter()
    ours = evaluate_analogies(kv, restrict_vocab=args.restrict_vocab, questions=questions)
    first_s = time.perf_counter() - start
    print(f"evaluate_analogies, 1st call: {first_s:8.2f} s  accuracy {ours.accuracy:.6f} "
          f"({ours.correct}/{ours.total}, {ours.exact_reranks} near-ties re-ranked exactly)", flush=True)
    # The first call in a process also loads the numba-compiled kernel (compiling it once per machine)
    # and starts numba's threads; the second call is what every later evaluation costs.
    start = time.perf_counter()
    ours = evaluate_analogies(kv, restrict_vocab=args.restrict_vocab, questions=questions)
    ours_s = time.perf_counter() - start
    print(f"evaluate_analogies, 2nd call: {ours_s:8.2f} s", flush=True)

    start = time.perf_counter()
    score, sections = kv.evaluate_word_analogies(questions, restrict_vocab=args.restrict_vocab)
    gensim_s = time.perf_counter() - start
    print(f"gensim evaluate_word_analogies: {gensim_s:8.2f} s  accuracy {score:.6f}")

    same = score == ours.accuracy and all(
        list(s.correct_questions) == g["correct"] and list(s.incorrect_questions) == g["incorrect"]
        for s, g in zip(ours.sections, sections, strict=False))
    print(f"identical answers on every question: {same}")
    print(f"speed-up: {gensim_s / ours_s:.1f}x (2nd call), {gensim_s / first_s:.1f}x (1st call)")
    if not same:
        raise SystemExit("evaluate_analogies disagrees with gensim")


if __name__ == "__main__":
    main()
