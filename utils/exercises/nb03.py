"""Exercise checks for notebook 03 (embedding = one-hot × linear)."""

from __future__ import annotations

import torch

from utils.exercises import NotYet, exercise, expect_shape, expect_type


@exercise("03.1", "a one-hot matrix",
          "torch.nn.functional.one_hot(ids, num_classes=...) gives integers; convert with .float().")
def check_one_hot(answer) -> None:
    expect_type(answer, torch.Tensor, "a tensor")
    expect_shape(answer, (4, 5))
    if not answer.dtype.is_floating_point:
        raise NotYet(f"The dtype is {answer.dtype}; a linear layer needs a float tensor.")
    expected = torch.nn.functional.one_hot(torch.tensor([0, 3, 3, 1]), 5).float()
    if not torch.equal(answer, expected):
        raise NotYet("Each row must hold a single 1.0 in the column of its ID (IDs 0, 3, 3, 1) and 0.0 elsewhere.")


@exercise("03.2", "an embedding as a linear layer",
          "nn.Linear(in_features, out_features) stores its weight as (out, in): the transposed embedding weight.")
def check_embedding_as_linear(answer) -> None:
    if not callable(answer):
        raise NotYet("Expected a function embedding_as_linear(embedding) -> nn.Linear.")
    generator = torch.Generator().manual_seed(3)
    embedding = torch.nn.Embedding(11, 4)
    with torch.no_grad():
        embedding.weight.copy_(torch.randn(11, 4, generator=generator))
    linear = answer(embedding)
    if not isinstance(linear, torch.nn.Linear):
        raise NotYet(f"Return a torch.nn.Linear, got {type(linear).__name__}.")
    if linear.bias is not None:
        raise NotYet("The linear layer has a bias: an embedding has none (bias=False).")
    if tuple(linear.weight.shape) != (4, 11):
        raise NotYet(f"The linear weight has shape {tuple(linear.weight.shape)}; for an Embedding(11, 4) it "
                     "must be (4, 11).")
    ids = torch.tensor([10, 0, 3, 3, 7])
    one_hot = torch.nn.functional.one_hot(ids, 11).float()
    if not torch.equal(linear(one_hot), embedding(ids)):
        raise NotYet("linear(one_hot(ids)) differs from embedding(ids): did you copy the weight transposed?")


@exercise("03.3", "multiply-adds of the one-hot path",
          "each of the N one-hot rows (length V) multiplies a V × d matrix: V × d multiply-adds per token.")
def check_multiply_adds(answer) -> None:
    expect_type(answer, int, "an integer")
    expected = 1024 * 50_257 * 768
    if answer == 2 * expected:
        raise NotYet("That counts multiplications and additions separately (FLOPs); count multiply-adds.")
    if answer != expected:
        raise NotYet("Not the number of multiply-adds for N = 1,024 tokens, V = 50,257 and d = 768.")


@exercise("03.4", "predict a weight gradient",
          "row v of the gradient is the sum of the upstream gradients of the tokens whose ID is v.")
def check_gradient(answer) -> None:
    expect_type(answer, torch.Tensor, "a tensor")
    expect_shape(answer, (3, 2))
    expected = torch.tensor([[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]])
    if torch.equal(answer.float(), torch.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])):
        raise NotYet("ID 1 appears twice: its gradients add up.")
    if not torch.equal(answer.float(), expected):
        raise NotYet("Not that gradient: which rows were looked up, and how often?")
