"""The three verdicts every exercise table test checks (tests/test_exercise_table_nbNN.py).

A right answer must pass with ✅; a wrong one must fail with ❌ and name its mistake in the *reason*, before
the general hint (a message found only in the hint would pass whatever the checker diagnosed); a placeholder
must wait with ⏳ and give no hint, because hints come only after a first try.
"""

from __future__ import annotations

from utils.exercises import check


def assert_passes(exercise_id: str, answer: object) -> None:
    result = check(exercise_id, answer)
    assert result.passed and result.message.startswith("✅"), result.message


def assert_fails_with(exercise_id: str, answer: object, message: str) -> None:
    result = check(exercise_id, answer)
    assert not result.passed and result.message.startswith("❌"), result.message
    reason, hint = result.message.split("Hint:")
    assert message in reason and hint.strip(), result.message


def assert_waits_without_a_hint(exercise_id: str, placeholder: object) -> None:
    result = check(exercise_id, placeholder)
    assert not result.passed and result.message.startswith("⏳") and "Hint" not in result.message, (
        result.message
    )
