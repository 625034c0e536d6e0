"""The preprocessing a table-trained model carries: raw columns in, the network's X out.

    X = [encode(column 1) | encode(column 2) | ...]      (n, n_inputs), float32

where each numeric column gives (x − mean) / scale (and a missing indicator when training had
missing cells) and each categorical column its one-hot block (see :mod:`glassnet.tables.columns`).
It is stored in the model file as JSON under the metadata key ``"preprocessing"``::

    {"version": 1,
     "columns": [{"name", "role": "numeric", "mean", "scale", "fill", "indicator"},
                 {"name", "role": "categorical", "categories": [...], "from_numbers"}, ...],
     "target": {"name", "task": "classification", "labels": [...]}
            or {"name", "task": "regression", "mean", "scale"},
     "left_out": [{"name", "reason"}, ...]}

:func:`check_preprocessing` validates that JSON (the model-file loader calls it).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet._typing import Array
from glassnet.tables.columns import Categorical, Column, Numeric, column_from_json
from glassnet.tables.reading import Table, Values, name_list
from glassnet.tables.target import Target

VERSION = 1
BLOCK_ROWS = 16384  # rows encoded at a time


class UnseenValueWarning(UserWarning):
    """Prediction rows held categories or missing cells that training never saw."""


@dataclass
class Preprocessing:
    """Input columns (in the model's order), the target, and the columns left out.

    ``named``: columns are matched by name (False for a model that stores no names: the
    columns of a table are then taken in order).
    """

    columns: list[Column]
    target: Target
    left_out: list[dict[str, str]] = field(default_factory=list)
    named: bool = True

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def n_inputs(self) -> int:
        return sum(c.width for c in self.columns)

    def feature_names(self) -> list[str]:
        """The name of each input of the network, e.g. ``island=Biscoe``."""
        return [f for c in self.columns for f in c.features()]

    def transform(
        self, data: Any, notes: list[str] | None = None, rows: Values | None = None
    ) -> Array:
        """X (n, n_inputs) float32 from raw columns: a Table, a DataFrame, a dict of columns,
        or an array of raw values with one column per stored column, in the stored order.

        Unseen categories and unexpected missing cells are noted once per column (appended to
        ``notes``, else a :class:`UnseenValueWarning`), never refused. ``rows`` picks rows.
        """
        table = as_table(data, self.names if self.named else None, len(self.columns))
        order = np.arange(table.n) if rows is None else np.asarray(rows)
        X = np.empty((len(order), self.n_inputs), dtype=np.float32)
        odd = [0] * len(self.columns)
        for start in range(0, len(order), BLOCK_ROWS):  # blocks: the buffer stays in cache
            block = order[start : start + BLOCK_ROWS]
            buffer = np.empty((len(block), self.n_inputs))
            j = 0
            for c, (column, values) in enumerate(
                zip(self.columns, table.columns.values(), strict=True)
            ):

                def where(i: int, name: str = column.name, block: Values = block) -> str:
                    return table.where(int(block[i]), name)

                picked = values[block] if rows is not None or len(order) > BLOCK_ROWS else values
                odd[c] += column.encode(picked, buffer[:, j : j + column.width], where)
                j += column.width
            X[start : start + len(block)] = buffer
        said: list[str] = []
        for column, count in zip(self.columns, odd, strict=True):
            if count and isinstance(column, Categorical):
                said.append(
                    f"column {column.name!r}: {count} value(s) not seen in training "
                    "(encoded as the unseen bucket: all zeros)"
                )
            elif count and isinstance(column, Numeric) and not column.indicator:
                said.append(
                    f"column {column.name!r}: {count} missing value(s) filled with the "
                    "training mean"
                )
        for text in said:
            if notes is not None:
                notes.append(text)
            else:
                warnings.warn(text, UnseenValueWarning, stacklevel=3)
        return X

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "columns": [c.to_json() for c in self.columns],
            "target": self.target.to_json(),
            "left_out": list(self.left_out),
        }

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> Preprocessing:
        t = spec["target"]
        target = Target(t["name"], t["task"], list(t.get("labels", [])))
        if t["task"] == "regression":
            target.mean, target.scale = t["mean"], t["scale"]
        columns = [column_from_json(c) for c in spec["columns"]]
        return cls(columns, target, list(spec.get("left_out", [])))

    @classmethod
    def from_metadata(
        cls, meta: Mapping[str, Any], n_inputs: int, classifier: bool
    ) -> Preprocessing:
        """The preprocessing of any model file: ``"preprocessing"`` when stored; else the
        legacy ``feature_scaling`` / ``target_scaling`` / ``feature_names`` (numeric inputs)."""
        if "preprocessing" in meta:
            return cls.from_json(meta["preprocessing"])
        names = meta.get("feature_names")
        s = meta.get("feature_scaling") or {"mean": [0.0] * n_inputs, "scale": [1.0] * n_inputs}
        columns: list[Column] = [
            Numeric(str(names[j]) if names else f"x{j + 1}", m, sc, m)
            for j, (m, sc) in enumerate(zip(s["mean"], s["scale"], strict=True))
        ]
        t = meta.get("target_scaling")
        target = Target(
            str(meta.get("target") or "prediction"),
            "classification" if classifier else "regression",
            [str(v) for v in meta.get("class_labels") or []],
        )
        if t:
            target.mean, target.scale = float(t["mean"][0]), float(t["scale"][0])
        return cls(columns, target, named=bool(names))


def as_table(data: Any, names: Sequence[str] | None, n_columns: int) -> Table:
    """The columns ``names`` (in that order) of ``data``, as a Table.

    A Table, a DataFrame or a mapping is matched by column name (extra columns are ignored,
    a missing one is refused, naming it); an array (n, n_columns) is taken by position.
    """
    if isinstance(data, Table):
        source: Mapping[str, Any] | None = data.columns
        path, lines = data.path, data.lines
    elif hasattr(data, "columns") and hasattr(data, "iloc"):  # a pandas DataFrame
        source = {str(c): data[c].to_numpy() for c in data.columns}
        path, lines = "the DataFrame", None
    elif isinstance(data, Mapping):
        source = {str(k): v for k, v in data.items()}
        path, lines = "the table", None
    else:
        source, path, lines = None, "the array", None
    if source is not None and (names is not None or len(source) == n_columns):
        wanted = list(names) if names is not None else list(source)
        missing = [c for c in wanted if c not in source]
        if missing:
            raise ValueError(
                f"{path}: missing column{'s' if len(missing) > 1 else ''} {name_list(missing)} "
                f"that the model needs; it has {name_list(list(source))}"
            )
        columns = {c: _column(source[c], path, c) for c in wanted}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"{path}: its columns have different lengths {sorted(lengths)}")
        return Table(path, columns, lines)
    if source is not None:
        raise ValueError(
            f"{path}: {len(source)} columns but the model takes {n_columns} (it stores no "
            "column names, so every column is used in order)"
        )
    M = np.asarray(data)
    if M.ndim != 2 or M.shape[1] != n_columns:
        raise ValueError(
            f"{path} has shape {M.shape} but the model takes {n_columns} raw columns "
            f"(n, {n_columns}): {name_list(list(names or []))}"
        )
    labels = list(names) if names is not None else [f"x{j + 1}" for j in range(n_columns)]
    return Table(path, {c: _column(M[:, j], path, c) for j, c in enumerate(labels)})


def _column(values: Any, path: str, name: str) -> Values:
    """A column as a 1-D float64 or object array (a list stays object: NumPy would turn a
    missing NaN among strings into the text "nan")."""
    a = values if isinstance(values, np.ndarray) else np.array(list(values), dtype=object)
    if a.ndim != 1:
        raise ValueError(
            f"{path}, column {name!r}: expected one value per row, got shape {a.shape}"
        )
    if a.dtype.kind in "iuf":
        return a.astype(np.float64, copy=False)  # a float64 column is used as it is
    return a.astype(object, copy=False)


def check_preprocessing(spec: Any, n_inputs: int, n_outputs: int, n_classes: int | None) -> None:
    """Refuse (ValueError, one line) a ``"preprocessing"`` entry that does not fit the network:
    ``n_classes`` is the classifier's class count, None for a regressor."""

    def finite(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    def fail(what: str) -> ValueError:
        return ValueError(f"'preprocessing' {what}")

    if not isinstance(spec, Mapping) or spec.get("version") != VERSION:
        raise fail(f"must be an object with version {VERSION}")
    cols, target = spec.get("columns"), spec.get("target")
    if not isinstance(cols, list) or not cols or not all(isinstance(c, Mapping) for c in cols):
        raise fail("'columns' must be a non-empty list of objects")
    width = 0
    for c in cols:
        name = c.get("name")
        if not isinstance(name, str):
            raise fail("has a column without a name")
        if c.get("role") == "numeric":
            ok = all(finite(c.get(k)) for k in ("mean", "scale", "fill"))
            if not ok or c["scale"] <= 0 or not isinstance(c.get("indicator"), bool):
                raise fail(f"column {name!r}: needs finite mean, fill, scale > 0, indicator")
            width += 2 if c["indicator"] else 1
        elif c.get("role") == "categorical":
            cats = c.get("categories")
            if (
                not isinstance(cats, list)
                or not cats
                or not all(isinstance(v, str) for v in cats)
                or len(set(cats)) != len(cats)
                or not isinstance(c.get("from_numbers"), bool)
            ):
                raise fail(f"column {name!r}: needs distinct text categories and from_numbers")
            width += len(cats)
        else:
            raise fail(f"column {name!r}: role must be 'numeric' or 'categorical'")
    if len({c["name"] for c in cols}) != len(cols):
        raise fail("names a column twice")
    if width != n_inputs:
        raise fail(f"encodes {width} inputs but the network takes {n_inputs}")
    if not isinstance(target, Mapping) or not isinstance(target.get("name"), str):
        raise fail("'target' must be an object with a name")
    if n_classes is not None:
        labels = target.get("labels")
        if target.get("task") != "classification" or not isinstance(labels, list):
            raise fail("'target' of a classifier must be a classification with labels")
        if len(labels) != n_classes or not all(isinstance(v, str) for v in labels):
            raise fail(f"'target' must list {n_classes} text labels (one per class)")
    elif target.get("task") != "regression" or not (
        finite(target.get("mean")) and finite(target.get("scale")) and target["scale"] > 0
    ):
        raise fail("'target' of a regressor must be a regression with finite mean, scale > 0")
    elif n_outputs != 1:
        raise fail(f"describes one target but the network has {n_outputs} outputs")
