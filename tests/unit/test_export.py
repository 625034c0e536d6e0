"""ONNX export: the graph passes onnx.checker and matches glassnet in onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet.activations import ACTIVATIONS, ELU, Activation, LeakyReLU
from glassnet.export import export_onnx
from glassnet.tables import Model

# float32 on both sides: the differences are rounding of a few dozen float32 operations
TOLERANCE = 1e-5
# exp is an output activation (Poisson regression): as a hidden one it overflows float32
HIDDEN = sorted(a for a in ACTIVATIONS if a not in ("softmax", "exp"))


def _run(path: Path, X: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"X": X.astype(np.float32)})
    return out


def _max_diff(net: gn.Network, tmp_path: Path, X: np.ndarray) -> float:
    path = export_onnx(net, tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    got = _run(path, X)
    want = Model.of(net).outputs(X)
    assert got.shape == want.shape
    return float(np.max(np.abs(got - want)))


@pytest.mark.parametrize("activation", HIDDEN)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "binary_cross_entropy"])
def test_parity_in_onnxruntime(
    tmp_path: Path, rng: np.random.Generator, activation: str, loss: str
) -> None:
    net = gn.Network([5, 8, 6, 3], activation=activation, loss=loss, seed=1)
    X = rng.standard_normal((64, 5)) * 2
    diff = _max_diff(net, tmp_path, X)
    print(f"{activation:>10} {loss:>20}: max |onnx − glassnet| = {diff:.2e}")
    assert diff < TOLERANCE


@pytest.mark.parametrize("output", ["sigmoid", "tanh", "softmax", "relu", "exp"])
def test_output_activations(tmp_path: Path, rng: np.random.Generator, output: str) -> None:
    net = gn.Network([3, 4, 2], activation="gelu", output_activation=output, seed=2)
    assert _max_diff(net, tmp_path, rng.standard_normal((20, 3))) < TOLERANCE


def test_activation_parameters(tmp_path: Path, rng: np.random.Generator) -> None:
    net = gn.Network([3, 4, 4, 1], activation=[LeakyReLU(0.3), ELU(0.7)], seed=0)
    assert _max_diff(net, tmp_path, rng.standard_normal((30, 3)) * 3) < TOLERANCE


def test_stored_scaling_is_part_of_the_graph(tmp_path: Path, rng: np.random.Generator) -> None:
    net = gn.Network([2, 5, 1], activation="tanh", seed=0)
    net.metadata = {
        "feature_scaling": {"mean": [10.0, -3.0], "scale": [5.0, 0.5]},
        "target_scaling": {"mean": [150.0], "scale": [70.0]},
    }
    X = rng.standard_normal((40, 2)) * [5, 0.5] + [10, -3]
    got = _run(export_onnx(net, tmp_path / "m.onnx"), X)
    want = net.forward((X - [10, -3]) / [5, 0.5]) * 70 + 150
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)  # values near 150 in float32


def test_binary_classifier_gives_both_columns(tmp_path: Path, rng: np.random.Generator) -> None:
    net = gn.Network([3, 4, 1], loss="binary_cross_entropy", seed=0)
    X = rng.standard_normal((10, 3))
    got = _run(export_onnx(net, tmp_path / "m.onnx"), X)
    np.testing.assert_allclose(got[:, 1], net.forward(X)[:, 0], atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=1), 1, atol=1e-6)


def test_float64_network_exports_as_float32(tmp_path: Path, rng: np.random.Generator) -> None:
    net = gn.Network([3, 4, 2], dtype="float64", loss="cross_entropy", seed=0)
    assert _max_diff(net, tmp_path, rng.standard_normal((10, 3))) < TOLERANCE


@pytest.mark.parametrize("opset", [13, 17, 18, 20])
def test_opsets_and_ir_version(tmp_path: Path, rng: np.random.Generator, opset: int) -> None:
    net = gn.Network([3, 4, 2], activation="gelu", seed=0)
    path = export_onnx(net, tmp_path / "m.onnx", opset=opset)
    model = onnx.load(str(path))
    assert model.opset_import[0].version == opset
    assert model.ir_version <= 9
    ops = {n.op_type for n in model.graph.node}
    assert ("Gelu" in ops) == (opset >= 20)
    X = rng.standard_normal((5, 3))
    np.testing.assert_allclose(_run(path, X), net.forward(X), atol=TOLERANCE)


def test_metadata_props(tmp_path: Path) -> None:
    net = gn.Network([2, 3], loss="cross_entropy", seed=0)
    net.metadata = {"feature_names": ["a", "b"], "class_labels": ["x", "y", "z"]}
    model = onnx.load(str(export_onnx(net, tmp_path / "m.onnx")))
    props = {p.key: p.value for p in model.metadata_props}
    assert props == {"feature_names": '["a", "b"]', "class_labels": '["x", "y", "z"]'}
    assert model.graph.output[0].name == "probabilities"


def test_custom_activation_and_bad_opset_are_refused(tmp_path: Path) -> None:
    class Square(Activation):
        name = "square"

        def f(self, Z: np.ndarray) -> np.ndarray:  # type: ignore[override]
            return Z * Z

    with pytest.raises(ValueError, match="no ONNX equivalent"):
        export_onnx(gn.Network([2, 3, 1], activation=Square()), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="opset 9"):
        export_onnx(gn.Network([2, 1]), tmp_path / "m.onnx", opset=9)
    assert list(tmp_path.iterdir()) == []
