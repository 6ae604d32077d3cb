"""Table-driven test of notebook 03's exercise checkers: right answers in every natural form pass,
plausible wrong answers fail with the message meant for them, placeholders wait."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_table import assert_fails_with, assert_passes, assert_waits_without_a_hint

from utils.exercises.nb03 import nan_entries_of_product

ONE_HOT = F.one_hot(torch.tensor([0, 3, 3, 1]), num_classes=5)
GRAD = [[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]]


def as_linear(embedding):
    linear = torch.nn.Linear(embedding.num_embeddings, embedding.embedding_dim, bias=False)
    with torch.no_grad():
        linear.weight.copy_(embedding.weight.T)
    return linear


def as_linear_parameter(embedding):
    linear = torch.nn.Linear(embedding.num_embeddings, embedding.embedding_dim, bias=False)
    linear.weight = torch.nn.Parameter(embedding.weight.detach().T.clone())
    return linear


def with_bias(embedding):
    linear = torch.nn.Linear(embedding.num_embeddings, embedding.embedding_dim)
    with torch.no_grad():
        linear.weight.copy_(embedding.weight.T)
    return linear


def wrong_shape(embedding):
    return torch.nn.Linear(embedding.embedding_dim, embedding.num_embeddings, bias=False)


def not_transposed(embedding):  # only possible when the table is square: the (6, 6) case catches it
    linear = torch.nn.Linear(embedding.num_embeddings, embedding.embedding_dim, bias=False)
    with torch.no_grad():
        linear.weight.copy_(embedding.weight.reshape(linear.weight.shape))
    return linear


def as_linear_float64(embedding):  # the example: used to be blamed on the environment
    return as_linear(embedding).double()


def returns_embedding(embedding):
    return embedding


def crashes(embedding):
    return torch.nn.Linear(embedding.vocab_size, 4)


RIGHT = [
    ("03.1", ONE_HOT.float()), ("03.1", ONE_HOT.double()), ("03.1", ONE_HOT.to(torch.float16)),
    ("03.2", as_linear), ("03.2", as_linear_parameter),
    ("03.3", 1024 * 50_257 * 1024), ("03.3", np.int64(1024 * 50_257 * 1024)),
    ("03.3", torch.tensor(1024 * 50_257 * 1024)), ("03.3", float(1024 * 50_257 * 1024)),
    ("03.4", torch.tensor(GRAD)), ("03.4", torch.tensor(GRAD, dtype=torch.float64)), ("03.4", GRAD),
    ("03.4", torch.tensor([[0, 0], [2, 2], [1, 1]])), ("03.4", tuple(map(tuple, GRAD))),
    ("03.5", 15), ("03.5", np.int64(15)), ("03.5", torch.tensor(15)), ("03.5", 15.0),
    ("03.4", np.array(GRAD)), ("03.4", np.array(GRAD, dtype=np.float32)),
    ("03.1", np.eye(5)[[0, 3, 3, 1]]), ("03.1", np.eye(5, dtype=np.float32)[[0, 3, 3, 1]]),
    ("03.6", 256), ("03.6", np.int64(256)), ("03.6", torch.tensor(256)), ("03.6", 768 / 3),
    ("03.6", 256.0), ("03.6", np.float64(256.0)),
]

WRONG = [
    ("03.1", ONE_HOT, "needs a float tensor"),
    ("03.1", ONE_HOT.float().T, "transposed"),
    ("03.1", F.one_hot(torch.tensor([0, 3, 3, 1])).float(), "num_classes=5"),
    ("03.1", F.one_hot(torch.tensor([0, 3, 1, 3]), 5).float(), "single 1.0"),
    ("03.1", F.one_hot(torch.tensor([1, 4, 4, 2]), 5).float(), "single 1.0"),
    ("03.1", [[1, 0, 0, 0, 0]], "Expected a tensor"),
    ("03.2", with_bias, "bias"),
    ("03.2", wrong_shape, "must be (4, 11)"),
    ("03.2", not_transposed, "transposed"),
    ("03.2", returns_embedding, "Return a torch.nn.Linear"),
    ("03.2", crashes, "your function raised AttributeError"),
    ("03.2", "linear", "Expected a function"),
    ("03.3", 2 * 1024 * 50_257 * 1024, "FLOPs"),
    ("03.3", 50_257 * 1024, "One factor is missing"),
    ("03.3", 1024 * 50_257 * 1024 + 1, "is not the number of multiply-adds"),
    ("03.3", 5.27e10 + 0.5, "whole number"),
    ("03.3", 5.27e10, "is not the number of multiply-adds"),
    ("03.4", torch.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]]), "appears twice"),
    ("03.4", torch.tensor([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]), "shifted"),
    ("03.4", torch.tensor(GRAD).T, "transposed"),
    ("03.4", torch.tensor([[0.0, 0.0], [2.0, 2.0]]), "Expected shape (3, 2)"),
    ("03.4", torch.ones(3, 2), "which rows were looked up"),
    ("03.4", [["a", "b"]], "nested list) of numbers"),
    ("03.5", 0, "never looked up"),
    ("03.5", 5, "every dimension"),
    ("03.5", 3, "every dimension"),
    ("03.5", 20, "run the cell below"),
    ("03.5", 15.5, "whole number"),
    ("03.4", [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]], "Expected shape (3, 2)"),  # (2, 3) but not the transpose
    ("03.2", as_linear_float64, "torch.float64"),
    ("03.6", 768, "only the float32"),
    ("03.6", 384, "only the int64"),
    ("03.6", 2304, "Upside down"),
    ("03.6", 1024, "solve for N"),
    ("03.6", 256.5, "whole number"),
    ("03.6", 2304.0, "Upside down"),
]


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT, ids=[f"{e}-{i}" for i, (e, _) in enumerate(RIGHT)])
def test_right_answers_pass(exercise_id, answer):
    assert_passes(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer", "message"), WRONG,
                         ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG)])
def test_wrong_answers_fail_with_their_message(exercise_id, answer, message):
    assert_fails_with(exercise_id, answer, message)


def stub(embedding):
    ...


@pytest.mark.parametrize("exercise_id", ["03.1", "03.2", "03.3", "03.4", "03.5", "03.6"])
@pytest.mark.parametrize("placeholder", [..., None, stub])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_nan_count_is_every_entry_and_break_even_is_d_over_3():
    assert nan_entries_of_product() == 3 * 5
    n, v, d = 256, 50_257, 768
    assert 12 * n * v == 4 * v * d
