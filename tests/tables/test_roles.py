"""Column roles: inferred for every column kind, shown before training, overridden by flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main
from glassnet.tables import read_table
from glassnet.tables.roles import infer_roles
from glassnet.tables.training import prepare


def test_every_column_kind_gets_its_role(mixed_csv: Path) -> None:
    columns, roles = infer_roles(read_table(mixed_csv), "label", ignore=["value"])
    becomes = {r.name: (r.becomes, r.note) for r in roles}
    assert becomes["row"] == ("left out", "id-like: counts the rows")
    assert becomes["name"][0] == "left out" and becomes["name"][1].startswith("id-like")
    assert becomes["x"][0] == "standardised" and "missing → median" in becomes["x"][1]
    assert becomes["size"] == ("standardised", "")
    assert becomes["colour"][0] == "one-hot (4)" and "own category" in becomes["colour"][1]
    assert becomes["flag"][0] == "one-hot (2)"
    assert becomes["grade"][0] == "one-hot (3)"
    assert becomes["constant"] == ("left out", "constant (7)")
    assert becomes["nothing"] == ("left out", "every cell is missing")
    assert becomes["label"] == ("target", "")
    assert becomes["value"] == ("left out", "--ignore")
    by_name = {c.name: c for c in columns}
    assert by_name["colour"].categories == ["blue", "green", "red", ""]  # "" = missing
    assert by_name["grade"].categories == ["1", "2", "3"]
    assert by_name["flag"].categories == ["False", "True"]
    x = by_name["x"]
    assert x.indicator and x.features() == ["x", "x (missing)"]


def test_flags_override_and_repeat(mixed_csv: Path) -> None:
    table = read_table(mixed_csv)
    columns, _ = infer_roles(
        table, "label", ignore=["value", "flag"], categorical=["row"], numeric=["grade"]
    )
    names = {c.name: c.role for c in columns}
    assert names["row"] == "categorical" and names["grade"] == "numeric" and "flag" not in names
    with pytest.raises(ValueError, match="given to both --ignore and --numeric"):
        infer_roles(table, "label", ignore=["x"], numeric=["x"])
    with pytest.raises(ValueError, match=r"no column named 'nope' \(to --categorical\)"):
        infer_roles(table, "label", categorical=["nope"])
    with pytest.raises(ValueError, match=r"'colour'.* is not a number"):
        infer_roles(table, "label", numeric=["colour"])


def test_cli_prints_the_role_table_and_notes(
    mixed_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = mixed_csv.read_text().splitlines()
    text[5] = text[5].rsplit(",", 2)[0] + ",," + text[5].rsplit(",", 1)[1]  # a missing label
    data = tmp_path / "d.csv"
    data.write_text("\n".join(text) + "\n")
    argv = ["train", str(data), "--target", "label", "--out", str(tmp_path / "m.safetensors")]
    argv += ["--ignore", "value", "--categorical", "grade,flag", "--epochs", "2", "--quiet"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "columns:" in out and "column" in out and "becomes" in out
    assert "  colour " in out and "one-hot (4)" in out and "id-like: counts the rows" in out
    assert "note: left out 1 rows whose target 'label' is missing" in err
    assert "599 rows" in out


def test_preparation_is_repeatable(mixed_csv: Path) -> None:
    a = prepare(mixed_csv, "label", ignore=["value"], seed=3)
    b = prepare(mixed_csv, "label", ignore=["value"], seed=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.Y_val, b.Y_val)
    assert a.preprocessing.to_json() == b.preprocessing.to_json()
    # fitted on the training rows only: the scaled training column has mean 0, std 1
    j = a.preprocessing.feature_names().index("size")
    assert abs(a.X_train[:, j].mean()) < 1e-5 and abs(a.X_train[:, j].std() - 1) < 1e-4


def test_regression_target(mixed_csv: Path) -> None:
    p = prepare(mixed_csv, "value", ignore=["label"])
    assert p.task == "regression" and p.Y_train.shape == (len(p.X_train), 1)
    assert abs(float(p.Y_train.mean())) < 0.1
