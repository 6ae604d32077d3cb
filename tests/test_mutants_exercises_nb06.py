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
