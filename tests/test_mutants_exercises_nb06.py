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


# 06.6: the two thresholds, pinned from both sides on tables built by hand ------------------------------


def _never_met_pair() -> tuple[str, str]:
    from utils.word2vec import build_vocabulary, encode_corpus, read_lee_corpus, skipgram_pairs

    documents = read_lee_corpus()
    vocabulary = build_vocabulary(documents, min_count=5)
    centres, contexts = skipgram_pairs(encode_corpus(documents, vocabulary), 5)
    met = set(zip(centres.tolist(), contexts.tolist(), strict=True))
    pair = ("sharon", "peres")
    assert (vocabulary.id_of(pair[0]), vocabulary.id_of(pair[1])) not in met
    return pair


def _table(bin_laden_last: float, pair_last: float) -> torch.Tensor:
    """A (V, 4) table: bin = (1, 0, 0, 0), laden = (1, 1, 1, x), and the same for the never-met pair.

    With x = 1 the cosine is exactly 1 / 2 (dot 1, norms 1 and 2); a larger x lowers it, a smaller one raises it.
    """
    from utils.word2vec import build_vocabulary, read_lee_corpus

    vocabulary = build_vocabulary(read_lee_corpus(), min_count=5)
    table = torch.randn(len(vocabulary), 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for (a, b), last in [(("bin", "laden"), bin_laden_last), (_never_met_pair(), pair_last)]:
        table[vocabulary.id_of(a)] = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=torch.float64)
        table[vocabulary.id_of(b)] = torch.tensor([1.0, 1.0, 1.0, last], dtype=torch.float64)
    return table


def test_bin_laden_at_exactly_one_half_counts_as_trained() -> None:
    # Survivor: bin_laden < 0.5 -> bin_laden <= 0.5.
    a, b = _never_met_pair()
    result = check("06.6", (a, b, _table(bin_laden_last=1.0, pair_last=0.9)))
    assert result.passed, result.message
    message = check("06.6", (a, b, _table(bin_laden_last=1.1, pair_last=0.9))).message
    assert "look untrained" in message


def test_a_cosine_of_exactly_one_half_is_not_above_it() -> None:
    a, b = _never_met_pair()
    message = check("06.6", (a, b, _table(bin_laden_last=0.9, pair_last=1.0))).message
    assert message.startswith("❌") and "not above 0.5" in message
    assert check("06.6", (a, b, _table(bin_laden_last=0.9, pair_last=0.99))).passed


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
