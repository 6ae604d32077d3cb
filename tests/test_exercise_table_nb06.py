"""Table-driven test of notebook 06's exercise checkers: right answers in every natural form pass,
plausible wrong answers fail with the message meant for them, placeholders wait."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from exercise_table import assert_passes, assert_waits_without_a_hint

import utils.data
from utils.exercises import check
from utils.exercises.nb06 import (
    _notebook_training,
    noise_share_of_the,
    paper_keep_probability,
    shrunk_window_share,
)
from utils.word2vec import (
    SkipGramModel,
    build_vocabulary,
    encode_corpus,
    keep_probabilities,
    read_lee_corpus,
    skipgram_pairs,
    to_keyed_vectors,
)

DOCUMENTS = read_lee_corpus()
VOCABULARY = build_vocabulary(DOCUMENTS, min_count=5)
COUNTS64 = torch.tensor(VOCABULARY.counts, dtype=torch.float64)
COUNTS32 = torch.tensor(VOCABULARY.counts, dtype=torch.float32)
ALL_COUNTS = torch.tensor(list(Counter(t for d in DOCUMENTS for t in d).values()), dtype=torch.float64)
SAID = VOCABULARY.id_of("said")
KEEP = paper_keep_probability()  # 0.32917
P_THE = noise_share_of_the()  # 0.02957
_CENTRES, _CONTEXTS = skipgram_pairs(encode_corpus(DOCUMENTS, VOCABULARY), 5)
NEIGHBOURS = set(zip(_CENTRES.tolist(), _CONTEXTS.tolist(), strict=True))  # within 5 tokens of the text
# Section 4's run, replayed by the checker: its table and the pairs training drew (either way round).
TABLE, TRAINED_PAIRS = _notebook_training()
NEVER_MET = ("leg", "boucher")  # never drawn as a pair, cosine 0.77
# Never within 5 tokens of the text, yet drawn as a pair after subsampling: the checker used to accept them.
FAR_BUT_TRAINED = [("sharon", "peres"), ("hare", "ceremony")]
_NORMED = F.normalize(TABLE, dim=1)
_COSINES = (_NORMED @ _NORMED.T).masked_fill(TRAINED_PAIRS, 2.0).fill_diagonal_(2.0)
_LOW = int(((_COSINES - 0.45).abs()).argmin())
LOW_PAIR = (VOCABULARY.words[_LOW // len(VOCABULARY)], VOCABULARY.words[_LOW % len(VOCABULARY)])  # cos ≈ 0.45
UNTRAINED = SkipGramModel(len(VOCABULARY), 50, generator=torch.Generator().manual_seed(0))
TRAINED_MODEL = SkipGramModel(len(VOCABULARY), 50)
with torch.no_grad():
    TRAINED_MODEL.input_embeddings.weight.copy_(TABLE)
_SHUFFLED = torch.randperm(len(VOCABULARY), generator=torch.Generator().manual_seed(0))
# The same vectors under a shuffled word order, looked up by key: the notebook's table.
SHUFFLED_KV = to_keyed_vectors(TABLE[_SHUFFLED].float(), VOCABULARY)
SHUFFLED_KV.index_to_key = [VOCABULARY.words[i] for i in _SHUFFLED.tolist()]
SHUFFLED_KV.key_to_index = {word: row for row, word in enumerate(SHUFFLED_KV.index_to_key)}
# The course's table under another word order (like gensim's KeyedVectors read by the course's IDs): not it.
MISREAD_KV = to_keyed_vectors(TABLE.float(), VOCABULARY)
MISREAD_KV.index_to_key = list(SHUFFLED_KV.index_to_key)
MISREAD_KV.key_to_index = dict(SHUFFLED_KV.key_to_index)
ASSERTS = [
    (VOCABULARY.id_of("leg"), VOCABULARY.id_of("boucher")) not in NEIGHBOURS,
    all((VOCABULARY.id_of(a), VOCABULARY.id_of(b)) not in NEIGHBOURS for a, b in FAR_BUT_TRAINED),
]
assert all(ASSERTS)

def paper_keep(counts):
    return torch.sqrt(1e-3 / (counts[SAID] / counts.sum())).clamp(max=1)


def noise_the(counts):
    return counts[0] ** 0.75 / (counts**0.75).sum()


def sgns(u, v, v_negative):
    return -F.logsigmoid((u * v).sum(-1)) - F.logsigmoid(-(v_negative * u.unsqueeze(1)).sum(-1)).sum(-1)


def sgns_bmm(u, v, v_negative):
    positive = torch.bmm(u.unsqueeze(1), v.unsqueeze(2)).view(-1)
    negative = torch.bmm(v_negative, u.unsqueeze(2)).squeeze(2)
    return -F.logsigmoid(positive) - F.logsigmoid(-negative).sum(1)


def sgns_float64(u, v, v_negative):
    return sgns(u.double(), v.double(), v_negative.double())


def sgns_mean(u, v, v_negative):
    return sgns(u, v, v_negative).mean()


def sgns_negated(u, v, v_negative):
    return -sgns(u, v, v_negative)


def sgns_wrong_negative_sign(u, v, v_negative):
    return -F.logsigmoid((u * v).sum(-1)) - F.logsigmoid((v_negative * u.unsqueeze(1)).sum(-1)).sum(-1)


def sgns_averaged_negatives(u, v, v_negative):
    return -F.logsigmoid((u * v).sum(-1)) - F.logsigmoid(-(v_negative * u.unsqueeze(1)).sum(-1)).mean(-1)


def sgns_unstable(u, v, v_negative):
    return -torch.log(torch.sigmoid((u * v).sum(-1))) \
        - torch.log(torch.sigmoid(-(v_negative * u.unsqueeze(1)).sum(-1))).sum(-1)


def sgns_no_negatives(u, v, v_negative):
    return -F.logsigmoid((u * v).sum(-1))


def sgns_list(u, v, v_negative):
    return sgns(u, v, v_negative).tolist()


def sgns_wrong_shape(u, v, v_negative):
    return sgns(u, v, v_negative).unsqueeze(1)


def sgns_crashes(u, v, v_negative):
    return u @ v  # (B, d) @ (B, d): a shape error


def sgns_returns_none(u, v, v_negative):
    positive = (u * v).sum(-1)  # forgot the return
    positive.sum()


def sgns_summed(u, v, v_negative):
    return sgns(u, v, v_negative).sum()


def measured_distance_share():
    from utils.word2vec import skipgram_pairs

    centres, contexts = skipgram_pairs(torch.arange(100_000), 5, torch.Generator().manual_seed(1))
    return ((centres - contexts).abs() == 5).float().mean()


RIGHT = [
    ("06.1", 30), ("06.1", np.int64(30)), ("06.1", np.int32(30)), ("06.1", torch.tensor(30)), ("06.1", 30.0),
    ("06.1", 60 / 2), ("06.1", torch.tensor(30.0)),
    ("06.2", KEEP), ("06.2", paper_keep(COUNTS64)), ("06.2", paper_keep(COUNTS32)),
    ("06.2", paper_keep(COUNTS32).item()), ("06.2", np.float32(KEEP)), ("06.2", round(KEEP, 3)),
    ("06.2", round(KEEP, 4)), ("06.2", math.sqrt(1e-3 * VOCABULARY.total / VOCABULARY.counts[SAID])),
    ("06.3", sgns), ("06.3", sgns_bmm), ("06.3", sgns_float64),
    ("06.4", P_THE), ("06.4", noise_the(COUNTS64)), ("06.4", noise_the(COUNTS32)), ("06.4", round(P_THE, 4)),
    ("06.4", np.float64(P_THE)), ("06.4", float(np.float32(P_THE))),
    ("06.5", 1 / 15), ("06.5", round(1 / 15, 3)), ("06.5", measured_distance_share()),
    ("06.5", measured_distance_share().item()), ("06.5", np.float32(1 / 15)),
    ("06.6", (*NEVER_MET, TABLE)), ("06.6", [NEVER_MET[1], NEVER_MET[0], TABLE]),
    ("06.6", (*NEVER_MET, TABLE.numpy())), ("06.6", (*NEVER_MET, TABLE.float())),
    ("06.6", (*NEVER_MET, to_keyed_vectors(TABLE.float(), VOCABULARY))), ("06.6", (*NEVER_MET, TRAINED_MODEL)),
    ("06.6", (*NEVER_MET, SHUFFLED_KV)), ("06.6", ("boucher", "kallis", TABLE)),
    ("06.6", ("LEG", " Boucher ", TABLE)),
    ("06.7", "b"), ("06.7", "B"), ("06.7", "(b)"), ("06.7", " b) "), ("06.7", ["b"]), ("06.7", ("B",)),
]

WRONG = [
    ("06.1", 42, "every ordered pair"),
    ("06.1", 15, "(a, b) and (b, a)"),
    ("06.1", 22, "window of 2"),
    ("06.1", 24, "Off by one"),
    ("06.1", 36, "Off by one"),
    ("06.1", 31, "words near the ends"),
    ("06.1", "30", "whole number"),
    ("06.2", 1 - KEEP, "discarding"),
    ("06.2", float(keep_probabilities(VOCABULARY.counts, 1e-3)[SAID]), "C code's formula"),
    ("06.2", math.sqrt(1e-3 * 60_302 / VOCABULARY.counts[SAID]), "all 60,302 tokens"),
    ("06.2", 1e-3 * VOCABULARY.total / VOCABULARY.counts[SAID], "square root"),
    ("06.2", math.sqrt(1e-3 / VOCABULARY.counts[SAID]), "relative frequency"),
    ("06.2", 100 * KEEP, "percentage"),
    ("06.2", 1 / KEEP, "not a probability"),
    ("06.2", round(KEEP, 2), "at least 3 decimals"),
    ("06.2", 0.5, "is not it"),
    ("06.2", 0.0, "is not it"),
    ("06.2", 1.0, "is not it"),
    ("06.2", 1.5, "not a probability"),
    ("06.2", 0.315, "is not it"),
    ("06.2", [KEEP], "a number"),
    ("06.3", sgns_mean, "batch mean"),
    ("06.3", sgns_negated, "wrong sign"),
    ("06.3", sgns_wrong_negative_sign, "The negatives need σ(−u·vₙ)"),
    ("06.3", sgns_averaged_negatives, "averaged over the k negatives"),
    ("06.3", sgns_unstable, "log(sigmoid(x)) underflows"),
    ("06.3", sgns_no_negatives, "Wrong values"),
    ("06.3", sgns_list, "returned a list"),
    ("06.3", sgns_wrong_shape, "Expected shape (4,)"),
    ("06.3", sgns_summed, "Expected shape (4,)"),
    ("06.3", sgns_crashes, "your function raised RuntimeError"),
    ("06.3", 3.0, "Expected a function"),
    ("06.4", float(COUNTS64[0] / COUNTS64.sum()), "raw unigram share"),
    ("06.4", round(float(COUNTS64[0] / COUNTS64.sum()), 3), "raw unigram share"),
    ("06.4", float(COUNTS64[0] ** 0.75 / COUNTS64.sum()), "Only the numerator"),
    ("06.4", float((COUNTS64[0] / COUNTS64.sum()) ** 0.75), "not normalised"),
    ("06.4", float(COUNTS64[0] ** 0.75 / (ALL_COUNTS**0.75).sum()), "fewer than 5 times"),
    ("06.4", 100 * P_THE, "percentage"),
    ("06.4", round(P_THE, 3), "at least 4 decimals"),
    ("06.4", 1.5, "not a probability"),
    ("06.4", 0.02, "is not it"),
    ("06.4", 0.0, "is not it"),
    ("06.4", 1.0, "is not it"),
    ("06.4", P_THE + 7e-5, "at least 4 decimals"),
    ("06.4", float(COUNTS64[0] / COUNTS64.sum()) + 8e-4, "is not it"),
    ("06.4", float((COUNTS64[0] / COUNTS64.sum()) ** 0.75) + 8e-4, "is not it"),
    ("06.4", torch.tensor([P_THE, P_THE]), "a number"),
    ("06.5", 0.2, "equally common"),
    ("06.5", 0.04, "Count the pairs at every distance"),
    ("06.5", 0.1, "Count the pairs at every distance"),
    ("06.5", 100 / 15, "percentage"),
    ("06.5", 0.08, "measure it"),
    ("06.5", 1 / 15 + 0.003, "measure it"),
    ("06.5", 0.203, "measure it"),
    ("06.5", 0.043, "measure it"),
    ("06.5", 0.0, "measure it"),
    ("06.5", 1.0, "measure it"),
    ("06.5", 0.103, "measure it"),
    ("06.5", 1.5, "not a fraction"),
    ("06.5", 2.5, "not a fraction"),
    ("06.6", ("fire", "crews"), "Expected a tuple"),
    ("06.6", ("fire", 3, TABLE), "must be words"),
    ("06.6", ("fire", "firefighterz", TABLE), "not in the vocabulary"),
    ("06.6", ("fire", "fire", TABLE), "two different words"),
    # the answers that used to pass: a document index instead of vectors, pairs that do share a window
    ("06.6", ("the", "of", 0), "one row per vocabulary word"),
    ("06.6", ("fire", "crews", 0), "one row per vocabulary word"),
    ("06.6", ("the", "of", TABLE), "Training did draw"),
    ("06.6", ("fire", "crews", TABLE), "Training did draw"),
    ("06.6", ("crews", "fire", TABLE), "Training did draw"),
    ("06.6", ("bin", "laden", TABLE), "Training did draw"),
    # the answers that used to pass: far apart in the text but paired after subsampling; a table misread
    ("06.6", (*FAR_BUT_TRAINED[0], TABLE), "Training did draw"),
    ("06.6", (*FAR_BUT_TRAINED[1], TABLE), "Training did draw"),
    ("06.6", (*FAR_BUT_TRAINED[0][::-1], TABLE), "Training did draw"),
    ("06.6", (*NEVER_MET, MISREAD_KV), "not the vectors of section 4"),
    ("06.6", (*NEVER_MET, TABLE[_SHUFFLED]), "not the vectors of section 4"),
    ("06.6", (*NEVER_MET, TABLE + 0.01), "not the vectors of section 4"),
    ("06.6", (*LOW_PAIR, TABLE), "not above 0.5"),
    ("06.6", (*NEVER_MET, UNTRAINED), "not the vectors of section 4"),
    ("06.6", (*NEVER_MET, UNTRAINED.input_embeddings.weight), "not the vectors of section 4"),
    ("06.6", (*NEVER_MET, TABLE[:100]), "one row per vocabulary word"),
    ("06.6", (*NEVER_MET, "trained_vectors"), "the trained vectors"),
    ("06.7", "a", "(a) is not right"),
    ("06.7", "c", "(c) is not right"),
    ("06.7", "d", "(d) is not right"),
    ("06.7", "a, b", "(a) is not right"),
    ("06.7", ["b", "d"], "(d) is not right"),
    ("06.7", "b: they share contexts, second-order similarity", "not with words"),
    ("06.7", "e", "Choose among the letters"),
    ("06.7", 2, "Expected the letter"),
    ("06.8", "shared contexts", "at least 8 words"),
    ("06.8", 42, "a string"),
]


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT, ids=[f"{e}-{i}" for i, (e, _) in enumerate(RIGHT)])
def test_right_answers_pass(exercise_id, answer):
    assert_passes(exercise_id, answer)


@pytest.mark.parametrize(("exercise_id", "answer", "message"), WRONG,
                         ids=[f"{e}-{i}" for i, (e, _, _) in enumerate(WRONG)])
def test_wrong_answers_fail_with_their_message(exercise_id, answer, message):
    result = check(exercise_id, answer)
    assert not result
    assert result.message.startswith("❌"), result.message
    reason, hint = result.message.split("Hint:")  # the message must be in the reason, not only in the hint
    assert message in reason, result.message
    assert hint.strip()


def stub(u, v, v_negative):
    ...


@pytest.mark.parametrize("exercise_id", ["06.1", "06.2", "06.3", "06.4", "06.5", "06.6", "06.7", "06.8"])
@pytest.mark.parametrize("placeholder", [..., None, stub])
def test_placeholders_wait_without_a_hint(exercise_id, placeholder):
    assert_waits_without_a_hint(exercise_id, placeholder)


def test_a_function_that_returns_nothing_is_asked_about_return():
    result = check("06.3", sgns_returns_none)
    assert not result and result.message.startswith("❌") and "forget `return`" in result.message


def test_reference_values():
    assert KEEP == pytest.approx(math.sqrt(1e-3 / (475 / 51_468)))
    assert P_THE == pytest.approx(4135**0.75 / sum(c**0.75 for c in VOCABULARY.counts))
    assert shrunk_window_share() == pytest.approx(1 / 15)
    assert measured_distance_share().item() == pytest.approx(1 / 15, abs=0.002)


def test_hints_do_not_give_the_predicted_share():
    from utils.exercises import get_exercise

    for value in ("1/15", "0.067", "0.0667", "6.7"):
        assert value not in get_exercise("06.5").hint


@pytest.mark.parametrize("answer", [
    "The cosine measures how alike the contexts of two words are, not whether they are synonyms.",
    "Words that co-occur directly are pulled together, so the cosine counts co-occurrence and synonymy.",  # reversed
    "context context second-order similarity shared contexts output vectors pulled same slots cosine",  # stuffed
])
def test_the_reflection_never_gives_a_tick(answer):
    result = check("06.8", answer)
    assert result.message.startswith("📝") and "✅" not in result.message, result.message
    assert "how alike the two words' contexts are" in result.message  # the model answer is shown


def _outputs_above(notebook: str, prompt: str) -> str:
    """Every output printed above the markdown cell that starts with ``prompt``, as one text."""
    import nbformat

    cells = nbformat.read(utils.data.REPO_ROOT / notebook, as_version=4).cells
    above = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith(prompt))
    texts = []
    for cell in cells[:above]:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


@pytest.mark.parametrize(("prompt", "answers"), [
    ("**Exercise 06.4.", [f"{P_THE:.4f}", f"{P_THE:.5f}", f"{P_THE:.3f}"]),
    ("**Exercise 06.5 (predict", ["1/15", f"{1 / 15:.4f}", f"{1 / 15:.3f}", "0.0667"]),
])
def test_no_output_above_a_prompt_gives_its_answer(prompt, answers):
    # Issue 27: 06.4 and 06.5 were answered by outputs printed above their prompts.
    text = _outputs_above("notebooks/06_training_word_embeddings.ipynb", prompt)
    assert text.strip(), "the prompt was not found, or nothing is printed above it"
    for answer in answers:
        assert answer not in text, f"{answer!r} is printed above {prompt!r}"
