"""Exercise checks for notebook 03 (embedding = one-hot × linear)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import NotYet, as_int, call_student, exercise, expect_shape, expect_type, using_answer, whole_number

ONE_HOT_IDS, ONE_HOT_VOCAB = [0, 3, 3, 1], 5
NAN_IDS, NAN_VOCAB, NAN_DIM = [2, 3, 1], 4, 5


def nan_entries_of_product() -> int:
    """Exercise 03.5: NaN entries of one_hot(ids) @ table when row 0 (never looked up) is all NaN."""
    table = torch.randn(NAN_VOCAB, NAN_DIM, generator=torch.Generator().manual_seed(0))
    table[0] = float("nan")
    return int((F.one_hot(torch.tensor(NAN_IDS), NAN_VOCAB).float() @ table).isnan().sum())


@exercise("03.1", "a one-hot matrix",
          "torch.nn.functional.one_hot(ids, num_classes=...) gives integers; convert with .float().")
def check_one_hot(answer) -> None:
    if isinstance(answer, np.ndarray):
        answer = torch.from_numpy(answer)
    expect_type(answer, torch.Tensor, "a tensor")
    if tuple(answer.shape) == (ONE_HOT_VOCAB, len(ONE_HOT_IDS)):
        raise NotYet("The shape is transposed: one row per token (4 rows), one column per vocabulary entry (5).")
    if tuple(answer.shape) == (len(ONE_HOT_IDS), max(ONE_HOT_IDS) + 1):
        raise NotYet("Only 4 columns: the vocabulary has 5 tokens, so pass num_classes=5 (the largest ID "
                     "in the list is not the vocabulary size).")
    expect_shape(answer, (len(ONE_HOT_IDS), ONE_HOT_VOCAB))
    if not answer.dtype.is_floating_point:
        raise NotYet(f"The dtype is {answer.dtype}; a linear layer needs a float tensor.")
    expected = F.one_hot(torch.tensor(ONE_HOT_IDS), ONE_HOT_VOCAB).to(answer.dtype)
    if not torch.equal(answer, expected):
        raise NotYet("Each row must hold a single 1.0 in the column of its ID (IDs 0, 3, 3, 1) and 0.0 elsewhere.")


@exercise("03.2", "an embedding as a linear layer",
          "nn.Linear(in_features, out_features) stores its weight as (out, in): the transposed embedding weight.")
def check_embedding_as_linear(answer) -> None:
    if not callable(answer):
        raise NotYet("Expected a function embedding_as_linear(embedding) -> nn.Linear.")
    generator = torch.Generator().manual_seed(3)
    for vocab_size, dim in ((11, 4), (6, 6)):  # a square table catches a copy without the transpose
        embedding = torch.nn.Embedding(vocab_size, dim)
        with torch.no_grad():
            embedding.weight.copy_(torch.randn(vocab_size, dim, generator=generator))
        linear = call_student(answer, embedding)
        if not isinstance(linear, torch.nn.Linear):
            raise NotYet(f"Return a torch.nn.Linear, got {type(linear).__name__}.")
        if linear.bias is not None:
            raise NotYet("The linear layer has a bias: an embedding has none (bias=False).")
        if tuple(linear.weight.shape) != (dim, vocab_size):
            raise NotYet(f"The linear weight has shape {tuple(linear.weight.shape)}; for an "
                         f"Embedding({vocab_size}, {dim}) it must be ({dim}, {vocab_size}).")
        ids = torch.tensor([vocab_size - 1, 0, 3, 3, 5])
        one_hot = F.one_hot(ids, vocab_size).float()
        with torch.no_grad(), using_answer("your layer"):
            if linear.weight.dtype != embedding.weight.dtype:
                raise NotYet(f"Your layer's weight is {linear.weight.dtype}; the embedding's is "
                             f"{embedding.weight.dtype}. Keep the dtype, so the outputs are the same numbers.")
            if not torch.equal(linear(one_hot), embedding(ids)):
                raise NotYet("linear(one_hot(ids)) differs from embedding(ids): did you copy the weight "
                             "transposed?")


whole_number(
    "03.3", "multiply-adds of the one-hot path",
    "each of the N one-hot rows (length V) multiplies a V × d matrix: V × d multiply-adds per token.",
    what="the number of multiply-adds for N = 1,024 tokens, V = 50,257 and d = 1,024 (GPT-2 medium)",
    answer=1024 * 50_257 * 1024,
    mistakes={
        2 * 1024 * 50_257 * 1024: "That counts multiplications and additions separately (FLOPs); count "
        "multiply-adds.",
        50_257 * 1024: "One factor is missing: count every token, every vocabulary entry and every dimension.",
        1024 * 50_257: "One factor is missing: count every token, every vocabulary entry and every dimension.",
        1024 * 1024: "One factor is missing: count every token, every vocabulary entry and every dimension.",
    },
)


@exercise("03.4", "predict a weight gradient",
          "row v of the gradient is the sum of the upstream gradients of the tokens whose ID is v.")
def check_gradient(answer) -> None:
    if isinstance(answer, np.ndarray):
        answer = torch.from_numpy(answer)
    if isinstance(answer, (list, tuple)):
        try:
            answer = torch.tensor(answer, dtype=torch.float64)
        except (TypeError, ValueError):
            raise NotYet("Expected a (3, 2) tensor (or nested list) of numbers.") from None
    expect_type(answer, torch.Tensor, "a tensor")
    right = torch.tensor([[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]], dtype=torch.float64)
    if tuple(answer.shape) == (2, 3) and torch.equal(answer.double(), right.T):
        raise NotYet("The shape is transposed: the gradient has the weight's shape (3 rows, 2 columns).")
    expect_shape(answer, (3, 2))
    got = answer.double()
    if torch.equal(got, torch.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]], dtype=torch.float64)):
        raise NotYet("ID 1 appears twice: its gradients add up.")
    if torch.equal(got, torch.tensor([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]], dtype=torch.float64)):
        raise NotYet("Rows are shifted by one: row v belongs to ID v, counting from 0.")
    if not torch.equal(got, torch.tensor([[0.0, 0.0], [2.0, 2.0], [1.0, 1.0]], dtype=torch.float64)):
        raise NotYet("Not that gradient: which rows were looked up, and how often?")


@exercise("03.5", "predict, then run: NaN entries of the product",
          "0 × NaN is NaN, and one NaN term makes a whole sum NaN; which sums contain a term from row 0?")
def check_nan_count(answer) -> None:
    count = as_int(answer, "a number of entries", integral_floats=True)
    expected = nan_entries_of_product()
    if count == 0:
        raise NotYet("Row 0 is never looked up, yet the product multiplies it (by 0.0) for every token.")
    if count in (NAN_DIM, len(NAN_IDS)):
        raise NotYet("More than that: a NaN in row 0 reaches every dimension j of every token t.")
    if count != expected:
        raise NotYet("Not the number of NaN entries: run the cell below and count them.")


whole_number(
    "03.6", "when do the one-hot temporaries outweigh the table?",
    "compare the one-hot path's 12·N·V bytes (int64 + float32 one-hot) with the table's 4·V·d bytes.",
    what="the break-even N: write both sizes in bytes and solve for N",
    answer=768 // 3,
    mistakes={
        768: "That counts only the float32 one-hot (4·N·V); the int64 one-hot (8·N·V) coexists with it.",
        768 // 2: "That counts only the int64 one-hot (8·N·V); its float32 copy (4·N·V) coexists with it.",
        3 * 768: "Upside down: solve 12·N·V = 4·V·d for N.",
    },
)
