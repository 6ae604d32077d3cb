"""Load time and peak memory of the default word vectors vs the usual way of loading GloVe.

    python benchmarks/bench_load_vectors.py

Baseline: what a user would otherwise do, gensim's ``KeyedVectors.load_word2vec_format`` on the GloVe 6B 50-d
text file (``glove.6B.50d.txt``, written here from the same vectors). Both children import the same modules
before the timer starts, so the time is the loading alone and the memory differs by what each loader keeps. Each loader runs in a fresh child
process started while this process is still small (Linux carries a process's peak RSS across ``exec``), so
its peak resident memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

WRITE_TEXT = r"""
import sys
from utils.word_vectors import load_word_vectors
kv = load_word_vectors()
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for word, vector in zip(kv.index_to_key, kv.vectors, strict=True):
        out.write(word + " " + " ".join(f"{x:.5f}" for x in vector) + "\n")
"""

CHILD = r"""
import json, resource, sys, time
# Imports first, for both loaders alike: the timer measures loading, not importing gensim.
from gensim.models import KeyedVectors
from utils.word_vectors import load_word_vectors
start = time.perf_counter()
if sys.argv[1] == "course":
    kv = load_word_vectors()
else:
    kv = KeyedVectors.load_word2vec_format(sys.argv[2], binary=False, no_header=True)
seconds = time.perf_counter() - start
assert kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1e6, "words": len(kv)}))
"""


def measure(*args: str) -> dict:
    output = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    course = measure("course")
    with tempfile.TemporaryDirectory() as scratch:
        text_file = Path(scratch) / "glove.6B.50d.txt"
        subprocess.run([sys.executable, "-c", WRITE_TEXT, str(text_file)], check=True)
        baseline = measure("gensim", str(text_file))
    print(f"{'loader':<46} {'seconds':>8} {'peak MB':>8} {'words':>8}")
    for label, row in (("utils.word_vectors.load_word_vectors()", course),
                       ("gensim load_word2vec_format(glove.6B.50d.txt)", baseline)):
        print(f"{label:<46} {row['seconds']:8.2f} {row['peak_mb']:8.0f} {row['words']:8,}")
    print(f"speed-up: {baseline['seconds'] / course['seconds']:.1f}x, "
          f"peak memory ratio (gensim / course): {baseline['peak_mb'] / course['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
