"""Exercise checks for notebook 02 (embedding lookup)."""

from __future__ import annotations

import torch

from utils.exercises import NotYet, exercise, expect_type

SENTENCE = "quick fox is in the house"
VOCAB = {word: token_id for token_id, word in enumerate(sorted(set(SENTENCE.split())))}


@exercise("02.1", "encode a sentence with the toy vocabulary",
          "look every word up in the vocab dictionary, in the order of the sentence.")
def check_encode(answer) -> None:
    expect_type(answer, (list, tuple), "a list of integer token IDs")
    expected = [VOCAB[word] for word in "the fox is in the house".split()]
    if not all(isinstance(token, int) and not isinstance(token, bool) for token in answer):
        raise NotYet("Every element should be a Python int (use a list, not a tensor).")
    if len(answer) != len(expected):
        raise NotYet(f"The sentence has {len(expected)} words, so expect {len(expected)} IDs; you gave {len(answer)}.")
    if list(answer) == expected:
        return
    if sorted(answer) == sorted(expected):
        raise NotYet("The right IDs, but in the wrong order: keep the order of the words in the sentence.")
    raise NotYet("Some IDs are wrong: the vocabulary numbers the words in alphabetical order from 0.")


@exercise("02.2", "the output shape of a batched lookup",
          "a lookup replaces every ID by a row of length embedding_dim: the IDs' shape gains one axis.")
def check_batched_shape(answer) -> None:
    if isinstance(answer, torch.Size):
        answer = tuple(answer)
    expect_type(answer, tuple, "a tuple of three integers, like (1, 2, 3)")
    if len(answer) != 3:
        raise NotYet(f"Expected three numbers (batch, tokens, dimensions), got {len(answer)}.")
    if answer == (8, 16, 50257):
        raise NotYet("The last axis is the embedding dimension, not the vocabulary size.")
    if answer != (8, 16, 768):
        raise NotYet("Not the shape of that lookup: which axes come from the IDs and which from the table?")


@exercise("02.3", "bytes of the GPT-2 medium token embedding in bfloat16",
          "parameters = vocabulary size × embedding dimension; bfloat16 uses 2 bytes per parameter.")
def check_bytes(answer) -> None:
    expect_type(answer, int, "an integer number of bytes")
    parameters = 50_257 * 1024
    if answer == parameters:
        raise NotYet("That is the number of parameters; multiply by the bytes per parameter.")
    if answer == parameters * 4:
        raise NotYet("That is the size in float32 (4 bytes each); bfloat16 takes 2.")
    if answer != parameters * 2:
        raise NotYet("Not the right number of bytes: use 50,257 rows, 1,024 columns and 2 bytes each.")


@exercise("02.4", "which rows received a gradient",
          "a row got gradient when any of its entries is non-zero: compare embedding.weight.grad with 0 "
          "and reduce along dim=1.")
def check_rows_with_gradient(answer) -> None:
    if not callable(answer):
        raise NotYet("Expected a function rows_with_gradient(embedding) -> sorted list of row indices.")
    generator = torch.Generator().manual_seed(7)
    for ids in ([[4, 0], [0, 5]], [[9, 9, 1, 17]]):
        embedding = torch.nn.Embedding(20, 3)
        upstream = torch.randn(*torch.tensor(ids).shape, 3, generator=generator)
        (embedding(torch.tensor(ids)) * upstream).sum().backward()
        got = answer(embedding)
        expected = sorted({token for row in ids for token in row})
        if not isinstance(got, list) or not all(isinstance(x, int) for x in got):
            raise NotYet(f"Return a list of Python ints (use .tolist()), got {type(got).__name__}.")
        if got != expected:
            raise NotYet(f"For IDs {ids} the function returned {got}; expected the sorted distinct IDs "
                         "whose rows have a non-zero gradient.")
