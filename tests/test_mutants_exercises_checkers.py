"""Tests that kill surviving mutants of the exercise checkers (utils/exercises/nbNN.py).

Found by ``python tools/mutation_test.py utils/exercises/`` (docs/authoring.md, "Mutation testing").
"""

from __future__ import annotations

import pytest

from utils.exercises import check

# Checkers that expect a function, and the start of the message for an answer that is not one. Without the
# `if not callable(...)` guard (a surviving mutant), the checker would call the number and the student
# would read "your function raised TypeError: 'int' object is not callable" instead.
FUNCTION_EXERCISES = {
    "02.4": "Expected a function rows_with_gradient(embedding)",
    "03.2": "Expected a function embedding_as_linear(embedding)",
    "05.2": "Expected a function add_positions(token_ids, token_layer, position_layer)",
    "05.3": "Expected a function rope_dot(q, k, m, n)",
    "05.4": "Expected a function sinusoid_dot(offset, dim)",
    "06.3": "Expected a function loss(u, v, v_negative), got a int",
    "07.2": "Expected a function embed_by_hand(token_ids, tables)",
    "07.4": "Expected a function mean_pool(token_vectors, attention_mask)",
    "08.2": "Expected a function my_alibi_bias(num_heads, seq_len)",
}


@pytest.mark.parametrize("exercise_id", sorted(FUNCTION_EXERCISES))
@pytest.mark.parametrize("not_a_function", [42, [1, 2]])
def test_a_value_instead_of_a_function_is_named(exercise_id: str, not_a_function) -> None:
    result = check(exercise_id, not_a_function)
    assert not result.passed
    assert result.message.startswith("❌"), result.message
    assert "raised" not in result.message, result.message
    expected = FUNCTION_EXERCISES[exercise_id]
    if isinstance(not_a_function, list):
        expected = expected.replace("got a int", "got a list")
    assert expected in result.message, result.message
