"""Reading tables: CSV through pandas (delimiter sniffed, quoted fields, the usual missing-value
markers), Parquet through pyarrow. Every refusal is one line naming the file, the line and the
column, and what was expected.

A :class:`Table` keeps each column as a 1-D NumPy array (float64 for numbers, object for text,
missing cells as NaN) and the file line of each row, so that later messages can point at it.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

Values = np.ndarray[Any, np.dtype[Any]]  # a column, a mask or row numbers: any dtype

# pandas' own markers ("", "NA", "NaN", "N/A", "null", "None", ...) and these
EXTRA_MISSING = ["?"]
DELIMITERS = ",;\t|"
CHUNK_ROWS = 65_536  # rows per pandas chunk: bounds the parser's memory on big files
_SAMPLE = 65_536  # bytes read to check for binary data and sniff the delimiter


@dataclass
class Table:
    """Columns by name, in file order, each a 1-D array of ``n`` values.

    ``lines[i]`` is the file line of row i (None for Parquet and in-memory tables, where
    messages say "row i + 1").
    """

    path: str
    columns: dict[str, Values]
    lines: Values | None = None

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    @property
    def n(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def where(self, i: int, column: str | None = None) -> str:
        """``"file, line N, column 'c'"`` for row i (0-based), for a message."""
        place = f"line {int(self.lines[i])}" if self.lines is not None else f"row {i + 1}"
        text = f"{self.path}, {place}"
        return text if column is None else f"{text}, column {short(column)}"

    def take(self, rows: Values) -> Table:
        """The rows ``rows`` (indices or a boolean mask) of every column."""
        lines = None if self.lines is None else self.lines[rows]
        return Table(self.path, {k: v[rows] for k, v in self.columns.items()}, lines)


def read_table(path: str | os.PathLike[str]) -> Table:
    """Read the CSV or Parquet (``.parquet``, ``.pq``) file at ``path`` into a Table.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a;b;label\\n1;NA;cat\\n3;4.5;dog\\n")
    >>> t = read_table(p)
    >>> t.names, t.columns["b"].tolist(), t.columns["label"].tolist(), t.lines.tolist()
    (['a', 'b', 'label'], [nan, 4.5], ['cat', 'dog'], [2, 3])
    """
    p = Path(path)
    where = str(path)
    if p.is_dir():
        raise ValueError(f"{where} is a folder, not a table file")
    if not p.exists():
        raise ValueError(f"{where}: no such file")
    if p.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(p, where)
    return _read_csv(p, where)


def _read_parquet(p: Path, where: str) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ValueError(
            f"{where}: reading Parquet needs pyarrow: pip install -e '.[parquet]' in a glassnet clone"
        ) from None
    try:
        arrow = pq.read_table(p)
    except (OSError, ValueError, TypeError) as exc:  # pyarrow's errors derive from these
        raise ValueError(f"{where}: not a readable Parquet file ({_one_line(exc)})") from None
    names = [str(c) for c in arrow.column_names]
    _check_names(names, where, "its schema")
    columns = {name: _column_array(arrow.column(j).to_pandas()) for j, name in enumerate(names)}
    table = Table(where, columns, None)
    if table.n == 0:
        raise ValueError(f"{where}: the table has columns but no rows")
    return table


def _read_csv(p: Path, where: str) -> Table:
    import pandas as pd

    with p.open("rb") as f:
        head = f.read(_SAMPLE)
    if not head.strip():
        raise ValueError(f"{where}: the file is empty: expected a header row of column names")
    if b"\x00" in head:
        raise ValueError(f"{where}: binary data, not a CSV text file")
    encoding = _encoding(head, where)
    text = head.decode(encoding, errors="ignore")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise ValueError(f"{where}, line 1: empty; expected a header row of column names")
    sep = _sniff(text)
    header = next(csv.reader([first], delimiter=sep))
    names = [h.strip() for h in header]
    _check_names(names, where, "line 1")
    try:
        reader = pd.read_csv(
            p,
            sep=sep,
            encoding=encoding,
            na_values=EXTRA_MISSING,
            skip_blank_lines=False,  # blank lines stay (as empty rows) so row i is line i + 2
            chunksize=CHUNK_ROWS,
        )
        parts: dict[str, list[Any]] = {}
        with reader:
            for chunk in reader:
                for j, name in enumerate(names):
                    parts.setdefault(name, []).append(_column_array(chunk.iloc[:, j]))
    except pd.errors.ParserError as exc:
        raise ValueError(_parser_message(exc, where, len(names))) from None
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{where}: not a UTF-8 text file (undecodable byte at position {exc.start})"
        ) from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty") from None
    columns = {name: _concat(chunks) for name, chunks in parts.items()}
    if not columns:
        columns = {name: np.empty(0) for name in names}
    n = len(next(iter(columns.values())))
    blank = np.ones(n, dtype=bool)
    for values in columns.values():  # rows with no value at all (blank lines) are left out
        blank &= is_missing(values)
        if not blank.any():
            break
    lines = np.arange(2, n + 2)
    table = Table(where, columns, lines)
    if blank.any():
        table = table.take(~blank)
    if table.n == 0:
        raise ValueError(f"{where}: a header row but no data rows")
    last = table.columns[names[-1]]
    if is_missing(last).any():  # a short row has its last field missing: check the file
        _check_short_rows(p, where, sep, encoding, len(names))
    return table


def _encoding(head: bytes, where: str) -> str:
    """UTF-8 (a BOM is skipped); a spreadsheet's legacy Windows-1252 export also reads."""
    try:
        head.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut at the end of the sample
            return "utf-8-sig"
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError(
                f"{where}: not a UTF-8 text file (undecodable byte at position {exc.start})"
            ) from None
        if sum(not (c.isprintable() or c in "\r\n\t") for c in text) > len(text) // 100:
            raise ValueError(f"{where}: binary data, not a CSV text file") from None
        return "cp1252"


def _sniff(text: str) -> str:
    """The delimiter: csv.Sniffer's choice among , ; tab |, else the one the header holds
    most of, else a comma."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _check_names(names: Sequence[str], where: str, place: str) -> None:
    seen: set[str] = set()
    for j, name in enumerate(names):
        if not name:
            raise ValueError(f"{where}, {place}: column {j + 1} of the header has no name")
        if name in seen:
            raise ValueError(f"{where}, {place}: the header names column {short(name)} twice")
        seen.add(name)


def is_missing(values: Values) -> Values:
    """True where a cell is missing (see glassnet.tables.columns.is_missing)."""
    from glassnet.tables.columns import is_missing as missing

    return missing(values)


def _column_array(series: Any) -> Values:
    """A pandas column as a NumPy array: float64 for numbers, object (str, NaN) otherwise."""
    kind = series.dtype.kind
    if kind in "iuf":
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if kind == "b":
        return series.to_numpy(dtype=object)
    values = series.to_numpy(dtype=object, na_value=np.nan)
    return values


def _concat(chunks: list[Values]) -> Values:
    if len(chunks) == 1:
        return chunks[0]
    if all(c.dtype == np.float64 for c in chunks):
        return np.concatenate(chunks)
    return np.concatenate([c.astype(object) for c in chunks])


def _parser_message(exc: Exception, where: str, n_columns: int) -> str:
    text = _one_line(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        return (
            f"{where}, line {m.group(2)}: {m.group(3)} fields but the header has "
            f"{n_columns} columns (a missing or extra delimiter?)"
        )
    m = re.search(r"EOF inside string starting at row (\d+)", text)
    if m:
        return f'{where}, line {int(m.group(1)) + 1}: a quote (") opens a field that never ends'
    return f"{where}: not a readable CSV file ({text})"


def _check_short_rows(p: Path, where: str, sep: str, encoding: str, n_columns: int) -> None:
    """Refuse a row with fewer fields than the header (pandas would fill it with NaN)."""
    with p.open(newline="", encoding=encoding) as f:
        reader = csv.reader(f, delimiter=sep)
        next(reader, None)
        for record in reader:
            if record and len(record) < n_columns and any(s.strip() for s in record):
                raise ValueError(
                    f"{where}, line {reader.line_num}: {len(record)} fields but the header "
                    f"has {n_columns} columns (a missing or extra delimiter?)"
                )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def short(text: Any, most: int = 40) -> str:
    """repr(text), cut to ``most`` characters: a cell or a name quoted in a message."""
    r = repr(text)
    return r if len(r) <= most else r[: most - 4] + "...'"


def name_list(names: Sequence[str], most: int = 12) -> str:
    """'a', 'b', ... (n in all): column names for a message."""
    shown = ", ".join(short(n) for n in names[:most])
    return shown + (f", ... ({len(names)} in all)" if len(names) > most else "")


def write_csv(
    path: str | os.PathLike[str] | None, header: list[str], rows: list[list[str]]
) -> str:
    """The CSV text of ``header`` and ``rows``; written atomically to ``path`` if given."""
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if path is not None:
        from glassnet.saving import write_atomic

        write_atomic(path, text.encode("utf-8"))
    return text
