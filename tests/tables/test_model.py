"""gn.load of a table-trained model: a Model that takes raw tables and agrees with
``glassnet predict`` exactly; no public way feeds raw rows to the bare network silently."""

from __future__ import annotations

import csv
import io
import json
import struct
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.tables import Model, UnseenValueWarning

from .conftest import mixed_frame


@pytest.fixture(scope="module")
def mixed_model(mixed_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "mixed.safetensors"
    argv = ["train", str(mixed_csv), "--target", "label", "--out", str(out), "--ignore", "value"]
    assert main([*argv, "--epochs", "30", "--quiet"]) == 0
    return out


def _cli_predict(model: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    assert main(["predict", str(model), str(data), "--proba"]) == 0
    return list(csv.reader(io.StringIO(capsys.readouterr().out)))


def test_round_trip_cli_file_load_predict(
    mixed_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = mixed_frame(200, seed=5)  # rows never seen, with an unseen colour and a new grade
    new.loc[0, "colour"], new.loc[1, "grade"], new.loc[2, "x"] = "purple", 9, np.nan
    data = tmp_path / "new.csv"
    new.to_csv(data, index=False)
    rows = _cli_predict(mixed_model, data, capsys)
    model = gn.load(mixed_model)
    assert isinstance(model, Model)
    with pytest.warns(UnseenValueWarning) as caught:
        labels = model.predict(new)
    assert sorted(str(w.message).split(":")[0] for w in caught) == [
        "column 'colour'",
        "column 'grade'",
    ]
    P = model.predict_proba(new, notes=[])
    assert [r[0] for r in rows[1:]] == labels.tolist()
    assert [r[1:] for r in rows[1:]] == [[f"{p:.6g}" for p in row] for row in P]  # exactly
    accuracy = np.mean(labels == new["label"].to_numpy())
    assert accuracy > 0.7, accuracy  # 30 epochs on 480 rows: the round trip is the point


def test_columns_by_name_dict_and_array(mixed_model: Path) -> None:
    model = gn.load(mixed_model)
    assert isinstance(model, Model)
    frame = mixed_frame(50, seed=9)
    want = model.predict_proba(frame)
    shuffled = frame[list(reversed(frame.columns))]
    np.testing.assert_array_equal(model.predict_proba(shuffled), want)
    as_dict = {c: frame[c].tolist() for c in frame.columns}
    np.testing.assert_array_equal(model.predict_proba(as_dict), want)
    as_array = frame[model.columns].to_numpy(dtype=object)  # raw values, stored order
    np.testing.assert_array_equal(model.predict_proba(as_array), want)
    with pytest.raises(ValueError, match="missing column 'size' that the model needs"):
        model.predict(frame.drop(columns="size"))
    with pytest.raises(ValueError, match=r"shape \(50, 3\) but the model takes 5 raw columns"):
        model.predict(as_array[:, :3])


def test_bare_network_refuses_raw_rows(mixed_model: Path) -> None:
    model = gn.load(mixed_model)
    assert isinstance(model, Model)
    with pytest.raises(ValueError, match="trained on preprocessed columns"):
        model.network.predict(np.zeros((2, model.sizes[0])))
    with pytest.raises(ValueError, match="trained on preprocessed columns"):
        gn.saving.load(mixed_model).predict(np.zeros((2, model.sizes[0])))


def test_legacy_scaling_file_is_applied(tmp_path: Path, rng: np.random.Generator) -> None:
    net = gn.Network([2, 5, 1], activation="tanh", seed=0)
    net.metadata = {
        "feature_names": ["a", "b"],
        "feature_scaling": {"mean": [10.0, -3.0], "scale": [5.0, 0.5]},
        "target_scaling": {"mean": [150.0], "scale": [70.0]},
    }
    path = net.save(tmp_path / "old.safetensors")
    X = rng.standard_normal((20, 2)) * [5, 0.5] + [10, -3]
    model = gn.load(path)
    assert isinstance(model, Model)
    want = net.forward((X - [10, -3]) / [5, 0.5])[:, 0] * 70 + 150
    np.testing.assert_allclose(model.predict({"b": X[:, 1], "a": X[:, 0]}), want, rtol=1e-5)
    with pytest.raises(ValueError, match="trained on preprocessed columns"):
        model.network.predict(X)
    plain = gn.load(gn.Network([2, 3, 1], seed=0).save(tmp_path / "plain.safetensors"))
    assert isinstance(plain, gn.Network)  # no preprocessing: the Network itself


def _tamper(path: Path, change: object) -> bytes:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    extras = json.loads(header["__metadata__"]["extras"])
    change(extras["preprocessing"])  # type: ignore[operator]
    header["__metadata__"]["extras"] = json.dumps(extras)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data[8 + n :]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["columns"].pop(), "inputs but the network takes"),
        (lambda p: p["columns"][1].update(scale=0), "needs finite mean, fill, scale > 0"),
        (lambda p: p["columns"][3].update(role="magic"), "role must be 'numeric' or"),
        (lambda p: p["target"]["labels"].pop(), "must list 3 text labels"),
        (lambda p: p.update(version=9), "version 1"),
    ],
)
def test_a_tampered_preprocessing_is_refused(
    mixed_model: Path, tmp_path: Path, change: object, message: str
) -> None:
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(_tamper(mixed_model, change))
    with pytest.raises(gn.saving.ModelFileError, match=message):
        gn.load(bad)


def test_unseen_values_are_noted_once_never_refused(mixed_model: Path) -> None:
    model = gn.load(mixed_model)
    assert isinstance(model, Model)
    frame = mixed_frame(10, seed=1)
    frame["colour"] = "purple"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict(frame)
    unseen = "column 'colour': 10 value(s) not seen in training (encoded as the unseen bucket: "
    assert [str(w.message) for w in caught] == [unseen + "all zeros)"]
    X = model.transform(frame, notes=[])
    start = model.preprocessing.feature_names().index("colour=blue")
    np.testing.assert_array_equal(X[:, start : start + 4], 0)


def test_model_file_is_safetensors_and_json(mixed_model: Path) -> None:
    from safetensors import safe_open

    with safe_open(str(mixed_model), framework="numpy") as f:
        meta = f.metadata()
        assert sorted(f.keys()) == [
            "layer1.B",
            "layer1.W",
            "layer2.B",
            "layer2.W",
            "layer3.B",
            "layer3.W",
        ]
    pre = json.loads(meta["extras"])["preprocessing"]
    assert [c["name"] for c in pre["columns"]] == ["x", "size", "colour", "flag", "grade"]
    assert pd.DataFrame(pre["left_out"])["name"].tolist() == [
        "row",
        "name",
        "constant",
        "nothing",
        "value",
    ]
