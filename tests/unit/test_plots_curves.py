"""Loss curves and decision boundaries: images are written, atomically, and bad input refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.plots import decision_boundary, loss_curves

PNG = b"\x89PNG\r\n\x1a\n"


def test_loss_curves_from_a_fit(tmp_path: Path, rng: np.random.Generator) -> None:
    X = rng.standard_normal((40, 2))
    y = (X[:, 0] > 0).astype(int)
    net = gn.Network([2, 4, 2], loss="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=4, validation_split=0.25, seed=0)
    fig = loss_curves(history, path=tmp_path / "c.png")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["training loss", "validation loss"]
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), history.loss)
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG


def test_loss_curves_needs_a_loss() -> None:
    with pytest.raises(ValueError, match="no 'loss'"):
        loss_curves({"val_loss": [1.0]})


def test_decision_boundary_network_and_sklearn(tmp_path: Path, rng: np.random.Generator) -> None:
    from sklearn.linear_model import LogisticRegression

    X = rng.standard_normal((50, 2))
    y = np.where(X[:, 0] - X[:, 1] > 0, "up", "down")
    net = gn.Network([2, 6, 2], loss="cross_entropy", seed=0)
    net.metadata = {"class_labels": ["down", "up"]}
    net.fit(X, (y == "up").astype(int), epochs=20, learning_rate=0.05, seed=0)
    fig = decision_boundary(net, X, y, path=tmp_path / "b.png", resolution=30)
    assert (tmp_path / "b.png").read_bytes()[:8] == PNG and len(fig.axes) == 1
    decision_boundary(LogisticRegression().fit(X, y), X, y, resolution=30)


def test_decision_boundary_refuses_bad_input(rng: np.random.Generator) -> None:
    net = gn.Network([3, 2], loss="cross_entropy", seed=0)
    with pytest.raises(ValueError, match="two columns"):
        decision_boundary(net, rng.standard_normal((5, 3)), np.zeros(5, int))
    with pytest.raises(ValueError, match="regressor"):
        decision_boundary(gn.Network([2, 1]), rng.standard_normal((5, 2)), np.zeros(5))
