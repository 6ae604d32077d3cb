"""Table-driven test of notebook 00's exercise checkers: right answers in every natural form pass,
plausible wrong answers fail with the message meant for them, placeholders wait."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from exercise_table import assert_fails_with, assert_passes, assert_waits_without_a_hint

from utils.tokenizer import gpt2_tokenizer

IDS = gpt2_tokenizer().encode("Token embeddings turn text into vectors.")
VOCAB = gpt2_tokenizer().n_vocab

RIGHT = [
    ("00.1", IDS), ("00.1", tuple(IDS)), ("00.1", np.array(IDS)), ("00.1", torch.tensor(IDS)),
    ("00.1", [np.int64(i) for i in IDS]), ("00.1", list(torch.tensor(IDS))),
    ("00.2", VOCAB), ("00.2", np.int64(VOCAB)), ("00.2", np.int32(VOCAB)), ("00.2", torch.tensor(VOCAB)),
    ("00.3", 2), ("00.3", np.int64(2)), ("00.3", torch.tensor(2)), ("00.3", 2.0), ("00.2", float(VOCAB)),
    ("00.4", "electroencephalography"), ("00.4", " Bioluminescence "), ("00.4", "counterrevolutionary"),
    ("00.4", "embeddings"),  # exactly 3 tokens: ' embed', 'd', 'ings'
]

WRONG = [
    ("00.1", IDS[:-1], "Your list has"),
    ("00.1", IDS + [13], "Your list has"),
    ("00.1", gpt2_tokenizer().encode("token embeddings turn text into vectors."), "some IDs differ"),
    ("00.1", [str(i) for i in IDS], "integer token ID"),
    ("00.1", [float(i) for i in IDS], "integer token ID"),
    ("00.1", torch.tensor([IDS]), "flat sequence"),
    ("00.1", " ".join(map(str, IDS)), "Expected a list of integer token IDs"),
    ("00.2", VOCAB - 1, "Off by one"),
    ("00.2", 50_000, "not the number of token IDs"),
    ("00.2", "50257", "whole number"),
    ("00.3", 1, "does not keep every word whole"),
    ("00.3", 3, "run it and count"),
    ("00.3", 2.5, "whole number"),
    ("00.4", "the", "find a word it splits into at least 3"),
    ("00.4", "tokenizer", "is 2 token(s)"),
    ("00.4", "two words", "single word"),
    ("00.4", "photosynthesis", "is 2 token(s)"),
    ("00.4", "xqzjvkwp", "not in the 400,000-word GloVe"),
    ("00.4", "embeddingsembeddings", "not in the 400,000-word GloVe"),
    ("00.4", "1234567890123", "not a word"), ("00.4", "!!!???###", "not a word"),
    ("00.4", "a1b2c3d4", "not a word"),
    ("00.4", "", "single word"),
    ("00.4", 3, "Expected a single word"),
]


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT, ids=[f"{e}-{i}" for i, (e, _) in enumerate(RIGHT)])
def test_right_answers_pass(exercise_id, answer):
    assert_passes(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer", "message"), WRONG,
                         ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG)])
def test_wrong_answers_fail_with_their_message(exercise_id, answer, message):
    assert_fails_with(exercise_id, answer, message)


@pytest.mark.parametrize("exercise_id", ["00.1", "00.2", "00.3", "00.4"])
@pytest.mark.parametrize("placeholder", [..., None])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_the_predict_exercise_asks_for_what_the_tokenizer_really_does():
    assert len(gpt2_tokenizer().encode(" tokenization")) == 2
    assert len(gpt2_tokenizer().encode(" embeddings")) == 3  # the boundary case of 00.4
