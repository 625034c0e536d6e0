"""read_table: CSV through pandas (delimiters, quotes, missing markers, encodings) and Parquet;
every malformed file refused in one line naming the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from glassnet.tables.reading import read_table, write_csv


def _write(tmp_path: Path, text: str | bytes, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_numbers_text_and_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffx1, x2 ,label\n1,2e-3,cat\n\n-3.5 , 4,dog\n")
    t = read_table(path)
    assert t.names == ["x1", "x2", "label"]
    np.testing.assert_array_equal(t.columns["x1"], [1.0, -3.5])
    np.testing.assert_array_equal(t.columns["x2"], [0.002, 4.0])
    assert t.columns["label"].tolist() == ["cat", "dog"]
    assert t.lines.tolist() == [2, 4]  # the blank line 3 is skipped, not renumbered


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, sep: str) -> None:
    rows = ["a", "b", "y"], ["1", "2.5", "p"], ["3", "4", "q"]
    t = read_table(_write(tmp_path, "\n".join(sep.join(r) for r in rows) + "\n"))
    assert t.names == ["a", "b", "y"] and t.columns["b"].tolist() == [2.5, 4.0]


def test_quoted_fields(tmp_path: Path) -> None:
    t = read_table(_write(tmp_path, 'a,"b, with comma",y\n1,"2","x, y"\n'))
    assert t.names == ["a", "b, with comma", "y"] and t.columns["y"].tolist() == ["x, y"]


@pytest.mark.parametrize("marker", ["", "NA", "NaN", "N/A", "null", "?", "None"])
def test_missing_value_markers(tmp_path: Path, marker: str) -> None:
    t = read_table(_write(tmp_path, f"a,b,c\n1,x,1\n{marker},{marker},2\n3,z,3\n"))
    assert np.isnan(t.columns["a"][1]) and t.columns["a"][2] == 3.0
    b = t.columns["b"][1]
    assert b is None or np.isnan(b)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("a,b,y\n", "a header row but no data rows"),
        ("a,b,y\n\n\n", "a header row but no data rows"),
        ("a,b,y\n1,2\n", "line 2: 2 fields but the header has 3 columns"),
        ("a,b,y\n1,2,3\n1,2,3,4\n", "line 3: 4 fields but the header has 3 columns"),
        ("a,b,y\n1,2,3\n\n4,5\n", "line 4: 2 fields"),
        ('a,b,y\n1,2,3\n4,"5,6\n', 'a quote (") opens a field that never ends'),
        ("a,,y\n1,2,3\n", "column 2 of the header has no name"),
        ("a,a,y\n1,2,3\n", "names column 'a' twice"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        read_table(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_binary_garbage_missing_and_folder(tmp_path: Path) -> None:
    garbage = bytes(np.random.default_rng(0).integers(0, 256, 2000, dtype=np.uint8))
    with pytest.raises(ValueError, match="binary data"):
        read_table(_write(tmp_path, garbage))
    with pytest.raises(ValueError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="is a folder"):
        read_table(tmp_path)


def test_legacy_encoding_is_read(tmp_path: Path) -> None:
    t = read_table(_write(tmp_path, "température,y\n1,é\n".encode("cp1252")))
    assert t.names == ["température", "y"] and t.columns["y"].tolist() == ["é"]


def test_big_file_is_read_in_chunks(tmp_path: Path) -> None:
    from glassnet.tables import reading

    n = reading.CHUNK_ROWS + 10  # two chunks; the text column turns up in the second only
    lines = ["a,b"] + [f"{i},{i % 3}" for i in range(n - 1)] + ["7,text"]
    t = read_table(_write(tmp_path, "\n".join(lines) + "\n"))
    assert t.n == n and t.columns["a"].dtype == np.float64
    assert t.columns["b"].dtype == object and t.columns["b"][-1] == "text"
    assert t.where(n - 1, "b") == f"{tmp_path / 'd.csv'}, line {n + 1}, column 'b'"


def test_parquet(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1.0, None], "s": ["x", None]}).to_parquet(path)
    t = read_table(path)
    assert t.names == ["a", "s"] and np.isnan(t.columns["a"][1])
    assert t.where(1, "s").endswith("t.parquet, row 2, column 's'")
    with pytest.raises(ValueError, match="not a readable Parquet file"):
        read_table(_write(tmp_path, "a,b\n1,2\n", "bad.parquet"))


def test_parquet_without_pyarrow_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ValueError, match=r"pip install -e '\.\[parquet\]' in a glassnet clone"):
        read_table(_write(tmp_path, "x", "t.parquet"))


def test_write_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    text = write_csv(path, ["label", "p"], [["a, b", "0.5"]])
    assert path.read_text() == text == 'label,p\n"a, b",0.5\n'
