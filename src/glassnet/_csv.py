"""Reading tables from CSV files with the standard library's csv module: a header row of
column names, then one row per sample. Every problem raises ValueError naming the file, the
line and the column, and what was expected.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glassnet._typing import Array


class NotANumber(ValueError):
    """A feature cell that is not a number; ``column`` names its column."""

    def __init__(self, message: str, column: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class Table:
    """Numeric feature columns ``X`` (n, len(features)), and the target column as text.

    ``columns`` lists every column of the file; ``features`` those read into X, in order;
    ``lines`` gives each row's line number in the file (for messages).
    """

    path: str
    columns: list[str]
    features: list[str]
    X: Array
    target: str | None = None
    y: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    @property
    def extra(self) -> list[str]:
        """Columns of the file that were neither features nor the target."""
        return [c for c in self.columns if c not in self.features and c != self.target]


def read_csv(
    path: str | os.PathLike[str],
    target: str | None = None,
    features: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> Table:
    """Read the CSV at ``path``: ``features`` (default: every column but ``target`` and those
    in ``exclude``) as float64 numbers into X, the ``target`` column (if named) as text.

    Refused, with the line and column: a missing, empty, header-only or binary file; a
    missing column; a row with too few or too many fields; a feature value that is empty,
    not a number, NaN or infinite.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b,label\\n1,2,cat\\n3,4.5,dog\\n")
    >>> t = read_csv(p, target="label")
    >>> t.features, t.X.tolist(), t.y
    (['a', 'b'], [[1.0, 2.0], [3.0, 4.5]], ['cat', 'dog'])
    """
    where = str(path)
    text = _read_text(Path(path), where)
    reader = csv.reader(text.splitlines())
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)  # skip blank lines before the header
        if header is None:
            raise ValueError(f"{where}: the file is empty: expected a header row of column names")
        columns = [h.strip() for h in header]
        _check_header(columns, where, reader.line_num)
        if target is not None and target not in columns:
            raise ValueError(
                f"{where}: no column named {target!r} (the target); the columns are "
                f"{_list(columns)}"
            )
        unknown = [c for c in exclude if c not in columns]
        if unknown:
            raise ValueError(
                f"{where}: no column named {unknown[0]!r} (to ignore); the columns are "
                f"{_list(columns)}"
            )
        if features is None:
            features = [c for c in columns if c != target and c not in exclude]
            if not features:
                raise ValueError(f"{where}: no feature columns besides the target {target!r}")
        missing = [c for c in features if c not in columns]
        if missing:
            raise ValueError(
                f"{where}: missing column{'s' if len(missing) > 1 else ''} {_list(missing)} "
                f"that the model needs; the file has {_list(columns)}"
            )
        feature_idx = [columns.index(c) for c in features]
        target_idx = None if target is None else columns.index(target)
        rows: list[list[float]] = []
        y: list[str] = []
        lines: list[int] = []
        for record in reader:
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            line = reader.line_num
            if len(record) != len(columns):
                raise ValueError(
                    f"{where}, line {line}: {len(record)} fields but the header has "
                    f"{len(columns)} columns (a missing or extra comma?)"
                )
            rows.append([_number(record[j], where, line, columns[j]) for j in feature_idx])
            if target_idx is not None:
                label = record[target_idx].strip()
                if not label:
                    raise ValueError(
                        f"{where}, line {line}, column {target!r}: empty target value"
                    )
                y.append(label)
            lines.append(line)
    except csv.Error as exc:
        raise ValueError(f"{where}, line {reader.line_num}: not valid CSV: {exc}") from None
    if not rows:
        raise ValueError(f"{where}: a header row but no data rows")
    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(feature_idx))
    return Table(where, columns, list(features), X, target, y, lines)


def _read_text(path: Path, where: str) -> str:
    if path.is_dir():
        raise ValueError(f"{where} is a folder, not a CSV file")
    if not path.exists():
        raise ValueError(f"{where}: no such file")
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise ValueError(f"{where}: binary data, not a CSV text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:  # a spreadsheet's export in a legacy encoding still reads; garbage does not
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValueError(
                f"{where}: not a UTF-8 text file (undecodable byte at position {exc.start})"
            ) from None
        if sum(not (c.isprintable() or c in "\r\n\t") for c in text) > len(text) // 100:
            raise ValueError(f"{where}: binary data, not a CSV text file") from None
        return text


def _check_header(columns: list[str], where: str, line: int) -> None:
    for j, name in enumerate(columns):
        if not name:
            raise ValueError(f"{where}, line {line}: column {j + 1} of the header has no name")
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise ValueError(f"{where}, line {line}: the header names column {_short(name)} twice")
        seen.add(name)
    if len(columns) == 1 and (";" in columns[0] or "\t" in columns[0]):
        raise ValueError(
            f"{where}, line {line}: one column named {_short(columns[0])}: glassnet reads "
            "comma-separated files; this one seems to use ';' or tabs"
        )


def _number(text: str, where: str, line: int, column: str) -> float:
    s = text.strip()
    place = f"{where}, line {line}, column {_short(column)}"
    if not s:
        raise ValueError(f"{place}: empty value (missing data): fill it in or drop the row")
    try:
        value = float(s)
    except ValueError:
        raise NotANumber(f"{place}: {_short(s)} is not a number", column) from None
    if math.isnan(value):
        raise ValueError(
            f"{place}: {_short(s)} (NaN, a missing value): fill it in or drop the row"
        )
    if math.isinf(value):
        raise ValueError(f"{place}: {_short(s)} is infinite: expected a finite number")
    return value


def _short(text: str, most: int = 40) -> str:
    """repr(text), cut to ``most`` characters: a cell or a name quoted in a message."""
    r = repr(text)
    return r if len(r) <= most else r[: most - 4] + "...'"


def _list(names: Sequence[str], most: int = 12) -> str:
    shown = ", ".join(_short(n) for n in names[:most])
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
