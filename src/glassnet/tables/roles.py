"""Column roles, inferred from the training table (and overridden by the user):

- numbers → numeric (standardised); missing cells → the median, plus a missing-indicator column;
- text, booleans and integer codes with few values (at most MAX_CODES distinct, each seen
  twice on average) → categorical (one-hot); a missing cell is a category of its own;
- constant and all-missing columns → left out, with a note;
- id-like columns (text unique on most rows, such as names; integers rising row by row) →
  left out, with a note; ``--categorical`` / ``--numeric`` keep them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from glassnet.tables.columns import Categorical, Column, Numeric, factorize, key, keys, numbers
from glassnet.tables.reading import Table, name_list, short

MAX_CODES = 10  # integer columns with at most this many values are codes (one-hot)
MAX_CATEGORIES = 200  # more distinct texts than this: left out (give --categorical to keep)
ID_MIN_ROWS = 20  # tables smaller than this have no id-like columns


@dataclass(frozen=True)
class Role:
    """One line of the role table: a column, what it holds, what it becomes, and why."""

    name: str
    holds: str
    becomes: str
    note: str = ""


def infer_roles(
    table: Table,
    target: str,
    *,
    ignore: Sequence[str] = (),
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    rows: np.ndarray | None = None,
) -> tuple[list[Column], list[Role]]:
    """The model's input columns (fitted on ``table``, or on its ``rows``) and one Role per
    column of the file."""
    _check_flags(table, target, ignore=ignore, categorical=categorical, numeric=numeric)
    columns: list[Column] = []
    roles: list[Role] = []
    for name in table.names:
        if name == target:
            roles.append(Role(name, _holds(table.columns[name]), "target"))
            continue
        if name in ignore:
            roles.append(Role(name, _holds(table.columns[name]), "left out", "--ignore"))
            continue
        values = table.columns[name] if rows is None else table.columns[name][rows]

        def where(i: int, name: str = name) -> str:
            return table.where(i if rows is None else int(rows[i]), name)

        column, role = _infer(name, values, where, name in categorical, name in numeric)
        roles.append(role)
        if column is not None:
            columns.append(column)
    if not columns:
        raise ValueError(
            f"{table.path}: no column left to learn from besides the target {target!r} "
            "(see the notes above; --categorical or --numeric keeps a column)"
        )
    return columns, roles


def _check_flags(table: Table, target: str, **flags: Sequence[str]) -> None:
    seen: dict[str, str] = {}
    if target not in table.columns:
        raise ValueError(
            f"{table.path}: no column named {target!r} (the target); the columns are "
            f"{name_list(table.names)}"
        )
    for flag, names in flags.items():
        for name in names:
            if name not in table.columns:
                raise ValueError(
                    f"{table.path}: no column named {short(name)} (to --{flag}); the columns "
                    f"are {name_list(table.names)}"
                )
            if name == target:
                raise ValueError(f"--{flag} {name}: that is the --target column")
            if name in seen and seen[name] != flag:
                raise ValueError(
                    f"column {short(name)} is given to both --{seen[name]} and --{flag}"
                )
            seen[name] = flag


def _holds(values: np.ndarray) -> str:
    if values.dtype.kind == "f":
        present = values[~np.isnan(values)]
        return "integers" if len(present) and _integral(present) else "numbers"
    if all(isinstance(v, (bool, np.bool_)) for v in values[:1000]):
        return "booleans"
    return "text"


def _infer(
    name: str,
    values: np.ndarray,
    where: Callable[[int], str],
    force_categorical: bool,
    force_numeric: bool,
) -> tuple[Column | None, Role]:
    holds = _holds(values)
    n = len(values)
    is_numbers = values.dtype.kind == "f"
    missing = np.isnan(values) if is_numbers else keys(values) == ""
    n_missing = int(missing.sum())
    gaps = f"{n_missing} missing" if n_missing else ""
    if n_missing == n:
        return None, Role(name, holds, "left out", "every cell is missing")
    if force_numeric or (is_numbers and not force_categorical):
        x = numbers(values, where)
        present = x[~missing] if n_missing else x
        lo, hi = float(present.min()), float(present.max())
        if not force_numeric and lo == hi and not n_missing:
            return None, Role(name, holds, "left out", f"constant ({key(lo)})")
        distinct = _distinct_integers(present, lo, hi)
        if not force_numeric and distinct is not None:
            if n >= ID_MIN_ROWS and distinct == n and bool(np.all(np.diff(x) > 0)):
                return None, Role(name, holds, "left out", "id-like: counts the rows")
            if distinct <= MAX_CODES and distinct * 2 <= len(present):
                codes = Categorical.fit(name, values, from_numbers=True)
                return codes, _one_hot(name, "integer codes", codes, gaps)
        scaled = Numeric.fit(name, x)
        note = f"{gaps} → median {scaled.fill:.4g} + indicator" if n_missing else ""
        return scaled, Role(name, holds, "standardised", note)
    distinct_keys = factorize(keys(values[~missing]))[1]
    n_distinct = len(distinct_keys)
    if not force_categorical:
        if n_distinct == 1 and not n_missing:
            return None, Role(name, holds, "left out", f"constant ({short(distinct_keys[0])})")
        if n >= ID_MIN_ROWS and n_distinct > 0.5 * (n - n_missing):
            return None, Role(
                name, holds, "left out", f"id-like: {n_distinct} distinct values in {n} rows"
            )
        if n_distinct > MAX_CATEGORIES:
            return None, Role(
                name, holds, "left out", f"{n_distinct} distinct values (--categorical keeps it)"
            )
    column = Categorical.fit(name, values, from_numbers=is_numbers)
    return column, _one_hot(name, holds, column, gaps)


def _one_hot(name: str, holds: str, column: Categorical, gaps: str) -> Role:
    note = f"{gaps} → own category" if gaps else ""
    return Role(name, holds, f"one-hot ({column.width})", note)


def _distinct_integers(x: np.ndarray, lo: float, hi: float) -> int | None:
    """How many distinct values x holds when they are all integers (None otherwise)."""
    if not _integral(x):
        return None
    if hi - lo < 1_000_000:
        return int(np.count_nonzero(np.bincount((x - lo).astype(np.int64))))
    return len(np.unique(x))


def _integral(x: np.ndarray) -> bool:
    """Every value a whole number (a sample first: most real-valued columns fail there)."""
    head = x[:1000]
    return bool(np.all(head == np.round(head))) and bool(np.all(x == np.round(x)))
