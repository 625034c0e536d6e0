"""glassnet train / predict / evaluate / export / gradcheck on real data, via main([...])."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

import glassnet as gn
from glassnet.cli import COMMANDS, main
from glassnet.tables import read_table


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in COMMANDS:
        assert main([command, "--help"]) == 0
        assert f"usage: glassnet {command}" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"glassnet {gn.__version__}"


def test_train_wine_classifier(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.safetensors"
    code = main(
        [
            "train",
            str(data_dir / "wine.csv"),
            "--target",
            "cultivar",
            "--out",
            str(out),
            "--epochs",
            "30",
            "--hidden",
            "16",
            "--seed",
            "1",
            "--learning-rate",
            "0.01",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "task: classification (the target holds text labels" in text
    assert "178 rows, 13 columns in, 13 inputs" in text and "epoch 30/30" in text
    assert "  alcohol " in text and "standardised" in text  # the role table
    assert "validation rows (36): accuracy" in text and "confusion matrix" in text
    accuracy = float(text.split("validation rows (36): accuracy ")[1].split()[0])
    assert accuracy > 0.9
    net = gn.load(out)
    assert isinstance(net, gn.Model) and net.network.sizes == [13, 16, 3]
    meta = net.metadata
    assert meta["class_labels"] == ["class_0", "class_1", "class_2"]
    assert meta["task"] == "classification" and meta["target"] == "cultivar"
    assert len(net.columns) == 13 and net.columns[0] == "alcohol"
    assert meta["training"]["rows"] == 142 and meta["training"]["epochs"] == 30


def test_predict_matches_the_loaded_model(
    data_dir: Path, wine_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["predict", str(wine_model), str(data_dir / "wine.csv"), "--proba"]) == 0
    captured = capsys.readouterr()
    assert "ignoring column(s) the model does not use: cultivar" in captured.err
    rows = list(csv.reader(io.StringIO(captured.out)))
    assert rows[0] == ["cultivar", "proba_class_0", "proba_class_1", "proba_class_2"]
    assert len(rows) == 179
    table = read_table(data_dir / "wine.csv")
    model = gn.load(wine_model)
    P = model.predict_proba(table)
    np.testing.assert_allclose(np.array([r[1:] for r in rows[1:]], float), P, atol=1e-6)
    labels = [r[0] for r in rows[1:]]
    assert labels == model.predict(table).tolist()
    assert np.mean(np.array(labels) == table.columns["cultivar"]) > 0.9


def test_predict_columns_by_name_in_any_order(
    data_dir: Path, wine_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (data_dir / "wine.csv").open() as f:
        rows = list(csv.reader(f))
    shuffled = tmp_path / "shuffled.csv"
    order = list(reversed(range(len(rows[0]) - 1)))  # features reversed, target dropped
    write_csv(shuffled, [rows[0][j] for j in order], [[r[j] for j in order] for r in rows[1:]])
    out = tmp_path / "p.csv"
    assert main(["predict", str(wine_model), str(shuffled), "--out", str(out)]) == 0
    assert main(["predict", str(wine_model), str(data_dir / "wine.csv")]) == 0
    captured = capsys.readouterr()
    assert out.read_text() == captured.out  # same predictions from reordered columns
    assert "wrote 178 predictions" in captured.err


def test_evaluate_classifier(
    data_dir: Path, wine_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["evaluate", str(wine_model), str(data_dir / "wine.csv"), "--target", "cultivar"])
        == 0
    )
    text = capsys.readouterr().out
    assert "(178 rows): accuracy" in text
    for word in ("precision", "recall", "f1", "support", "confusion matrix", "class_2"):
        assert word in text
    # the confusion matrix rows sum to the class counts 59, 71, 48
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "confusion matrix" in line) + 2
    counts = [sum(int(v) for v in lines[start + k].split()[1:]) for k in range(3)]
    assert counts == [59, 71, 48]


def test_regression_train_evaluate_predict(
    data_dir: Path, diabetes_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    net = gn.load(diabetes_model)
    assert net.metadata["task"] == "regression"
    assert net.metadata["preprocessing"]["target"]["task"] == "regression"
    assert main(["evaluate", str(diabetes_model), str(data_dir / "diabetes.csv")]) == 0
    text = capsys.readouterr().out
    r2 = float(text.split("R² ")[1].split()[0])
    assert 0.3 < r2 < 1 and "MAE" in text and "RMSE" in text
    assert main(["predict", str(diabetes_model), str(data_dir / "diabetes.csv")]) == 0
    values = [float(r[0]) for r in list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]]
    assert len(values) == 442 and 25 < np.mean(values) < 350  # in the target's own units
    assert main(["predict", str(diabetes_model), str(data_dir / "diabetes.csv"), "--proba"]) == 2
    assert "--proba" in capsys.readouterr().err


def test_task_is_inferred_and_can_be_forced(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.safetensors"
    base = [
        "train",
        str(data_dir / "diabetes.csv"),
        "--target",
        "progression",
        "--out",
        str(out),
        "--epochs",
        "2",
        "--quiet",
    ]
    assert main(base) == 0
    assert "task: regression" in capsys.readouterr().out
    assert main([*base, "--task", "classification"]) == 0
    assert gn.load(out).metadata["task"] == "classification"


def test_train_options_reach_the_model(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.safetensors"
    assert (
        main(
            [
                "train",
                str(data_dir / "tiny.csv"),
                "--target",
                "label",
                "--out",
                str(out),
                "--hidden",
                "8,4",
                "--activation",
                "tanh",
                "--epochs",
                "5",
                "--batch-size",
                "7",
                "--optimizer",
                "sgd",
                "--learning-rate",
                "0.05",
                "--no-validation",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    net = gn.load(out).network  # the id column counts the rows: left out
    assert net.sizes == [2, 8, 4, 2] and [a.name for a in net.activations] == ["tanh", "tanh"]
    t = net.metadata["training"]
    assert (t["optimizer"], t["learning_rate"], t["batch_size"], t["seed"]) == ("sgd", 0.05, 7, 3)
    assert t["validation_rows"] == 0
    assert "validation rows" not in capsys.readouterr().out


def test_plot_writes_loss_curves(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "curves.png"
    assert (
        main(
            [
                "train",
                str(data_dir / "tiny.csv"),
                "--target",
                "label",
                "--out",
                str(tmp_path / "m.safetensors"),
                "--epochs",
                "3",
                "--plot",
                str(png),
                "--quiet",
            ]
        )
        == 0
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_o_is_short_for_out(data_dir: Path, wine_model: Path, tmp_path: Path) -> None:
    """train, predict and export take -o for --out, as most command-line tools do."""
    model = tmp_path / "short.glassnet"
    tiny = str(data_dir / "tiny.csv")
    assert main(["train", tiny, "--target", "label", "--ignore", "id", "-o", str(model),
                 "--epochs", "2", "--quiet"]) == 0  # fmt: skip
    assert gn.load(model).predict(read_table(data_dir / "tiny.csv")).shape == (60,)
    predictions = tmp_path / "p.csv"
    assert (
        main(["predict", str(wine_model), str(data_dir / "wine.csv"), "-o", str(predictions)]) == 0
    )
    assert len(predictions.read_text().splitlines()) == 179  # a header and 178 rows
    onnx_path = tmp_path / "m.onnx"
    assert main(["export", str(wine_model), "-o", str(onnx_path)]) == 0
    assert onnx_path.stat().st_size > 0


def test_export_then_onnxruntime_matches(
    data_dir: Path, wine_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    onnx_path = tmp_path / "m.onnx"
    assert main(["export", str(wine_model), "--out", str(onnx_path)]) == 0
    assert "opset 17" in capsys.readouterr().out
    from glassnet.tables.onnx import onnx_feeds

    model = gn.load(wine_model)
    table = read_table(data_dir / "wine.csv")
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (P,) = session.run(None, onnx_feeds(model.preprocessing, table))  # raw columns in
    diff = np.max(np.abs(P - model.predict_proba(table)))
    print(f"wine model, 178 rows: max |onnx − glassnet| = {diff:.2e}")
    assert diff < 1e-5


def test_gradcheck_random_and_model(wine_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gradcheck"]) == 0
    text = capsys.readouterr().out
    assert "dW1" in text and "dX" in text and "all gradients match" in text
    assert main(["gradcheck", "--sizes", "2,3,1", "--loss", "mse", "--activation", "gelu"]) == 0
    assert "all gradients match" in capsys.readouterr().out
    assert main(["gradcheck", str(wine_model), "--samples", "3"]) == 0
    assert "all gradients match" in capsys.readouterr().out


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        main(
            [
                "train",
                str(tmp_path / "x.csv"),
                "--target",
                "y",
                "--out",
                str(tmp_path / "m"),
                "--debug",
            ]
        )
