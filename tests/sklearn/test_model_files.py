"""The scikit-learn estimators save to and load from glassnet's own model format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris

import glassnet as gn
from glassnet.sklearn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_classifier_round_trip(tmp_path: Path) -> None:
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, labels)
    path = est.save(tmp_path / "iris.safetensors")
    again = MLPClassifier.load(path)
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    np.testing.assert_allclose(again.predict_proba(X), est.predict_proba(X), rtol=1e-6)
    assert list(again.classes_) == ["setosa", "versicolor", "virginica"]
    assert list(again.hidden_layer_sizes) == [8]  # JSON keeps the tuple as a list
    net = gn.load(path)  # the same file is an ordinary glassnet model
    assert net.sizes == [4, 8, 3] and net.metadata["class_labels"] == list(again.classes_)


def test_regressor_round_trip(tmp_path: Path) -> None:
    X, y = load_diabetes(return_X_y=True)
    est = MLPRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0).fit(X, y)
    again = MLPRegressor.load(est.save(tmp_path / "diabetes.safetensors"))
    np.testing.assert_allclose(again.predict(X), est.predict(X), rtol=1e-6)


def test_a_bad_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x80\x04\x95 not a model")
    with pytest.raises(ValueError, match="not a glassnet model file"):
        MLPClassifier.load(path)


def test_a_model_trained_on_a_table_is_refused(tmp_path: Path) -> None:
    """``glassnet train`` stores how it scales the rows; the estimator cannot apply that, so it
    refuses the file (naming gn.load) instead of predicting on unscaled rows."""
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [
        f"{100 + 10 * x:.3f},{y:.3f},{'yes' if x > 0 else 'no'}"
        for x, y in rng.standard_normal((40, 2))
    ]
    data = tmp_path / "table.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = tmp_path / "table.safetensors"
    code = main(["train", str(data), "--target", "label", "--out", str(path), "--quiet"])
    assert code == 0
    with pytest.raises(ValueError, match=r"trained on a table.*gn\.load\(path\)"):
        MLPClassifier.load(path)


@pytest.mark.parametrize("key", ["feature_scaling", "target_scaling"])
def test_scaling_metadata_is_refused(tmp_path: Path, key: str) -> None:
    X, y = load_diabetes(return_X_y=True)
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    net = est.to_network()
    scaling = {"mean": [0.0] * (10 if key == "feature_scaling" else 1)}
    scaling["scale"] = [1.0] * len(scaling["mean"])
    net.metadata[key] = scaling
    path = net.save(tmp_path / "scaled.safetensors")
    with pytest.raises(ValueError, match=rf"cannot apply its preprocessing \({key}\)"):
        MLPRegressor.load(path)


def test_a_table_trained_model_is_refused(tmp_path: Path) -> None:
    """A model of `glassnet train` carries its preprocessing: the estimators point to gn.load."""
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    rows = ["colour,size,y"] + [
        f"{rng.choice(['red', 'blue'])},{rng.normal():.3f},{rng.normal():.3f}" for _ in range(40)
    ]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    path = tmp_path / "t.safetensors"
    args = ["train", str(tmp_path / "t.csv"), "--target", "y", "--out", str(path)]
    assert main([*args, "--epochs", "2", "--quiet"]) == 0
    with pytest.raises(ValueError, match=r"cannot apply its preprocessing \(preprocessing\)"):
        MLPRegressor.load(path)
