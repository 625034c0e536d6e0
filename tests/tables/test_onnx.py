"""ONNX export with the preprocessing (ai.onnx.ml Imputer, Scaler, OneHotEncoder): raw columns
in, equal to glassnet on held-out rows with unseen categories and missing cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tables import Model
from glassnet.tables.onnx import onnx_feeds

from .conftest import mixed_frame


@pytest.mark.parametrize("target", ["label", "value"])
def test_onnx_equals_glassnet_on_held_out_rows(
    mixed_csv: Path, tmp_path: Path, target: str
) -> None:
    other = "value" if target == "label" else "label"
    out = tmp_path / "m.safetensors"
    argv = ["train", str(mixed_csv), "--target", target, "--ignore", other, "--out", str(out)]
    assert main([*argv, "--epochs", "20", "--quiet"]) == 0
    model = gn.load(out)
    assert isinstance(model, Model)
    onnx_path = gn.export_onnx(model, tmp_path / "m.onnx")
    graph = onnx.load(str(onnx_path))
    ops = {n.op_type for n in graph.graph.node}
    assert {"Imputer", "Scaler", "OneHotEncoder", "IsNaN", "Concat"} <= ops
    held_out = mixed_frame(300, seed=11)
    held_out.loc[:9, "colour"] = "purple"  # unseen
    held_out.loc[10:19, "grade"] = 7  # unseen code
    held_out.loc[20:39, ["x", "size"]] = np.nan  # size: never missing in training
    held_out.loc[40:49, "colour"] = None
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, onnx_feeds(model.preprocessing, held_out))
    want = model.outputs(held_out, notes=[])
    diff = float(np.max(np.abs(got - want)))
    print(f"{target}: 300 held-out rows: max |onnx − glassnet| = {diff:.2e}")
    scale = 1.0 if target == "label" else float(np.abs(want).max())
    assert diff <= 1e-5 * scale  # probabilities; values relative to their size
