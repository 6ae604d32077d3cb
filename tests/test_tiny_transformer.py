"""Tests of utils.tiny_transformer: shapes, causality, each position method wired as documented."""

from __future__ import annotations

import math

import pytest
import torch

from utils.positional import alibi_bias, apply_rope, sinusoidal_encoding
from utils.tiny_transformer import (
    IGNORE_INDEX,
    POSITION_METHODS,
    CausalSelfAttention,
    TinyTransformer,
    accuracy,
    accuracy_by_position,
    copy_task_batch,
    copy_task_floor,
    repeat_task_batch,
    repeat_task_floor,
    train,
)

VOCAB = 11


def make_model(method: str, num_layers: int = 2, context_length: int = 8) -> TinyTransformer:
    torch.manual_seed(0)
    model = TinyTransformer(VOCAB, method, d_model=16, num_heads=2, num_layers=num_layers,
                            context_length=context_length).double()
    model.eval()
    return model


def token_ids(batch: int = 3, seq: int = 8, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, VOCAB, (batch, seq), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("method", POSITION_METHODS)
def test_shapes(method):
    assert make_model(method)(token_ids()).shape == (3, 8, VOCAB)


@pytest.mark.parametrize("method", POSITION_METHODS)
def test_causal_a_later_token_never_changes_earlier_outputs(method):
    model, ids = make_model(method), token_ids()
    changed = ids.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % VOCAB
    with torch.no_grad():
        before, after = model(ids), model(changed)
    assert torch.equal(before[:, :5], after[:, :5])
    assert not torch.allclose(before[:, 5:], after[:, 5:])


@pytest.mark.parametrize("method", POSITION_METHODS)
def test_same_seed_same_shared_weights(method):
    reference = dict(make_model("none").named_parameters())
    for name, parameter in make_model(method).named_parameters():
        if name.startswith("position."):
            continue
        assert torch.equal(parameter, reference[name]), name


def test_nope_attention_sees_a_set_of_earlier_tokens():
    """NoPE attention is permutation-invariant over the keys: the mask only decides which keys exist."""
    torch.manual_seed(0)
    attention = CausalSelfAttention(16, 2, "none").double()
    x = torch.randn(1, 6, 16, dtype=torch.float64)
    # the last token attends to every token: permuting the earlier five leaves its output unchanged
    permutation = torch.tensor([3, 0, 4, 1, 2, 5])
    with torch.no_grad():
        assert torch.allclose(attention(x)[0, -1], attention(x[:, permutation])[0, -1], atol=1e-12)


def test_nope_two_layers_the_causal_mask_leaks_order():
    """Layer 1's outputs at earlier positions saw different prefixes, so layer 2 can tell orders apart."""
    model, ids = make_model("none", num_layers=2), token_ids()
    permuted = ids[:, [3, 0, 4, 1, 2, 5, 6, 7]]
    with torch.no_grad():
        assert not torch.allclose(model(ids)[:, -1], model(permuted)[:, -1])


@pytest.mark.parametrize("method", ["learned", "sinusoidal", "rope", "alibi"])
def test_with_positions_the_order_of_earlier_tokens_matters(method):
    model, ids = make_model(method, num_layers=1), token_ids()
    permuted = ids[:, [3, 0, 4, 1, 2, 5, 6, 7]]
    with torch.no_grad():
        assert not torch.allclose(model(ids)[:, -1], model(permuted)[:, -1])


def test_nope_last_output_ignores_the_order_of_earlier_tokens():
    model, ids = make_model("none", num_layers=1), token_ids()
    permuted = ids[:, [3, 0, 4, 1, 2, 5, 6, 7]]
    with torch.no_grad():
        assert torch.allclose(model(ids)[:, -1], model(permuted)[:, -1], atol=1e-12)


def test_learned_adds_its_table_rows():
    model, ids = make_model("learned", num_layers=0), token_ids()
    expected = model.token(ids) + model.position.weight[:8]
    with torch.no_grad():
        assert torch.allclose(model(ids), model.head(model.norm(expected)))


def test_sinusoidal_adds_the_fixed_table():
    model, ids = make_model("sinusoidal", num_layers=0), token_ids(seq=20)
    expected = model.token(ids) + sinusoidal_encoding(20, 16, dtype=torch.float64)
    with torch.no_grad():
        assert torch.allclose(model(ids), model.head(model.norm(expected)), atol=1e-7)


def test_learned_beyond_its_table_raises_a_clear_error():
    model = make_model("learned", context_length=8)
    with pytest.raises(ValueError, match="context_length=8"):
        model(token_ids(seq=9))
    with pytest.raises(ValueError, match="no row"):
        model(token_ids(seq=4), positions=torch.tensor([0, 1, 2, 8]))


@pytest.mark.parametrize("method", ["none", "sinusoidal", "rope", "alibi"])
def test_other_methods_read_longer_sequences(method):
    assert make_model(method, context_length=8)(token_ids(seq=32)).shape == (3, 32, VOCAB)


def reference_attention(attention: CausalSelfAttention, x: torch.Tensor) -> torch.Tensor:
    """The same attention written out head by head with explicit loops over positions."""
    seq, heads, head_dim = x.shape[1], attention.num_heads, attention.head_dim
    q, k, v = attention.qkv(x)[0].split(heads * head_dim, dim=-1)
    outputs = []
    for h in range(heads):
        columns = slice(h * head_dim, (h + 1) * head_dim)
        qh, kh, vh = q[:, columns], k[:, columns], v[:, columns]
        if attention.method == "rope":
            qh, kh = apply_rope(qh), apply_rope(kh)
        rows = []
        for i in range(seq):
            scores = torch.stack([qh[i] @ kh[j] / math.sqrt(head_dim) for j in range(i + 1)])
            if attention.method == "alibi":
                scores = scores + alibi_bias(heads, seq)[h, i, : i + 1].double()
            rows.append(torch.softmax(scores, 0) @ vh[: i + 1])
        outputs.append(torch.stack(rows))
    return attention.out(torch.cat(outputs, dim=-1))[None]


@pytest.mark.parametrize("method", POSITION_METHODS)
def test_attention_matches_a_loop_written_reference(method):
    torch.manual_seed(0)
    attention = CausalSelfAttention(16, 4, method).double()
    x = torch.randn(1, 7, 16, dtype=torch.float64)
    with torch.no_grad():
        assert torch.allclose(attention(x), reference_attention(attention, x), atol=1e-12)


def test_alibi_with_explicit_positions_equals_the_default():
    torch.manual_seed(0)
    attention = CausalSelfAttention(16, 4, "alibi").double()
    x = torch.randn(2, 7, 16, dtype=torch.float64)
    with torch.no_grad():
        assert torch.equal(attention(x), attention(x, torch.arange(7)))


@pytest.mark.parametrize("method", POSITION_METHODS)
def test_positions_zero_erase_the_position_signal(method):
    """With every position 0, a model sees what a NoPE model with the same weights sees."""
    model, nope, ids = make_model(method), make_model("none"), token_ids()
    zeros = torch.zeros(8, dtype=torch.long)
    with torch.no_grad():
        if method == "learned":  # the same row 0 added to every token: not NoPE, but order-blind too
            one_layer, permuted = make_model(method, num_layers=1), ids[:, [3, 0, 4, 1, 2, 5, 6, 7]]
            assert torch.allclose(one_layer(ids, zeros)[:, -1], one_layer(permuted, zeros)[:, -1], atol=1e-12)
        elif method == "sinusoidal":
            shifted = model.token(ids) + sinusoidal_encoding(1, 16, dtype=torch.float64)[0]
            x = shifted
            for block in model.blocks:
                x = block(x)
            assert torch.allclose(model(ids, zeros), model.head(model.norm(x)), atol=1e-12)
        else:
            assert torch.allclose(model(ids, zeros), nope(ids), atol=1e-12)


def test_copy_task_batch():
    inputs, targets = copy_task_batch(4, 10, VOCAB, 2, torch.Generator().manual_seed(0))
    assert inputs.shape == targets.shape == (4, 10) and inputs.dtype == torch.int64
    assert (targets[:, :2] == IGNORE_INDEX).all()
    assert torch.equal(targets[:, 2:], inputs[:, :-2])
    assert 0 <= int(inputs.min()) and int(inputs.max()) < VOCAB
    again, _ = copy_task_batch(4, 10, VOCAB, 2, torch.Generator().manual_seed(0))
    assert torch.equal(inputs, again)


def test_accuracy_counts_only_scored_positions():
    model = make_model("rope")
    inputs, targets = copy_task_batch(5, 8, VOCAB, 1, torch.Generator().manual_seed(0))
    with torch.no_grad():
        predictions = model(inputs).argmax(-1)
    scored = targets != IGNORE_INDEX
    expected = ((predictions == targets) & scored).sum().item() / scored.sum().item()
    assert accuracy(model, inputs, targets) == pytest.approx(expected)
    by_position = accuracy_by_position(model, inputs, targets)
    assert by_position.shape == (8,) and torch.isnan(by_position[0])
    assert torch.allclose(by_position[1:], ((predictions == targets).double().mean(0))[1:])
    assert by_position[1:].mean().item() == pytest.approx(expected)


@pytest.fixture
def one_thread():
    """One thread, as in notebook 08: fixed summation order, and no thread contention on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_training_learns_the_previous_token_and_is_deterministic(one_thread):
    def run() -> tuple[list[float], float]:
        torch.manual_seed(0)
        generator = torch.Generator().manual_seed(1)
        model = TinyTransformer(8, "rope", d_model=16, num_heads=2, num_layers=1, context_length=8)
        losses = train(model, lambda: copy_task_batch(32, 8, 8, 1, generator), steps=60, learning_rate=1e-2)
        evaluation = copy_task_batch(64, 8, 8, 1, torch.Generator().manual_seed(2))
        return losses, accuracy(model, *evaluation)

    losses, acc = run()
    assert losses[-1] < 0.5 * losses[0]
    assert acc > 0.5  # chance is 1/8
    assert run() == (losses, acc)


def test_unknown_method():
    with pytest.raises(ValueError, match="Unknown position method"):
        TinyTransformer(VOCAB, "relative")


# --- notebook 08's additions: real positions, attention weights, floors, the repeat task, the criterion ------


@pytest.mark.parametrize("method", ["none", "rope", "alibi"])
def test_real_positions_at_whole_numbers_equal_the_default(method):
    model, ids = make_model(method), token_ids()
    with torch.no_grad():
        assert torch.allclose(model(ids, torch.arange(8, dtype=torch.float64)), model(ids), atol=1e-12)


def test_rope_interpolated_positions_change_the_output():
    model, ids = make_model("rope"), token_ids()
    with torch.no_grad():
        assert not torch.allclose(model(ids, torch.arange(8) / 4), model(ids))


@pytest.mark.parametrize("method", ["learned", "sinusoidal"])
def test_table_methods_reject_real_positions(method):
    with pytest.raises(ValueError, match="one row per integer position"):
        make_model(method)(token_ids(), torch.arange(8) / 2)


def test_learned_rejects_a_position_beyond_its_rows():
    with pytest.raises(ValueError, match="position 8 has no row"):
        make_model("learned")(token_ids(), torch.tensor([0, 1, 2, 3, 4, 5, 6, 8]))


def test_kept_attention_weights_are_causal_rows_that_sum_to_one():
    model, ids = make_model("alibi"), token_ids()
    assert all(block.attention.weights is None for block in model.blocks)
    model.keep_attention_weights()
    with torch.no_grad():
        model(ids)
    for block in model.blocks:
        weights = block.attention.weights
        assert weights.shape == (3, 2, 8, 8)
        torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 8, dtype=torch.float64))
        assert (weights.triu(1) == 0).all()
    model.keep_attention_weights(False)
    assert all(block.attention.weights is None for block in model.blocks)
    with torch.no_grad():
        model(ids)
    assert all(block.attention.weights is None for block in model.blocks)


def simulated_copy_floor(seq_len: int, vocab: int, samples: int = 200_000) -> torch.Tensor:
    """Monte Carlo: guess the most frequent earlier token (ties: any of them, counted as 1/#ties)."""
    tokens = torch.randint(0, vocab, (samples, seq_len), generator=torch.Generator().manual_seed(0))
    floor = [float("nan")]
    for t in range(1, seq_len):
        counts = torch.nn.functional.one_hot(tokens[:, :t], vocab).sum(1)
        modes = counts == counts.max(1, keepdim=True).values
        floor.append((modes.gather(1, tokens[:, t - 1:t]).squeeze(1) / modes.sum(1)).mean().item())
    return torch.tensor(floor, dtype=torch.float64)


def test_copy_floor_matches_a_simulation_and_known_values():
    exact = copy_task_floor(12, 5)
    assert torch.isnan(exact[0]) and exact[1] == 1.0
    assert exact[2].item() == pytest.approx(1 / 5 + 4 / 5 / 2)  # two earlier tokens: equal (1/5) or a tie
    torch.testing.assert_close(exact[1:], simulated_copy_floor(12, 5)[1:], rtol=0, atol=5e-3)
    assert (exact[2:] < exact[1:-1]).all()  # more earlier tokens, harder to guess
    assert copy_task_floor(64, 16)[1:16].mean().item() == pytest.approx(0.327, abs=1e-3)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: copy_task_floor(0, 16), "seq_len must be a positive integer"),
    (lambda: copy_task_floor(8, 0), "vocab_size must be a positive integer"),
    (lambda: repeat_task_batch(2, 16, 64, torch.Generator(), (1, 8)), "2 <= lo <= hi"),
    (lambda: repeat_task_batch(2, 16, 64, torch.Generator(), (4, 9)), "seq_len // 2 = 8"),
    (lambda: repeat_task_batch(2, 16, 10, torch.Generator(), (4, 8)), "12 distinct tokens"),
])
def test_task_errors_are_clear(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_repeat_task_batch_repeats_distinct_tokens_and_targets_the_next_one():
    inputs, targets = repeat_task_batch(50, 16, 20, torch.Generator().manual_seed(0), (3, 8))
    assert inputs.shape == targets.shape == (50, 16) and inputs.dtype == torch.int64
    lengths = set()
    for row, target in zip(inputs.tolist(), targets.tolist(), strict=True):
        start = next(p for p in range(16) if row[p] in row[:p])  # the first repeated token
        length = 16 - start
        lengths.add(length)
        assert len(set(row[:start])) == start and row[start:] == row[start - length:start]
        assert target[:start] == [IGNORE_INDEX] * start and target[-1] == IGNORE_INDEX
        assert target[start:-1] == row[start + 1:]
    assert lengths == {3, 4, 5, 6, 7, 8}
    again, _ = repeat_task_batch(50, 16, 20, torch.Generator().manual_seed(0), (3, 8))
    assert torch.equal(inputs, again)
    default, _ = repeat_task_batch(2, 10, 10, torch.Generator().manual_seed(0))
    assert torch.equal(default[:, 5:], default[:, :5])  # default: exactly half repeated


def test_repeat_floor_is_one_over_the_tokens_seen_once():
    inputs, targets = repeat_task_batch(4, 12, 12, torch.Generator().manual_seed(0))  # 6 tokens, then again
    floor = repeat_task_floor(inputs, targets)
    assert torch.isnan(floor[:6]).all() and torch.isnan(floor[11])
    torch.testing.assert_close(floor[6:11], 1 / torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0], dtype=torch.float64))
    mixed = repeat_task_batch(300, 16, 32, torch.Generator().manual_seed(1), (4, 8))
    assert 0.1 < repeat_task_floor(*mixed).nanmean().item() < 0.5


def test_training_stops_at_the_criterion(one_thread):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    model = TinyTransformer(8, "rope", d_model=16, num_heads=2, num_layers=1, context_length=8)
    losses = train(model, lambda: copy_task_batch(32, 8, 8, 1, generator), steps=400, learning_rate=1e-2,
                   target_loss=0.5, window=10)
    assert 10 <= len(losses) < 400 and len(losses) % 10 == 0  # checked every 10 steps
    assert sum(losses[-10:]) / 10 < 0.5
    assert all(sum(losses[k - 10:k]) / 10 >= 0.5 for k in range(10, len(losses), 10))  # not earlier
    assert len(train(model, lambda: copy_task_batch(32, 8, 8, 1, generator), steps=7)) == 7


def test_mean_attention_averages_each_heads_causal_weights():
    from utils.tiny_transformer import TinyTransformer, mean_attention

    torch.manual_seed(0)
    model = TinyTransformer(8, "rope", d_model=16, num_heads=2, num_layers=2, context_length=8)
    inputs = torch.randint(0, 8, (3, 6))
    weights = mean_attention(model, inputs)
    assert weights.shape == (4, 6, 6)
    assert torch.allclose(weights.sum(-1), torch.ones(4, 6), atol=1e-5)  # each row is a distribution
    assert torch.all(weights.triu(1) == 0)  # no weight on future keys
    assert all(block.attention.weights is None for block in model.blocks)  # not kept afterwards
    with pytest.raises(TypeError, match="TinyTransformer"):
        mean_attention(torch.nn.Linear(2, 2), inputs)
