"""palmerpenguins' penguins.csv (text columns, missing cells) from the command line with no
flags but --target species: ≥ 0.97 held-out accuracy; CLI predict = gn.load = ONNX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tables import Model
from glassnet.tables.onnx import onnx_feeds


@pytest.fixture(scope="module")
def penguins_model(
    penguins_csv: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("penguins") / "p.safetensors"
    import contextlib

    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        code = main(["train", str(penguins_csv), "--target", "species", "--out", str(out)])
    assert code == 0
    return out, text.getvalue()


def test_trains_to_097_with_no_flags(penguins_model: tuple[Path, str]) -> None:
    _, text = penguins_model
    assert "344 rows, 7 columns in, 17 inputs to the network" in text
    for line in (
        "island             text           one-hot (3)",
        "bill_length_mm     numbers        standardised  2 missing → median",
        "sex                text           one-hot (3)   11 missing → own category",
        "year               integer codes  one-hot (3)",
    ):
        assert line in text, text
    accuracy = float(text.split("validation rows (69): accuracy ")[1].split()[0])
    print(f"penguins: held-out accuracy {accuracy:.4f}")
    assert accuracy >= 0.97


def test_cli_predict_equals_gn_load_equals_onnx(
    penguins_csv: Path,
    penguins_model: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, _ = penguins_model
    frame = pd.read_csv(penguins_csv)
    frame.loc[0, "island"] = "Atlantis"  # unseen category
    frame.loc[1, "sex"] = np.nan  # a missing category (seen in training)
    frame.loc[2, ["bill_length_mm", "body_mass_g"]] = np.nan  # missing numbers
    frame.loc[3, "year"] = 2031  # an unseen code
    data = tmp_path / "new.csv"
    frame.to_csv(data, index=False)
    assert main(["predict", str(path), str(data), "--proba"]) == 0
    captured = capsys.readouterr()
    assert "column 'island': 1 value(s) not seen in training" in captured.err
    rows = list(csv.reader(io.StringIO(captured.out)))
    model = gn.load(path)
    assert isinstance(model, Model)
    P = model.predict_proba(frame, notes=[])
    assert [r[1:] for r in rows[1:]] == [[f"{p:.6g}" for p in row] for row in P]
    assert [r[0] for r in rows[1:]] == model.predict(frame, notes=[]).tolist()
    onnx_path = tmp_path / "p.onnx"
    assert main(["export", str(path), "--out", str(onnx_path)]) == 0
    assert "4 float32 (n, 1), 3 string (n, 1)" in capsys.readouterr().out
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == model.columns
    (Q,) = session.run(None, onnx_feeds(model.preprocessing, frame))
    diff = float(np.max(np.abs(Q - P)))
    print(f"penguins, 344 rows (unseen and missing cells): max |onnx − glassnet| = {diff:.2e}")
    assert diff <= 1e-5
