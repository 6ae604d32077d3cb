"""No free-text answer earns ✅: prose, however many of the right keywords it holds, is never graded correct.

A keyword heuristic cannot grade meaning (a reversed statement holds the same keywords), so open questions are
multiple-choice items (graded) plus 📝 reflections (never ✅). This feeds every registered exercise of every
notebook a sentence stuffed with its own title and hint, and a reversed-sounding claim; none
may pass with ✅.
"""

from __future__ import annotations

import pytest

from utils.exercises import all_exercises, check

NOTEBOOKS = [f"{n:02d}" for n in range(9)]


def _exercises():
    for notebook in NOTEBOOKS:
        yield from all_exercises(notebook)


@pytest.mark.parametrize("ex", list(_exercises()), ids=lambda ex: ex.exercise_id)
def test_prose_never_earns_a_tick(ex):
    stuffed = [
        f"{ex.title}. {ex.hint} This is true because of the positions, tokens, rows and the gradient.",
        f"It is not the case that {ex.hint} In fact the opposite holds, never and always.",
        "all of the above",
        # Reversed statements that keyword graders accepted (issue: exercises round two).
        "Random offsets show every token exactly once per epoch, while strided windows show some tokens "
        "several times and never others",
        "A learned table gives no error at all at 2,000 tokens because it simply continues, and RoPE has no "
        "angle issue and never degrades",
    ]
    for answer in stuffed:
        result = check(ex.exercise_id, answer)
        assert not result.message.startswith("✅"), (ex.exercise_id, answer, result.message)
