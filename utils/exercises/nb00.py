"""Exercise checks for notebook 00 (setup check)."""

from __future__ import annotations

from utils.exercises import NotYet, exercise, expect_type

SENTENCE = "Token embeddings turn text into vectors."


@exercise("00.1", "token IDs of a sentence",
          "call gpt2_tokenizer().encode(...) on the sentence and keep the list it returns.")
def check_sentence_ids(answer) -> None:
    from utils.tokenizer import gpt2_tokenizer

    expect_type(answer, (list, tuple), "a list of integer token IDs")
    expected = gpt2_tokenizer().encode(SENTENCE)
    if not all(isinstance(token, int) for token in answer):
        raise NotYet("Every element should be an integer token ID (not a string or a tensor).")
    if len(answer) != len(expected):
        raise NotYet(f"Your list has {len(answer)} IDs; the GPT-2 tokenizer produces a different number "
                     "for this exact sentence (did you change spaces or punctuation?).")
    if list(answer) != expected:
        raise NotYet("Right length, but some IDs differ: encode the exact sentence given above.")


@exercise("00.2", "the vocabulary size of GPT-2",
          "the Encoding object has an attribute that tells how many token IDs exist.")
def check_vocab_size(answer) -> None:
    from utils.tokenizer import gpt2_tokenizer

    expect_type(answer, int, "an integer")
    if answer != gpt2_tokenizer().n_vocab:
        raise NotYet("That is not the number of token IDs of the GPT-2 encoding.")
