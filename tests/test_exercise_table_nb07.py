"""Table-driven test of notebook 07's exercise checkers: right answers in every natural form pass,
plausible wrong answers fail with the message meant for them, placeholders wait."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_table import assert_fails_with, assert_passes, assert_waits_without_a_hint

from utils.exercises import check
from utils.pretrained import load_embedding_tables

VOCABULARY = load_embedding_tables().vocabulary
CONTINUATION = sum(piece.startswith("##") for piece in VOCABULARY)


# 07.2: the embedding layer by hand ------------------------------------------------------------------


def embed_float32(token_ids, tables):
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(
        summed, (summed.shape[-1],), tables.layer_norm_weight, tables.layer_norm_bias, tables.layer_norm_eps
    )


def embed_float64_written_out(token_ids, tables):
    summed = (
        tables.token[token_ids].double()
        + tables.position[: len(token_ids)].double()
        + tables.token_type[0].double()
    )
    centred = summed - summed.mean(-1, keepdim=True)
    normalised = centred / torch.sqrt(centred.pow(2).mean(-1, keepdim=True) + tables.layer_norm_eps)
    return normalised * tables.layer_norm_weight.double() + tables.layer_norm_bias.double()


def embed_with_a_loop(token_ids, tables):
    rows = []
    for t, token in enumerate(token_ids.tolist()):
        rows.append(tables.token[token] + tables.position[t] + tables.token_type[0])
    summed = torch.stack(rows)
    mean = summed.mean(-1, keepdim=True)
    variance = summed.var(-1, unbiased=False, keepdim=True)
    return (summed - mean) / torch.sqrt(
        variance + tables.layer_norm_eps
    ) * tables.layer_norm_weight + tables.layer_norm_bias


def _norm(x, tables):
    return F.layer_norm(
        x, (x.shape[-1],), tables.layer_norm_weight, tables.layer_norm_bias, tables.layer_norm_eps
    )


def embed_no_layer_norm(token_ids, tables):
    return tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]


def embed_no_positions(token_ids, tables):
    return _norm(tables.token[token_ids] + tables.token_type[0], tables)


def embed_no_token_type(token_ids, tables):
    return _norm(tables.token[token_ids] + tables.position[: len(token_ids)], tables)


def embed_plain_layer_norm(token_ids, tables):
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(summed, (summed.shape[-1],), eps=tables.layer_norm_eps)


def embed_positions_off_by_one(token_ids, tables):
    return _norm(
        tables.token[token_ids] + tables.token_type[0] + tables.position[1 : len(token_ids) + 1], tables
    )


def embed_segment_one(token_ids, tables):
    return _norm(tables.token[token_ids] + tables.token_type[1] + tables.position[: len(token_ids)], tables)


def embed_default_eps(token_ids, tables):
    # F.layer_norm's default eps (1e-5), not the table's: passed the old check, whose random tables had a
    # variance of about 3 (the model's summed rows: 0.004 to 0.03, where the wrong eps moves values by 0.008).
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(summed, summed.shape[-1:], tables.layer_norm_weight, tables.layer_norm_bias)


def embed_module_default_eps(token_ids, tables):
    # nn.LayerNorm(d) with the table's scale and shift but the module's default eps (1e-5).
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    layer = torch.nn.LayerNorm(summed.shape[-1])
    with torch.no_grad():
        layer.weight.copy_(tables.layer_norm_weight)
        layer.bias.copy_(tables.layer_norm_bias)
    return layer(summed)


def embed_model_eps_hard_coded(token_ids, tables):
    # The model's eps (1e-12) written in, not read from the tables object.
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(summed, summed.shape[-1:], tables.layer_norm_weight, tables.layer_norm_bias, 1e-12)


def embed_eps_zero(token_ids, tables):
    # eps = 0: was told "that is eps = 1e-12", which the student never wrote.
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(summed, summed.shape[-1:], tables.layer_norm_weight, tables.layer_norm_bias, 0.0)


def embed_written_out_without_eps(token_ids, tables):
    # The formula written out with no eps at all: was told "that is eps = 1e-12".
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    centred = summed - summed.mean(-1, keepdim=True)
    normalised = centred / torch.sqrt(centred.pow(2).mean(-1, keepdim=True))
    return normalised * tables.layer_norm_weight + tables.layer_norm_bias


def embed_hard_coded_width(token_ids, tables):
    # The notebook's own cell, copied with the model's width: fails on the checker's 8-d tables.
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(
        summed, (384,), tables.layer_norm_weight, tables.layer_norm_bias, tables.layer_norm_eps
    )


def embed_returns_model_width(token_ids, tables):
    return torch.zeros(len(token_ids), 384)


def embed_unbiased_variance(token_ids, tables):
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    normalised = (summed - summed.mean(-1, keepdim=True)) / torch.sqrt(
        summed.var(-1, keepdim=True) + tables.layer_norm_eps
    )
    return normalised * tables.layer_norm_weight + tables.layer_norm_bias


def embed_shape_agnostic_idiom(token_ids, tables):
    # The notebook's cell 3 idiom: the width read from the tensor.
    summed = tables.token[token_ids] + tables.token_type[0] + tables.position[: len(token_ids)]
    return F.layer_norm(
        summed, summed.shape[-1:], tables.layer_norm_weight, tables.layer_norm_bias, tables.layer_norm_eps
    )


def embed_with_batch_dimension(token_ids, tables):
    return embed_float32(token_ids, tables)[None]


def embed_crashes(token_ids, tables):
    return tables.token[token_ids] + tables.position  # shapes (T, d) and (12, d) do not broadcast


def embed_forgets_return(token_ids, tables):
    embed_float32(token_ids, tables)


def embed_stub(token_ids, tables): ...


# 07.4: mean pooling with a mask ---------------------------------------------------------------------


def pool_float32(token_vectors, attention_mask):
    weights = attention_mask.unsqueeze(-1).to(token_vectors.dtype)
    return (token_vectors * weights).sum(1) / weights.sum(1)


def pool_float64_clamped(token_vectors, attention_mask):
    weights = attention_mask[..., None].double()
    return (token_vectors.double() * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def pool_with_a_loop(token_vectors, attention_mask):
    return torch.stack(
        [vectors[mask.bool()].mean(0) for vectors, mask in zip(token_vectors, attention_mask, strict=True)]
    )


def pool_includes_padding(token_vectors, attention_mask):
    return token_vectors.mean(1)


def pool_divides_by_padded_length(token_vectors, attention_mask):
    return (token_vectors * attention_mask[..., None]).sum(1) / token_vectors.shape[1]


def pool_sum_only(token_vectors, attention_mask):
    return (token_vectors * attention_mask[..., None]).sum(1)


def pool_normalised(token_vectors, attention_mask):
    return F.normalize(pool_float32(token_vectors, attention_mask), dim=-1)


def pool_first_token(token_vectors, attention_mask):
    return token_vectors[:, 0]


def pool_wrong_axis(token_vectors, attention_mask):
    return token_vectors.mean(2)


def pool_max(token_vectors, attention_mask):
    return token_vectors.masked_fill(attention_mask[..., None] == 0, -1e9).max(1).values


def pool_stub(token_vectors, attention_mask): ...


ANSWER = (
    "A fast periodic direction lets attention tell apart tokens one or two places away, while a slow "
    "direction separates near from far; sinusoids of many frequencies give both at once."
)
# Passed the old keyword/length check of 07.5 although it reverses every fact of section 2.
REVERSED = (
    "The slow directions let attention tell apart immediate neighbours while the fast periodic ring "
    "separates near from far, and the sinusoidal table of notebook 05 has neither of them."
)

RIGHT = [
    ("07.1", CONTINUATION),
    ("07.1", np.int64(CONTINUATION)),
    ("07.1", torch.tensor(CONTINUATION)),
    ("07.1", float(CONTINUATION)),
    ("07.1", np.float64(CONTINUATION)),
    ("07.2", embed_float32),
    ("07.2", embed_float64_written_out),
    ("07.2", embed_with_a_loop),
    ("07.2", embed_shape_agnostic_idiom),
    ("07.3", (False, True)),
    ("07.3", [False, True]),
    ("07.3", (np.False_, np.True_)),
    ("07.3", (torch.tensor(False), torch.tensor(True))),
    ("07.4", pool_float32),
    ("07.4", pool_float64_clamped),
    ("07.4", pool_with_a_loop),
    ("07.5", "b"),
    ("07.5", "B"),
    ("07.5", "(b)"),
    ("07.5", " b) "),
    ("07.5", ["b"]),
    ("07.5", ("B",)),
]

WRONG = [
    ("07.1", len(VOCABULARY), "every row of the table"),
    ("07.1", CONTINUATION + 1, "plain '#' character"),
    ("07.1", len(VOCABULARY) - CONTINUATION, "NOT continuation pieces"),
    ("07.1", CONTINUATION - 1, "is not the number of vocabulary strings"),
    ("07.1", CONTINUATION + 0.5, "whole number"),
    ("07.1", str(CONTINUATION), "whole number"),
    ("07.2", embed_no_layer_norm, "before the LayerNorm"),
    ("07.2", embed_no_positions, "position rows are missing"),
    ("07.2", embed_no_token_type, "token-type row (segment 0) is missing"),
    ("07.2", embed_plain_layer_norm, "no scale and shift"),
    ("07.2", embed_positions_off_by_one, "off by one"),
    ("07.2", embed_segment_one, "token_type[1]"),
    ("07.2", embed_default_eps, "eps is not the table's"),
    ("07.2", embed_module_default_eps, "eps is not the table's"),
    ("07.2", embed_model_eps_hard_coded, "eps is not the table's"),
    ("07.2", embed_default_eps, "your eps is 1e-5 (the default of F.layer_norm"),
    ("07.2", embed_model_eps_hard_coded, "your eps is 0 or 1e-12 (the model's)"),
    ("07.2", embed_eps_zero, "your eps is 0 or 1e-12 (the model's)"),
    ("07.2", embed_written_out_without_eps, "your eps is 0 or 1e-12 (the model's)"),
    ("07.2", embed_with_batch_dimension, "expected shape (5, 8), got (1, 5, 8)"),
    ("07.2", embed_hard_coded_width, "small random tables (d = 8"),
    ("07.2", embed_returns_model_width, "small random tables (d = 8"),
    ("07.2", embed_unbiased_variance, "unbiased"),
    ("07.2", embed_forgets_return, "did you forget `return`?"),
    ("07.2", embed_crashes, "your function raised RuntimeError"),
    ("07.2", torch.zeros(5, 8), "Expected a function"),
    ("07.3", (True, True), "row_changes: the table row is looked up by the token ID alone"),
    ("07.3", (True, False), "row_changes"),
    ("07.3", (False, False), "vector_changes: after the transformer layers"),
    ("07.3", ("no", "yes"), "as True or False"),
    ("07.3", (0, 1), "as True or False"),
    ("07.3", True, "Expected a pair"),
    ("07.3", (False, True, True), "Expected a pair"),
    ("07.4", pool_includes_padding, "padding positions are averaged in"),
    ("07.4", pool_divides_by_padded_length, "divided by the padded length"),
    ("07.4", pool_sum_only, "sum of the real tokens' vectors"),
    ("07.4", pool_normalised, "normalised to length 1"),
    ("07.4", pool_first_token, "first ([CLS]) token's vector"),
    ("07.4", pool_wrong_axis, "expected one vector per sentence, shape (3, 4), got (3, 6)"),
    ("07.4", pool_max, "values differ from the mean"),
    ("07.4", "mean", "Expected a function"),
    ("07.5", "a", "(a) is not right: the ring repeats"),
    ("07.5", "c", "(c) is not right: the shuffled control has the same variance along each principal"),
    ("07.5", "d", "(d) is not right: its four strongest components are slow"),
    ("07.5", "b, d", "(d) is not right"),
    ("07.5", "abcd", "(a) is not right"),
    ("07.5", ANSWER, "not with words"),
    ("07.5", REVERSED, "not with words"),
    ("07.5", "e", "Choose among the letters a, b, c, d"),
    ("07.5", 2, "Expected the letter(s)"),
    ("07.6", "It is periodic.", "at least 15 words"),
    ("07.6", 42, "Expected your answer as a string"),
]


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT, ids=[f"{e}-{i}" for i, (e, _) in enumerate(RIGHT)])
def test_right_answers_pass(exercise_id, answer):
    assert_passes(exercise_id, answer)


@pytest.mark.parametrize(
    ("exercise_id", "answer", "message"), WRONG, ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG)]
)
def test_wrong_answers_fail_with_their_message(exercise_id, answer, message):
    assert_fails_with(exercise_id, answer, message)


@pytest.mark.parametrize("exercise_id", ["07.1", "07.2", "07.3", "07.4", "07.5", "07.6"])
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


@pytest.mark.parametrize(
    ("exercise_id", "answer"),
    [
        ("07.2", embed_stub),
        ("07.4", pool_stub),
        ("07.3", (..., ...)),
        ("07.3", (False, ...)),
        ("07.3", (None, True)),
    ],
)
def test_stubs_and_half_answers_wait(exercise_id, answer):
    result = check(exercise_id, answer)
    assert not result and result.message.startswith("⏳"), result.message


def test_hints_do_not_give_away_the_prediction():
    from utils.exercises import get_exercise

    hint = get_exercise("07.3").hint.lower()
    assert "true" not in hint and "false" not in hint
    assert str(CONTINUATION) not in get_exercise("07.1").hint


@pytest.mark.parametrize(
    "answer", [ANSWER, REVERSED, "fast ring slow drift sinusoidal both attention near far " * 3]
)
def test_the_reflection_is_noted_never_graded(answer):
    # 07.6 replaces the keyword-graded open question: any answer, right or reversed, gets 📝 and the model
    # answer, never ✅.
    result = check("07.6", answer)
    assert result.message.startswith("📝") and "✅" not in result.message, result.message
    assert "slowly drifting" in result.message  # the model answer is shown


def test_every_registered_exercise_is_in_the_table():
    from utils.exercises import all_exercises

    listed = {row[0] for row in RIGHT + WRONG}
    assert {ex.exercise_id for ex in all_exercises("07")} == listed
