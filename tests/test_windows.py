"""Tests of utils.windows: same windows as the classic loop, zero copies, lazy memmaps, clear errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.data import fetch
from utils.token_ids import check_token_ids
from utils.windows import ArrayWindows, SlidingWindowDataset, TensorWindows, count_windows, create_dataloader


def classic_windows(ids: list[int], max_length: int, stride: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The reference: the loop of Build a Large Language Model (From Scratch), chapter 2, verbatim."""
    pairs = []
    for i in range(0, len(ids) - max_length, stride):
        pairs.append((torch.tensor(ids[i : i + max_length]), torch.tensor(ids[i + 1 : i + max_length + 1])))
    return pairs


def assert_same_as_classic(
    dataset: SlidingWindowDataset, ids: list[int], max_length: int, stride: int
) -> None:
    expected = classic_windows(ids, max_length, stride)
    assert len(dataset) == len(expected)
    if dataset.inputs is not None:  # the (N, max_length) views hold exactly the classic windows, no extra row
        assert dataset.inputs.shape == dataset.targets.shape == (len(expected), max_length)
    for index, (inputs, targets) in enumerate(expected):
        got_inputs, got_targets = dataset[index]
        assert got_inputs.dtype == got_targets.dtype == torch.int64
        assert torch.equal(got_inputs, inputs) and torch.equal(got_targets, targets), index
    with pytest.raises(IndexError):
        dataset[len(expected)]


@pytest.fixture(scope="module")
def verdict() -> str:
    return fetch("the-verdict.txt").read_text(encoding="utf-8")


# --- same windows as the classic loop ---------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(ids=st.lists(st.integers(0, 50_256), min_size=2, max_size=120), data=st.data())
def test_matches_classic_loop_for_lists(ids, data):
    max_length = data.draw(st.integers(1, len(ids) - 1), label="max_length")
    stride = data.draw(st.integers(1, len(ids) + 3), label="stride")
    dataset = SlidingWindowDataset(ids, max_length=max_length, stride=stride)
    assert_same_as_classic(dataset, ids, max_length, stride)
    assert count_windows(len(ids), max_length, stride) == len(classic_windows(ids, max_length, stride))


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.integers(0, 65_535), min_size=2, max_size=80), data=st.data())
def test_matches_classic_loop_for_uint16_arrays(ids, data):
    max_length = data.draw(st.integers(1, len(ids) - 1), label="max_length")
    stride = data.draw(st.integers(1, len(ids) + 3), label="stride")
    dataset = SlidingWindowDataset(np.array(ids, dtype=np.uint16), max_length=max_length, stride=stride)
    assert_same_as_classic(dataset, ids, max_length, stride)


@pytest.mark.parametrize(
    "num_tokens, max_length, stride",
    [(5, 4, 1), (6, 4, 1), (9, 4, 4), (10, 4, 4), (100, 7, 3), (1, 0 + 1, 1)],
)
def test_count_windows_formula(num_tokens, max_length, stride):
    assert count_windows(num_tokens, max_length, stride) == len(range(0, num_tokens - max_length, stride))


def test_the_verdict_classic_numbers(verdict):
    """The published outputs of LLMs-from-scratch, chapter 2 (main notebook, section 2.6)."""
    first = next(iter(create_dataloader(verdict, batch_size=1, max_length=4, stride=1, shuffle=False)))
    assert first[0].tolist() == [[40, 367, 2885, 1464]]
    assert first[1].tolist() == [[367, 2885, 1464, 1807]]

    second = list(create_dataloader(verdict, batch_size=1, max_length=4, stride=1, shuffle=False))[1]
    assert second[0].tolist() == [[367, 2885, 1464, 1807]]
    assert second[1].tolist() == [[2885, 1464, 1807, 3619]]

    loader = create_dataloader(verdict, batch_size=8, max_length=4, stride=4, shuffle=False)
    inputs, targets = next(iter(loader))
    assert inputs.shape == targets.shape == (8, 4)
    assert inputs[0].tolist() == [40, 367, 2885, 1464]
    assert inputs[-1].tolist() == [284, 3285, 326, 11]
    assert targets[-1].tolist() == [3285, 326, 11, 287]
    assert len(loader.dataset) == (5145 - 4 - 1) // 4 + 1 == 1286
    assert len(loader) == 1286 // 8


# --- zero copy ---------------------------------------------------------------------------------------


def test_windows_are_views_into_the_token_tensor():
    tokens = torch.arange(1000, dtype=torch.int64)
    dataset = SlidingWindowDataset(tokens, max_length=16, stride=1)
    base = tokens.untyped_storage().data_ptr()
    assert dataset.inputs.untyped_storage().data_ptr() == base
    assert dataset.targets.untyped_storage().data_ptr() == base
    inputs, targets = dataset[500]
    assert inputs.untyped_storage().data_ptr() == targets.untyped_storage().data_ptr() == base
    assert inputs.data_ptr() == base + 500 * 8 and targets.data_ptr() == base + 501 * 8
    # A write to the corpus shows through every window that holds that position: nothing was copied.
    tokens[510] = 7
    assert dataset[500][0][10].item() == 7 and dataset[495][1][14].item() == 7


def test_view_dataset_allocates_no_window_copies():
    tokens = torch.zeros(200_000, dtype=torch.int64)
    dataset = SlidingWindowDataset(tokens, max_length=256, stride=1)
    storages = {dataset.inputs.untyped_storage().data_ptr(), dataset.targets.untyped_storage().data_ptr()}
    assert storages == {tokens.untyped_storage().data_ptr()}
    assert dataset.inputs.untyped_storage().nbytes() == 200_000 * 8  # one corpus, not 256 of them
    assert dataset.inputs.shape == (199_744, 256) and dataset.inputs.stride() == (1, 1)


def test_list_input_is_one_int64_tensor():
    dataset = SlidingWindowDataset([3, 1, 4, 1, 5, 9, 2, 6], max_length=3, stride=2)
    assert dataset.tokens.dtype == torch.int64 and dataset.tokens.tolist() == [3, 1, 4, 1, 5, 9, 2, 6]
    assert dataset.inputs.untyped_storage().data_ptr() == dataset.tokens.untyped_storage().data_ptr()


def test_other_integer_tensors_give_int64_windows():
    tokens = torch.tensor([5, 6, 7, 8, 9], dtype=torch.int32)
    inputs, targets = SlidingWindowDataset(tokens, max_length=2, stride=1)[2]
    assert inputs.dtype == targets.dtype == torch.int64
    assert inputs.tolist() == [7, 8] and targets.tolist() == [8, 9]


# --- memmap, read lazily ----------------------------------------------------------------------------


def test_uint16_memmap_is_windowed_lazily(tmp_path, verdict):
    from utils.tokenizer import gpt2_tokenizer

    ids = gpt2_tokenizer().encode(verdict)
    path = tmp_path / "verdict.bin"
    np.array(ids, dtype=np.uint16).tofile(path)
    tokens = np.memmap(path, dtype=np.uint16, mode="r")
    dataset = SlidingWindowDataset(tokens, max_length=4, stride=4)
    assert dataset.inputs is None  # nothing read or converted up front
    assert_same_as_classic(dataset, ids, 4, 4)
    loader = create_dataloader(tokens, batch_size=8, max_length=4, stride=4, shuffle=False)
    inputs, targets = next(iter(loader))
    assert inputs.dtype == torch.int64 and inputs[-1].tolist() == [284, 3285, 326, 11]
    assert targets[-1].tolist() == [3285, 326, 11, 287]
    assert dataset[-1][1].tolist() == classic_windows(ids, 4, 4)[-1][1].tolist()


def test_memmap_ids_above_int16_survive(tmp_path):
    path = tmp_path / "high.bin"
    np.array([50_256, 40_000, 65_535, 1, 2], dtype=np.uint16).tofile(path)
    inputs, targets = SlidingWindowDataset(np.memmap(path, dtype=np.uint16, mode="r"), 3, 1)[1]
    assert inputs.tolist() == [40_000, 65_535, 1] and targets.tolist() == [65_535, 1, 2]


def test_negative_id_in_signed_memmap_is_reported_when_read(tmp_path):
    path = tmp_path / "signed.bin"
    np.array([1, 2, 3, -4, 5, 6], dtype=np.int32).tofile(path)
    dataset = SlidingWindowDataset(np.memmap(path, dtype=np.int32, mode="r"), max_length=2, stride=2)
    assert dataset[0][0].tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"found -4 in window 1"):
        dataset[1]


# --- DataLoader --------------------------------------------------------------------------------------


def test_seeded_shuffle_is_reproducible_and_a_permutation():
    ids = list(range(101))
    orders = []
    for _ in range(2):
        loader = create_dataloader(
            ids,
            batch_size=5,
            max_length=4,
            stride=4,
            shuffle=True,
            generator=torch.Generator().manual_seed(123),
        )
        orders.append(torch.cat([inputs[:, 0] for inputs, _ in loader]).tolist())
    assert orders[0] == orders[1]
    assert orders[0] != sorted(orders[0])
    assert sorted(orders[0]) == list(range(0, 100, 4))  # 25 windows, 5 full batches, each window once


def test_drop_last_drops_the_partial_batch():
    ids = list(range(30))  # 26 windows of 4 with stride 1
    assert len(create_dataloader(ids, batch_size=8, max_length=4, stride=1, shuffle=False)) == 3
    loader = create_dataloader(ids, batch_size=8, max_length=4, stride=1, shuffle=False, drop_last=False)
    assert [len(inputs) for inputs, _ in loader] == [8, 8, 8, 2]


def test_custom_tokenizer_and_end_of_text(verdict):
    loader = create_dataloader("a b<|endoftext|> c d e", batch_size=1, max_length=2, stride=1, shuffle=False)
    all_inputs = torch.cat([inputs for inputs, _ in loader]).flatten().tolist()
    assert 50256 in all_inputs

    class Characters:
        def encode(self, text, allowed_special=()):
            return [ord(char) for char in text]

    loader = create_dataloader(
        "abcdef", batch_size=2, max_length=2, stride=2, shuffle=False, tokenizer=Characters()
    )
    inputs, targets = next(iter(loader))
    assert inputs.tolist() == [[97, 98], [99, 100]] and targets.tolist() == [[98, 99], [100, 101]]


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["max_length", "stride"])
@pytest.mark.parametrize(
    "value, error",
    [
        (0, ValueError),
        (-3, ValueError),
        (2.0, TypeError),
        (True, TypeError),
        ("4", TypeError),
        (None, TypeError),
    ],
)
def test_bad_max_length_or_stride(name, value, error):
    arguments = {"max_length": 4, "stride": 1, name: value}
    with pytest.raises(error, match=name):
        SlidingWindowDataset(list(range(20)), **arguments)


@pytest.mark.parametrize(
    "value, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError), (False, TypeError)]
)
def test_bad_batch_size(value, error):
    with pytest.raises(error, match="batch_size"):
        create_dataloader(list(range(20)), batch_size=value, max_length=4, stride=1)


def test_numpy_integers_are_accepted_as_sizes():
    assert len(SlidingWindowDataset(list(range(20)), max_length=np.int64(4), stride=np.int32(2))) == 8


def test_too_short_says_how_many_tokens_and_what_is_needed():
    with pytest.raises(ValueError, match=r"Only 4 tokens, but max_length=4 needs at least 5"):
        SlidingWindowDataset([1, 2, 3, 4], max_length=4, stride=1)
    with pytest.raises(ValueError, match=r"Only 3 tokens, but max_length=256 needs at least 257"):
        create_dataloader("Hello, world", max_length=256)
    assert len(SlidingWindowDataset([1, 2, 3, 4, 5], max_length=4, stride=1)) == 1  # exactly enough


def test_empty_or_non_string_text():
    with pytest.raises(ValueError, match="empty"):
        create_dataloader("")
    with pytest.raises(TypeError, match="got bytes"):
        create_dataloader(b"some bytes")
    with pytest.raises(TypeError, match="got int"):
        create_dataloader(42)
    with pytest.raises(TypeError, match="got a string"):
        SlidingWindowDataset("a text", max_length=2, stride=1)


@pytest.mark.parametrize(
    "ids",
    [
        torch.arange(20, dtype=torch.float32),
        np.arange(20, dtype=np.float64),
        torch.ones(20, dtype=torch.bool),
        [1, 2, 3.0, 4, 5, 6],
        [1, "2", 3, 4, 5],
    ],
)
def test_non_integer_ids(ids):
    with pytest.raises(TypeError, match="integers"):
        SlidingWindowDataset(ids, max_length=2, stride=1)


@pytest.mark.parametrize(
    "ids", [[1, 2, -3, 4, 5], torch.tensor([1, 2, -3, 4, 5]), np.array([1, 2, -3, 4, 5])]
)
def test_negative_ids(ids):
    with pytest.raises(ValueError, match=r">= 0, found -3"):
        SlidingWindowDataset(ids, max_length=2, stride=1)


def test_ragged_nested_lists_of_ids():
    with pytest.raises(ValueError, match="nested lists of different lengths"):
        SlidingWindowDataset([[1, 2, 3], [4, 5]], max_length=2, stride=1)


@pytest.mark.parametrize("ids", [torch.zeros(4, 5, dtype=torch.int64), np.zeros((4, 5), dtype=np.int64)])
def test_two_dimensional_ids(ids):
    with pytest.raises(ValueError, match="1-D"):
        SlidingWindowDataset(ids, max_length=2, stride=1)


def test_fewer_windows_than_a_batch_with_drop_last():
    with pytest.raises(ValueError, match=r"Only 3 windows, fewer than batch_size=4"):
        create_dataloader(list(range(7)), batch_size=4, max_length=4, stride=1)
    assert len(create_dataloader(list(range(7)), batch_size=4, max_length=4, stride=1, drop_last=False)) == 1


# --- token IDs read from a file: unsigned dtypes (issue 16) ---------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda ids: np.array(ids, dtype=np.uint16),
        lambda ids: torch.tensor(ids, dtype=torch.uint16),
        lambda ids: torch.tensor(ids, dtype=torch.uint8),
        lambda ids: np.array(ids, dtype=np.uint32),
    ],
)
def test_check_token_ids_accepts_unsigned_ids(make):
    checked = check_token_ids(make([0, 5, 255]), vocab_size=256)
    assert checked.dtype == torch.int64 and checked.tolist() == [0, 5, 255]
    with pytest.raises(ValueError, match="Token ID 255 at position 2 is out of range: valid IDs are 0 to 9"):
        check_token_ids(make([0, 5, 255]), vocab_size=10)


def test_check_token_ids_on_a_read_only_uint16_memmap(tmp_path):
    path = tmp_path / "tokens.bin"
    np.array([40, 367, 50_256], dtype=np.uint16).tofile(path)
    ids = np.memmap(path, dtype=np.uint16, mode="r")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch warns about non-writable arrays it would share
        checked = check_token_ids(ids, vocab_size=50_257)
    assert checked.tolist() == [40, 367, 50_256]
    assert torch.nn.Embedding(50_257, 2)(checked).shape == (3, 2)
    with pytest.raises(ValueError, match="Token ID 50256 at position 2"):
        check_token_ids(ids, vocab_size=50_000)


@pytest.mark.parametrize(
    "ids, error, message",
    [
        ("some text", TypeError, "got a str. Tokenize the text first"),
        ([[1, 2], [3]], ValueError, "a (nested) list of ints of equal lengths"),
        (np.array(["a", "b"]), TypeError, "Token IDs must be integers, got dtype <U1"),
        (np.array([1.0, 2.0]), TypeError, "Token IDs must be integers, got dtype float64"),
    ],
)
def test_check_token_ids_explains_what_torch_would_not(ids, error, message):
    with pytest.raises(error) as info:
        check_token_ids(ids, vocab_size=10)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "vocab_size, error",
    [(0, ValueError), (-5, ValueError), (10.0, TypeError), (True, TypeError), ("10", TypeError)],
)
def test_check_token_ids_vocab_size_follows_the_shared_contract(vocab_size, error):
    with pytest.raises(error, match="vocab_size"):
        check_token_ids([1, 2], vocab_size=vocab_size)


def test_both_strategies_are_sliding_window_datasets_and_pickle(tmp_path):
    tensor_windows = SlidingWindowDataset(list(range(20)), max_length=4, stride=2)
    array_windows = SlidingWindowDataset(np.arange(20, dtype=np.uint16), max_length=4, stride=2)
    assert isinstance(tensor_windows, TensorWindows) and isinstance(array_windows, ArrayWindows)
    assert all(isinstance(ds, SlidingWindowDataset) for ds in (tensor_windows, array_windows))
    for dataset in (tensor_windows, array_windows):  # DataLoader workers on macOS/Windows pickle the dataset
        copy = pickle.loads(pickle.dumps(dataset))
        assert len(copy) == len(dataset) == 8
        assert all(torch.equal(a, b) for a, b in zip(copy[3], dataset[3], strict=True))


def test_sizes_accept_integer_tensors_and_share_the_validation_contract():
    assert len(SlidingWindowDataset(list(range(20)), max_length=torch.tensor(4), stride=np.int8(2))) == 8
    with pytest.raises(TypeError, match=r"stride must be a positive integer, got tensor\(2\.5000\)"):
        SlidingWindowDataset(list(range(20)), max_length=4, stride=torch.tensor(2.5))
