"""Tests of utils.token_ids (token-ID checks) and utils.lookup_cost (lookup vs one-hot: shape of the result)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.lookup_cost import (
    LookupVsOneHot,
    compare_lookup_vs_one_hot,
    format_table,
    lookup_path,
    one_hot_path,
)
from utils.token_ids import check_token_ids

# --- check_token_ids --------------------------------------------------------------------------------------


def test_valid_ids_come_back_as_an_integer_tensor_with_the_same_values():
    ids = check_token_ids([2, 3, 5, 1], vocab_size=6)
    assert ids.dtype == torch.int64
    assert ids.tolist() == [2, 3, 5, 1]
    int32 = torch.tensor([[0, 5]], dtype=torch.int32)
    assert check_token_ids(int32, 6) is int32  # no copy, dtype kept: nn.Embedding accepts int32 too
    assert check_token_ids(4, 6).tolist() == 4
    assert check_token_ids([], 6).numel() == 0


def test_too_large_id_names_value_position_range_count_and_fix():
    with pytest.raises(ValueError) as error:
        check_token_ids([2, 6, 5, 9], vocab_size=6)
    message = str(error.value)
    assert "Token ID 6 at position 1" in message
    assert "valid IDs are 0 to 5" in message
    assert "2 of 4 IDs" in message
    assert "num_embeddings ≥ 10" in message  # the largest ID + 1, not the first bad ID + 1


def test_negative_id_gets_its_own_hint_and_a_2d_position():
    with pytest.raises(ValueError) as error:
        check_token_ids(torch.tensor([[2, 3, 5, 1], [4, 0, -1, -1]]), vocab_size=6)
    message = str(error.value)
    assert "Token ID -1 at position (1, 2)" in message
    assert "negative IDs are not allowed" in message and "padding_idx" in message


@pytest.mark.parametrize("ids", [torch.tensor([1.0, 2.0]), [0.0, 1.0], torch.tensor([True, False]),
                                 torch.tensor([1.0], dtype=torch.bfloat16)])
def test_non_integer_ids_are_rejected_with_a_type_error(ids):
    with pytest.raises(TypeError, match="Token IDs must be integers"):
        check_token_ids(ids, vocab_size=6)


@pytest.mark.parametrize(("vocab_size", "kind"), [(0, ValueError), (-3, ValueError), (6.0, TypeError),
                                                  (True, TypeError)])
def test_bad_vocab_size_is_rejected(vocab_size, kind):
    with pytest.raises(kind, match="vocab_size"):
        check_token_ids([0], vocab_size=vocab_size)


@settings(max_examples=60, deadline=None)
@given(vocab_size=st.integers(1, 20),
       ids=st.lists(st.integers(-25, 25), min_size=1, max_size=12))
def test_check_passes_exactly_when_nn_embedding_can_look_the_ids_up(vocab_size, ids):
    embedding = torch.nn.Embedding(vocab_size, 2)
    try:
        embedding(torch.tensor(ids))
        lookup_ok = True
    except IndexError:
        lookup_ok = False
    try:
        check_token_ids(ids, vocab_size)
        check_ok = True
    except ValueError as error:
        check_ok = False
        first_bad = next(i for i, x in enumerate(ids) if not 0 <= x < vocab_size)
        assert f"Token ID {ids[first_bad]} at position {first_bad} " in str(error)
    assert check_ok == lookup_ok


# --- benchmark ------------------------------------------------------------------------------------------


def test_both_paths_give_the_same_output_and_the_documented_peak_bytes():
    weight = torch.randn(7, 3)
    ids = torch.tensor([6, 0, 6, 2])
    lookup_out, lookup_peak = lookup_path(ids, weight)
    one_hot_out, one_hot_peak = one_hot_path(ids, weight)
    assert torch.equal(lookup_out, weight[ids]) and torch.equal(one_hot_out, weight[ids])
    assert lookup_peak == 4 * 3 * 4  # the float32 output only
    # int64 one-hot (8 bytes) + its float32 copy (4 bytes), 4 tokens × 7 columns; larger than copy + output
    assert one_hot_peak == 4 * 7 * (8 + 4)


def test_compare_returns_one_row_per_vocabulary_size_in_order_with_sane_fields():
    rows = compare_lookup_vs_one_hot([10, 40], dim=4, num_tokens=8, repeats=1)
    assert [type(row) for row in rows] == [LookupVsOneHot, LookupVsOneHot]
    assert [row.vocab_size for row in rows] == [10, 40]
    for row in rows:
        assert (row.dim, row.num_tokens) == (4, 8)
        assert row.lookup_seconds > 0 and row.one_hot_seconds > 0
        assert row.lookup_peak_bytes == 8 * 4 * 4
        assert row.one_hot_peak_bytes == max(8 * row.vocab_size * 12, 8 * row.vocab_size * 4 + 8 * 4 * 4)
        assert row.time_ratio == pytest.approx(row.one_hot_seconds / row.lookup_seconds)
        assert row.memory_ratio == pytest.approx(row.one_hot_peak_bytes / row.lookup_peak_bytes)


def test_compare_restores_the_thread_setting():
    before = torch.get_num_threads()
    compare_lookup_vs_one_hot([5], dim=2, num_tokens=3, repeats=1, num_threads=1)
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("kwargs", [{"vocab_sizes": []}, {"vocab_sizes": [0]}, {"vocab_sizes": [5], "repeats": 0},
                                    {"vocab_sizes": [5], "dim": 2.5},
                                    {"vocab_sizes": [5], "lookup_repeats": 0}])
def test_compare_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        compare_lookup_vs_one_hot(**kwargs)


def test_format_table_has_a_header_and_one_line_per_row():
    rows = [LookupVsOneHot(50_257, 768, 1024, 0.001, 2.0, 3_145_728, 617_558_016)]
    lines = format_table(rows).splitlines()
    assert len(lines) == 3 and "time ratio" in lines[0] and "alloc. ratio" in lines[0]
    assert "new MB" in lines[0]  # the memory columns are the model's new tensors, not a measurement
    assert "50,257" in lines[2] and "2,000×" in lines[2] and "196×" in lines[2]
    assert "617.6" in lines[2] and "3.15" in lines[2]


@pytest.mark.parametrize(("vocab_size", "dim"), [(50_257, 768), (1_000, 768), (384, 768), (10, 4)])
def test_allocation_ratio_is_3v_over_d_when_the_one_hot_pair_is_the_peak(vocab_size, dim):
    num_tokens = 16
    weight, ids = torch.randn(vocab_size, dim), torch.randint(0, vocab_size, (num_tokens,))
    _, lookup_peak = lookup_path(ids, weight)
    _, one_hot_peak = one_hot_path(ids, weight)
    row = LookupVsOneHot(vocab_size, dim, num_tokens, 1.0, 1.0, lookup_peak, one_hot_peak)
    assert row.allocation_ratio == row.memory_ratio == pytest.approx(3 * vocab_size / dim)
    assert row.allocation_ratio != pytest.approx(vocab_size)  # not "V times the memory"


def test_allocation_ratio_when_the_product_step_is_the_peak():
    # V < d/2: the float one-hot and the output (4NV + 4Nd) outweigh the two one-hot copies (12NV)
    weight, ids = torch.randn(3, 64), torch.tensor([0, 2, 2, 1])
    _, one_hot_peak = one_hot_path(ids, weight)
    assert one_hot_peak == 4 * 4 * 3 + 4 * 4 * 64
