"""Tests that kill surviving mutants of utils/exercises/nb06.py (the diagnoses of 06.3).

Found by ``python tools/mutation_test.py utils/exercises/nb06.py --sample 50`` (docs/authoring.md,
"Mutation testing"). The loss is written here from the paper's formula:
-log σ(u·v) - Σ_n log σ(-u·v_n), one value per pair.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.exercises import check


def paper_loss(u: torch.Tensor, v: torch.Tensor, v_negative: torch.Tensor, mean: bool = False) -> torch.Tensor:
    positive = F.logsigmoid((u * v).sum(-1))
    negative = F.logsigmoid(-(u.unsqueeze(1) * v_negative).sum(-1))
    return -positive - (negative.mean(-1) if mean else negative.sum(-1))


def failure(answer) -> str:
    result = check("06.3", answer)
    assert not result.passed and result.message.startswith("❌"), result.message
    return result.message


def test_the_formula_passes() -> None:
    assert check("06.3", paper_loss), check("06.3", paper_loss).message


def test_half_off_the_negated_loss_is_not_called_a_sign_error() -> None:
    # Survivor: atol=1e-5 -> 1.00001 in the "wrong sign" diagnosis.
    message = failure(lambda u, v, vn: -paper_loss(u, v, vn) + 0.5)
    assert "Wrong values" in message and "wrong sign" not in message


def test_half_off_the_averaged_loss_is_not_called_averaged() -> None:
    # Survivor: atol=1e-5 -> 1.00001 in the "averaged over the k negatives" diagnosis.
    message = failure(lambda u, v, vn: paper_loss(u, v, vn, mean=True) + 0.5)
    assert "Wrong values" in message and "averaged" not in message
    assert "averaged over the k negatives" in failure(lambda u, v, vn: paper_loss(u, v, vn, mean=True))


def test_an_answer_close_to_the_loss_is_still_wrong() -> None:
    # Survivor: atol=1e-5 -> 1.00001 in the final "Wrong values" comparison.
    message = failure(lambda u, v, vn: paper_loss(u, v, vn) + 0.5)
    assert "Wrong values" in message


# 06.6: the cosine threshold from both sides, the table tolerance, pairs counted both ways round -----------


def _section_4():
    from utils.exercises.nb06 import _lee_vocabulary, _notebook_training

    table, trained = _notebook_training()
    vocabulary = _lee_vocabulary()
    normed = F.normalize(table, dim=1)
    cosines = (normed @ normed.T).masked_fill(trained, -2.0).fill_diagonal_(-2.0)
    return table, trained, vocabulary, cosines


def _pair(vocabulary, flat_index) -> tuple[str, str]:
    size = len(vocabulary)
    return vocabulary.words[flat_index // size], vocabulary.words[flat_index % size]


def test_the_never_paired_cosines_nearest_one_half_fall_on_their_sides() -> None:
    # Survivors: cosine <= 0.5 -> cosine <= 0.6 or <= 0.4.
    table, _, vocabulary, cosines = _section_4()
    flat = cosines.flatten()
    above = int(flat.masked_fill(flat <= 0.5, 2.0).argmin())
    below = int(flat.masked_fill(flat > 0.5, -2.0).argmax())
    assert 0.5 < flat[above] < 0.52 and 0.48 < flat[below] <= 0.5
    assert check("06.6", (*_pair(vocabulary, above), table)).passed
    message = check("06.6", (*_pair(vocabulary, below), table)).message
    assert message.startswith("❌") and "not above 0.5" in message


def test_the_table_must_match_within_its_tolerance() -> None:
    # Survivors: atol=1e-3 -> 1e-1 (or rtol loosened); a table off by 1e-5 is still the notebook's.
    table, *_ = _section_4()
    assert check("06.6", ("leg", "boucher", table + 1e-5)).passed
    assert "not the vectors of section 4" in check("06.6", ("leg", "boucher", table + 2e-3)).message
    assert "not the vectors of section 4" in check("06.6", ("leg", "boucher", table * 1.01)).message


def test_a_pair_drawn_only_one_way_round_is_still_a_training_pair() -> None:
    # Survivor: trained | trained.T -> trained (a pair drawn as (b, a) only would pass as (a, b)).
    from utils.exercises.nb06 import _notebook_training
    from utils.word2vec import encode_corpus, read_lee_corpus, training_draws

    table, trained, vocabulary, _ = _section_4()
    size = len(vocabulary)
    one_way = torch.zeros(size * size, dtype=torch.bool)
    corpus = encode_corpus(read_lee_corpus(), vocabulary)
    for centres, contexts, _ in training_draws(corpus, vocabulary.counts):
        one_way[centres * size + contexts] = True
    one_way = one_way.view(size, size)
    only_reverse = (one_way.T & ~one_way).nonzero()
    assert len(only_reverse) > 0 and bool((trained == (one_way | one_way.T)).all())
    a, b = only_reverse[0].tolist()
    message = check("06.6", (vocabulary.words[a], vocabulary.words[b], _notebook_training()[0])).message
    assert "Training did draw" in message


def test_half_off_the_wrong_negative_sign_is_not_called_a_negative_sign_error() -> None:
    # Survivor: atol=1e-5 -> 1.00001 in the "σ(−u·vₙ)" diagnosis.
    def wrong_sign(u, v, v_negative):
        return -F.logsigmoid((u * v).sum(-1)) - F.logsigmoid((u.unsqueeze(1) * v_negative).sum(-1)).sum(-1)

    message = failure(lambda u, v, vn: wrong_sign(u, v, vn) + 0.5)
    assert "Wrong values" in message and "σ(−u·vₙ) (the probability" not in message
    assert "The negatives need σ(−u·vₙ)" in failure(wrong_sign)


def test_half_off_the_batch_mean_is_not_called_the_batch_mean() -> None:
    # Survivor: atol=1e-5 -> 1.00001 in the "batch mean" diagnosis.
    message = failure(lambda u, v, vn: paper_loss(u, v, vn).mean() + 0.5)
    assert "Expected shape (4,)" in message and "batch mean" not in message
    assert "batch mean" in failure(lambda u, v, vn: paper_loss(u, v, vn).mean())


def test_a_percentage_is_read_as_hundredths() -> None:
    # Survivor: value / 100 -> value / 101 in 06.5's percentage diagnosis (1/15 = 6.67 %, tolerance 0.002).
    message = check("06.5", 6.47).message  # 0.0647 is within 0.002 of 1/15; 6.47 / 101 would not be
    assert message.startswith("❌") and "percentage" in message
