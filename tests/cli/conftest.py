"""CSV files and trained models for the command-line tests (small, so the tests stay fast)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """wine (3 classes, text labels), diabetes (regression), and a tiny 2-feature set."""
    from sklearn.datasets import load_diabetes, load_wine

    d = tmp_path_factory.mktemp("data")
    wine = load_wine()
    names = ["class_0", "class_1", "class_2"]
    wine_rows = [[*x, names[t]] for x, t in zip(wine.data.tolist(), wine.target, strict=True)]
    write_csv(d / "wine.csv", [*wine.feature_names, "cultivar"], wine_rows)
    diab = load_diabetes()
    rows = [[*x, t] for x, t in zip(diab.data.tolist(), diab.target.tolist(), strict=True)]
    write_csv(d / "diabetes.csv", [*diab.feature_names, "progression"], rows)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    labels = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    tiny = [[i, *x, y] for i, (x, y) in enumerate(zip(X.tolist(), labels, strict=True))]
    write_csv(d / "tiny.csv", ["id", "a", "b", "label"], tiny)
    return d


@pytest.fixture(scope="session")
def wine_model(data_dir: Path) -> Path:
    out = data_dir / "wine.safetensors"
    code = main(
        [
            "train",
            str(data_dir / "wine.csv"),
            "--target",
            "cultivar",
            "--out",
            str(out),
            "--epochs",
            "40",
            "--quiet",
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="session")
def diabetes_model(data_dir: Path) -> Path:
    out = data_dir / "diabetes.safetensors"
    code = main(
        [
            "train",
            str(data_dir / "diabetes.csv"),
            "--target",
            "progression",
            "--out",
            str(out),
            "--epochs",
            "40",
            "--quiet",
        ]
    )
    assert code == 0
    return out
