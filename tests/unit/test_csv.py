"""read_csv: numbers in, and every malformed file refused naming the file, line and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassnet._csv import read_csv, write_csv


def _write(tmp_path: Path, text: str | bytes, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_reads_features_and_text_target(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffx1, x2 ,label\n1,2e-3,cat\n\n-3.5 , 4,dog\n")
    t = read_csv(path, target="label")
    assert t.columns == ["x1", "x2", "label"] and t.features == ["x1", "x2"]
    np.testing.assert_array_equal(t.X, [[1.0, 0.002], [-3.5, 4.0]])
    assert t.y == ["cat", "dog"] and t.lines == [2, 4]


def test_features_by_name_in_any_order_extra_columns_untouched(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,b,a,comment\n7,2,1,hello\n8,4,3,world\n")
    t = read_csv(path, features=["a", "b"])
    np.testing.assert_array_equal(t.X, [[1, 2], [3, 4]])
    assert t.extra == ["id", "comment"]


def test_quoted_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, 'a,"b, with comma",y\n1,"2","x, y"\n')
    t = read_csv(path, target="y")
    assert t.features == ["a", "b, with comma"] and t.y == ["x, y"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("a,b,y\n", "a header row but no data rows"),
        ("a,b,y\n1,2\n", "line 2: 2 fields but the header has 3 columns"),
        ("a,b,y\n1,2,3\n1,2,3,4\n", "line 3: 4 fields"),
        ("a,b,y\n1,two,3\n", "line 2, column 'b': 'two' is not a number"),
        ("a,b,y\n1,2,3\n1,,3\n", "line 3, column 'b': empty value"),
        ("a,b,y\n1,NaN,3\n", "line 2, column 'b': 'NaN'"),
        ("a,b,y\n1,2,3\n4,-inf,3\n", "line 3, column 'b': '-inf' is infinite"),
        ("a,b,y\n1,1e999,3\n", "is infinite"),
        ("a,b,y\n1,2,\n", "line 2, column 'y': empty target value"),
        ("a,,y\n1,2,3\n", "column 2 of the header has no name"),
        ("a,a,y\n1,2,3\n", "names column 'a' twice"),
        ("a;b;y\n1;2;3\n", "comma-separated"),
        ("a,b\n1,2\n", "no column named 'y'"),
        ("y\n1\n", "no feature columns"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as info:
        read_csv(path, target="y")
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_binary_garbage_missing_and_folder(tmp_path: Path) -> None:
    garbage = bytes(np.random.default_rng(0).integers(0, 256, 2000, dtype=np.uint8))
    with pytest.raises(ValueError, match="binary data"):
        read_csv(_write(tmp_path, garbage), target="y")
    with pytest.raises(ValueError, match="no such file"):
        read_csv(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="is a folder"):
        read_csv(tmp_path)


def test_missing_feature_columns_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "a,y\n1,2\n")
    with pytest.raises(ValueError, match="missing columns 'b', 'c' that the model needs"):
        read_csv(path, features=["a", "b", "c"])


def test_legacy_encoding_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "température,y\n1,é\n".encode("cp1252"))
    t = read_csv(path, target="y")
    assert t.features == ["température"] and t.y == ["é"]


def test_write_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    text = write_csv(path, ["label", "p"], [["a, b", "0.5"]])
    assert path.read_text() == text == 'label,p\n"a, b",0.5\n'
