"""Exercise checks for notebook 00 (setup check)."""

from __future__ import annotations

from . import NotYet, as_int, exercise, expect_type
from .fixtures import as_id_list, english_words, gpt2

SENTENCE = "Token embeddings turn text into vectors."
PREDICT_TEXT = " tokenization"


@exercise("00.1", "token IDs of a sentence",
          "call gpt2_tokenizer().encode(...) on the sentence and keep the list it returns.")
def check_sentence_ids(answer) -> None:
    ids = as_id_list(answer, "a list of integer token IDs")
    expected = gpt2().encode(SENTENCE)
    if len(ids) != len(expected):
        raise NotYet(f"Your list has {len(ids)} IDs; the GPT-2 tokenizer produces a different number "
                     "for this exact sentence (did you change spaces or punctuation?).")
    if ids != expected:
        raise NotYet("Right length, but some IDs differ: encode the exact sentence given above.")


@exercise("00.2", "the vocabulary size of GPT-2",
          "the Encoding object has an attribute that tells how many token IDs exist.")
def check_vocab_size(answer) -> None:
    size = as_int(answer, "an integer", integral_floats=True)
    expected = gpt2().n_vocab
    if size == expected - 1:
        raise NotYet("Off by one: that is the largest token ID; IDs start at 0.")
    if size != expected:
        raise NotYet("That is not the number of token IDs of the GPT-2 encoding.")


@exercise("00.3", "predict, then run: how many tokens is ' tokenization'?",
          "write your guess first; then encode the text (with its leading space) and count the IDs.")
def check_predicted_token_count(answer) -> None:
    count = as_int(answer, "the number of token IDs", integral_floats=True)
    expected = len(gpt2().encode(PREDICT_TEXT))
    if count == len(PREDICT_TEXT.split()):
        raise NotYet("GPT-2 does not keep every word whole: rarer words are split into pieces.")
    if count != expected:
        raise NotYet("Not the number of IDs that encode(' tokenization') returns: run it and count.")


@exercise("00.4", "a word that GPT-2 splits into three or more tokens",
          "try long, rare or technical words; encode them with a leading space, as inside a sentence.")
def check_split_word(answer) -> None:
    expect_type(answer, str, "a single word as a string")
    word = answer.strip()
    if not word or len(word.split()) != 1:
        raise NotYet("Give a single word (no spaces inside), e.g. 'bioluminescence'.")
    if not word.replace("-", "").isalpha():
        raise NotYet(f"{word!r} is not a word: use letters only (a hyphen inside is fine).")
    pieces = gpt2().encode(" " + word)
    if len(pieces) < 3:
        raise NotYet(f"' {word}' is {len(pieces)} token(s) for GPT-2: find a word it splits into at least 3.")
    if word.lower() not in english_words():
        raise NotYet(f"{word!r} is not in the 400,000-word GloVe vocabulary that serves as this check's "
                     "dictionary: give a real word (if yours is one, try another, e.g. a scientific term).")
