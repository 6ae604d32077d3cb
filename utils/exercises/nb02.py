"""Exercise checks for notebook 02 (embedding lookup)."""

from __future__ import annotations

import numpy as np
import torch

from . import NotYet, as_int, call_student, exercise, expect_type
from .fixtures import as_id_list, english_words

SENTENCE = "quick fox is in the house"
VOCAB = {word: token_id for token_id, word in enumerate(sorted(set(SENTENCE.split())))}

# Exercise 02.5: one AdamW step on a table with a padding row and two rows that are never looked up.
ADAMW_IDS = [[2, 3, 5, 1], [4, 0, 8, 8]]
ADAMW_ROWS, ADAMW_PADDING = 9, 8


def adamw_changed_rows() -> list[int]:
    """The rows that one AdamW step (lr=0.1, default weight decay 0.01) changes in exercise 02.5's setting."""
    torch.manual_seed(0)
    table = torch.nn.Embedding(ADAMW_ROWS, 3, padding_idx=ADAMW_PADDING)
    before = table.weight.detach().clone()
    optimizer = torch.optim.AdamW(table.parameters(), lr=0.1)
    table(torch.tensor(ADAMW_IDS)).pow(2).sum().backward()
    optimizer.step()
    return (table.weight.detach() != before).any(dim=1).nonzero().flatten().tolist()


def single_token_variants(word: str) -> list[str]:
    """The spellings of ``word`` (as is, lower, Capitalised, UPPER; with and without a leading space) that
    GPT-2 encodes as one token: each is a row of its own in GPT-2's embedding table."""
    from ..tokenizer import gpt2_tokenizer

    tokenizer = gpt2_tokenizer()
    spellings = {word, word.lower(), word.capitalize(), word.upper()}
    variants = {prefix + spelling for spelling in spellings for prefix in ("", " ")}
    return sorted(v for v in variants if len(tokenizer.encode(v)) == 1)


@exercise("02.1", "encode a sentence with the toy vocabulary",
          "look every word up in the vocab dictionary, in the order of the sentence.")
def check_encode(answer) -> None:
    ids = as_id_list(answer, "a list of integer token IDs")
    expected = [VOCAB[word] for word in "the fox is in the house".split()]
    if len(ids) != len(expected):
        raise NotYet(f"The sentence has {len(expected)} words, so expect {len(expected)} IDs; you gave {len(ids)}.")
    if ids == expected:
        return
    if sorted(ids) == sorted(expected):
        raise NotYet("The right IDs, but in the wrong order: keep the order of the words in the sentence.")
    if [i - 1 for i in ids] == expected:
        raise NotYet("Every ID is one too large: the vocabulary counts from 0.")
    raise NotYet("Some IDs are wrong: the vocabulary numbers the words in alphabetical order from 0.")


@exercise("02.2", "the output shape of a batched lookup",
          "a lookup replaces every ID by a row of length embedding_dim: the IDs' shape gains one axis.")
def check_batched_shape(answer) -> None:
    if isinstance(answer, (torch.Tensor, np.ndarray)) and answer.ndim == 1:
        answer = tuple(answer.tolist())
    if isinstance(answer, (torch.Size, list)):
        answer = tuple(answer)
    expect_type(answer, tuple, "a tuple of three integers, like (1, 2, 3)")
    if len(answer) != 3:
        raise NotYet(f"Expected three numbers (batch, tokens, dimensions), got {len(answer)}.")
    shape = tuple(as_int(size, "an axis length", integral_floats=True) for size in answer)
    if shape == (8, 16, 50257):
        raise NotYet("The last axis is the embedding dimension, not the vocabulary size.")
    if shape == (16, 8, 768):
        raise NotYet("The first two axes are swapped: the IDs' shape (8, 16) is kept as it is.")
    if shape != (8, 16, 768):
        raise NotYet("Not the shape of that lookup: which axes come from the IDs and which from the table?")


@exercise("02.3", "bytes of the GPT-2 medium token embedding in bfloat16",
          "parameters = vocabulary size × embedding dimension; bfloat16 uses 2 bytes per parameter.")
def check_bytes(answer) -> None:
    table_bytes = as_int(answer, "an integer number of bytes", integral_floats=True)
    parameters = 50_257 * 1024
    if table_bytes == parameters:
        raise NotYet("That is the number of parameters; multiply by the bytes per parameter.")
    if table_bytes == parameters * 4:
        raise NotYet("That is the size in float32 (4 bytes each); bfloat16 takes 2.")
    if table_bytes in (50_257 * 768 * 2, 50_256 * 1024 * 2, 50_000 * 1024 * 2):
        raise NotYet("Check the table's size: GPT-2 medium has 50,257 rows of 1,024 numbers.")
    if table_bytes != parameters * 2:
        raise NotYet("Not the right number of bytes: use 50,257 rows, 1,024 columns and 2 bytes each.")


def _gradient_cases() -> list[tuple[torch.nn.Embedding, list[int]]]:
    """Embeddings after a backward pass, with the rows that truly got a non-zero gradient.

    The last case gives row 4 the gradient [1, -1, 0]: non-zero, but its entries sum to 0, so a test that
    sums a row before comparing with 0 misses it.
    """
    generator = torch.Generator().manual_seed(7)
    cases = []
    for ids in ([[4, 0], [0, 5]], [[9, 9, 1, 17]]):
        embedding = torch.nn.Embedding(20, 3)
        upstream = torch.randn(*torch.tensor(ids).shape, 3, generator=generator)
        (embedding(torch.tensor(ids)) * upstream).sum().backward()
        cases.append((embedding, sorted({token for row in ids for token in row})))
    embedding = torch.nn.Embedding(8, 3)
    upstream = torch.tensor([[1.0, -1.0, 0.0], [0.5, 2.0, -1.0]])
    embedding(torch.tensor([4, 6])).backward(upstream)
    cases.append((embedding, [4, 6]))
    return cases


@exercise("02.4", "which rows received a gradient",
          "a row got gradient when any of its entries is non-zero: compare embedding.weight.grad with 0 "
          "entry by entry, then reduce each row.")
def check_rows_with_gradient(answer) -> None:
    if not callable(answer):
        raise NotYet("Expected a function rows_with_gradient(embedding) -> sorted list of row indices.")
    for embedding, expected in _gradient_cases():
        got = as_id_list(call_student(answer, embedding), "a list of row indices (use .tolist())")
        if got == expected:
            continue
        if sorted(set(got)) == expected:
            raise NotYet("The right rows, but return each row once, in increasing order.")
        if set(got) < set(expected):
            raise NotYet(f"Your function misses row(s) {sorted(set(expected) - set(got))}: a row whose "
                         "gradient entries add up to 0 (like [1, -1, 0]) still has a non-zero gradient.")
        if got == (embedding.weight.grad != 0).any(dim=0).nonzero().flatten().tolist():
            raise NotYet(f"Your function returned {got}: that looks like columns (dimensions), not rows: "
                         "reduce along dim=1.")
        raise NotYet(f"Your function returned {got}; expected the sorted distinct IDs whose rows have a "
                     "non-zero gradient.")


@exercise("02.5", "predict, then run: which rows does one AdamW step change?",
          "AdamW shrinks every weight towards 0 (weight decay), gradient or not; what is 0 shrunk towards 0?")
def check_adamw_rows(answer) -> None:
    rows = as_id_list(answer, "a list of row indices")
    expected = adamw_changed_rows()
    if sorted(set(rows)) == expected:
        return
    looked_up = sorted({i for row in ADAMW_IDS for i in row} - {ADAMW_PADDING})
    if sorted(set(rows)) == looked_up:
        raise NotYet("Those are the rows with a gradient. AdamW's weight decay moves more than those.")
    if sorted(set(rows)) == list(range(ADAMW_ROWS)):
        raise NotYet("Almost: look at the padding row. What does weight decay do to a row of zeros?")
    raise NotYet("Not the rows that change: run the cell below the check and compare.")


@exercise("02.6", "a word with several rows in GPT-2's table",
          "try short, common words: with and without a leading space, lower-case and Capitalised.")
def check_word_with_rows(answer) -> None:
    expect_type(answer, str, "a word as a string")
    word = answer.strip()
    if not word or len(word.split()) != 1:
        raise NotYet("Give a single word, without spaces inside.")
    if len(word) == 1 and word.lower() not in ("a", "i"):
        raise NotYet(f"{word!r} is a single letter, not a word (English has two one-letter words: a and I).")
    if not word.isalpha() or word.lower() not in english_words():
        raise NotYet(f"{word!r} is not a word of the 400,000-word GloVe vocabulary that serves as this "
                     "check's dictionary: give a real word (a common noun, say).")
    if word.lower() == "king":
        raise NotYet("'king' is the notebook's own example: find another word.")
    variants = single_token_variants(word)
    if len(variants) < 3:
        raise NotYet(f"'{word}' has {len(variants)} single-token spelling(s) ({variants}); find a word with "
                     "at least 3.")
