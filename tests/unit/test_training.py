"""fit: minibatches, validation, early stopping, callbacks, divergence, Ctrl-C, progress."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import parameters


def blobs(rng: np.random.Generator, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    y = rng.integers(0, 3, size=n)
    X = rng.standard_normal((n, 2)) * 0.5 + np.array([[0, 0], [3, 0], [0, 3]])[y]
    return X, y


def test_fit_learns_and_records_history(rng: np.random.Generator) -> None:
    X, y = blobs(rng)
    net = gn.Network([2, 16, 3], loss="cross_entropy", seed=0)
    h = net.fit(X, y, epochs=20, batch_size=16, learning_rate=0.01, validation_split=0.25, seed=0)
    assert h.epochs == 20
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"}
    assert h.loss[-1] < h.loss[0]
    assert h["val_accuracy"][-1] > 0.9
    assert h.stop_reason is None


def test_fit_is_reproducible_from_its_seed(rng: np.random.Generator) -> None:
    X, y = blobs(rng)
    nets = [gn.Network([2, 8, 3], loss="cross_entropy", seed=1, dropout=0.2) for _ in range(2)]
    for net in nets:
        net.fit(X, y, epochs=3, batch_size=10, seed=5)
    np.testing.assert_array_equal(nets[0].P, nets[1].P)


def test_one_batch_of_every_row_is_not_shuffled(rng: np.random.Generator) -> None:
    # the gradient of a batch holding every row is a sum over them, whatever their order:
    # such an epoch takes X as it is (no permutation, no gather), so shuffle changes nothing
    X, y = blobs(rng, n=96)
    runs = []
    for shuffle, batch_size in [(True, None), (False, None), (True, 96), (True, 500)]:
        net = gn.Network([2, 16, 3], loss="cross_entropy", seed=0)
        net.fit(X, y, epochs=5, batch_size=batch_size, shuffle=shuffle, seed=1)
        runs.append(net.P.copy())
    for P in runs[1:]:
        np.testing.assert_array_equal(P, runs[0])
    # with two batches or more, shuffling still reorders the steps
    shuffled = gn.Network([2, 16, 3], loss="cross_entropy", seed=0)
    shuffled.fit(X, y, epochs=5, batch_size=32, shuffle=True, seed=1)
    ordered = gn.Network([2, 16, 3], loss="cross_entropy", seed=0)
    ordered.fit(X, y, epochs=5, batch_size=32, shuffle=False, seed=1)
    assert not np.allclose(shuffled.P, ordered.P)


def test_early_stopping_restores_the_best_weights(rng: np.random.Generator) -> None:
    X, y = blobs(rng, 60)
    Xv, yv = blobs(rng, 30)
    net = gn.Network([2, 32, 3], loss="cross_entropy", seed=0)
    seen: dict[int, np.ndarray] = {}

    def remember(net: gn.Network, h: gn.History) -> None:
        seen[h.epochs] = net.P.copy()

    h = net.fit(
        X,
        y,
        epochs=300,
        batch_size=8,
        optimizer="adam",
        learning_rate=0.05,
        validation_data=(Xv, yv),
        early_stopping=True,
        patience=5,
        callbacks=[remember],
    )
    assert h.stop_reason is not None and "early stopping" in h.stop_reason
    assert h.epochs < 300
    best = int(np.argmin(h.val_loss)) + 1
    assert h.best_epoch == best
    assert h.epochs == best + 5
    np.testing.assert_array_equal(net.P, seen[best])


def test_a_callback_can_stop_training(rng: np.random.Generator) -> None:
    X, y = blobs(rng)
    net = gn.Network([2, 4, 3], loss="cross_entropy")
    h = net.fit(X, y, epochs=50, callbacks=[lambda net, h: h.epochs >= 3])
    assert h.epochs == 3
    assert "callback" in (h.stop_reason or "")


def test_ctrl_c_stops_cleanly_and_keeps_the_weights(rng: np.random.Generator) -> None:
    X, y = blobs(rng)
    net = gn.Network([2, 4, 3], loss="cross_entropy")
    after_two: list[np.ndarray] = []

    def interrupt(net: gn.Network, h: gn.History) -> None:
        if h.epochs == 2:
            after_two.append(net.P.copy())
            raise KeyboardInterrupt

    h = net.fit(X, y, epochs=50, callbacks=[interrupt])
    assert h.epochs == 2
    assert "interrupted" in (h.stop_reason or "")
    np.testing.assert_array_equal(net.P, after_two[0])


def test_a_diverging_cost_stops_and_restores_the_weights(rng: np.random.Generator) -> None:
    X = rng.standard_normal((40, 3)) * 100
    Y = rng.standard_normal((40, 1)) * 1e3
    net = gn.Network([3, 16, 1], seed=0, dtype="float32")
    snapshots: list[np.ndarray] = [net.P.copy()]
    with pytest.warns(gn.DivergenceWarning, match="the cost became"):
        h = net.fit(
            X,
            Y,
            epochs=100,
            optimizer="sgd",
            learning_rate=1.0,
            batch_size=8,
            callbacks=[lambda net, h: snapshots.append(net.P.copy())],
        )
    assert h.epochs < 100
    assert np.isfinite(net.P).all()
    # the weights are those at the start of the epoch that diverged
    assert len(snapshots) == h.epochs + 1
    np.testing.assert_array_equal(net.P, snapshots[-1])


def test_validation_split_holds_out_rows(rng: np.random.Generator) -> None:
    X, y = blobs(rng, 100)
    net = gn.Network([2, 4, 3], loss="cross_entropy")
    h = net.fit(X, y, epochs=1, batch_size=100, validation_split=0.2)
    assert "val_loss" in h


def test_sample_weight_two_equals_a_duplicated_row(rng: np.random.Generator) -> None:
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    net = gn.Network([3, 4, 2], dtype="float64")
    w = np.array([2.0, 1, 1, 1, 1])
    weighted = net.gradients(X, Y, sample_weight=w)
    duplicated = net.gradients(np.vstack([X, X[:1]]), np.vstack([Y, Y[:1]]))
    for (a, b), (c, d) in zip(weighted, duplicated, strict=True):
        np.testing.assert_allclose(a, c, rtol=1e-12)
        np.testing.assert_allclose(b, d, rtol=1e-12)


def test_alpha_adds_the_l2_gradient(rng: np.random.Generator) -> None:
    X, Y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    net = gn.Network([3, 4, 2], dtype="float64")
    Xc, Yc, scale = net.check(X, Y)
    C0 = net.loss_and_gradient(Xc, Yc, scale)
    G0 = net.G.copy()
    C1 = net.loss_and_gradient(Xc, Yc, scale, alpha=0.3)
    W_sq = sum(float(np.sum(l.W**2)) for l in net.layers)
    assert C1 == pytest.approx(C0 + 0.15 * W_sq, rel=1e-12)
    np.testing.assert_allclose(
        net.G, G0 + 0.3 * parameters.weight_mask(net.sizes, net.dtype) * net.P, rtol=1e-12
    )


def test_dropout_only_while_training(rng: np.random.Generator) -> None:
    X = rng.standard_normal((50, 4))
    net = gn.Network([4, 64, 2], dropout=0.5, seed=0)
    np.testing.assert_array_equal(net.forward(X), net.forward(X))  # deterministic at predict
    A_train = net.propagate(net.check(X, np.zeros((50, 2)))[0], np.random.default_rng(0))
    mask = net.layers[0].mask
    assert not np.allclose(A_train, net.forward(X))
    assert mask is not None
    assert set(np.unique(mask)) <= {0.0, 2.0}  # kept units scaled by 1 / (1 - 0.5)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("constant", [0.1, 0.1, 0.1, 0.1]),
        (gn.schedules.StepDecay(step_size=2, gamma=0.5), [0.1, 0.1, 0.05, 0.05]),
        (
            "cosine",
            [0.1, 0.1 * (1 + np.cos(np.pi / 4)) / 2, 0.05, 0.1 * (1 + np.cos(3 * np.pi / 4)) / 2],
        ),
        ("invscaling", [0.1, 0.1 / 2**0.5, 0.1 / 3**0.5, 0.05]),
    ],
)
def test_schedules(rng: np.random.Generator, schedule, expected) -> None:  # type: ignore[no-untyped-def]
    X, y = blobs(rng, 20)
    net = gn.Network([2, 4, 3], loss="cross_entropy")
    h = net.fit(X, y, epochs=4, optimizer="sgd", learning_rate=0.1, schedule=schedule)
    np.testing.assert_allclose(h["learning_rate"], expected)


def test_one_sgd_step_is_w_minus_lr_dw(rng: np.random.Generator) -> None:
    X, Y = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    net = gn.Network([3, 5, 2], dtype="float64")
    grads = net.gradients(X, Y)
    before = [(l.W.copy(), l.B.copy()) for l in net.layers]
    net.fit(X, Y, epochs=1, batch_size=None, optimizer="sgd", learning_rate=0.3)
    for l, (W, B), (dW, dB) in zip(net.layers, before, grads, strict=True):
        np.testing.assert_allclose(l.W, W - 0.3 * dW, rtol=1e-14)
        np.testing.assert_allclose(l.B, B - 0.3 * dB, rtol=1e-14)


def test_verbose_prints_one_plain_line_per_epoch(rng, capsys) -> None:  # type: ignore[no-untyped-def]
    X, y = blobs(rng, 30)
    gn.Network([2, 4, 3], loss="cross_entropy").fit(X, y, epochs=3, verbose=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/3") and "loss" in lines[0]


def test_silent_by_default(rng, capsys) -> None:  # type: ignore[no-untyped-def]
    X, y = blobs(rng, 30)
    gn.Network([2, 4, 3], loss="cross_entropy").fit(X, y, epochs=2)
    assert capsys.readouterr().out == ""
