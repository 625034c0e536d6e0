"""One input column of a model and what it becomes: a numeric column is standardised,
x' = (x − mean) / scale, its missing cells filled with the training median and flagged in a
0/1 indicator column (when training saw missing cells; otherwise a missing cell at prediction
time gets the training mean); a categorical column becomes one 0/1
column per stored category, and a value never seen in training (the "unseen" bucket) becomes
all zeros. A missing category is a category of its own, stored as the empty string.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet._typing import Array
from glassnet.tables.reading import Values, short

MISSING_KEY = ""  # the category of a missing cell (also what ONNX callers pass for one)
Where = Callable[[int], str]  # row index -> "file, line N, column 'c'" for a message


def key(value: Any) -> str:
    """The category text of a cell: numbers without a spurious ".0", missing as "".

    >>> key(2007.0), key(2.5), key("Biscoe"), key(float("nan")), key(None), key(True)
    ('2007', '2.5', 'Biscoe', '', '', 'True')
    """
    if value is None:
        return MISSING_KEY
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return MISSING_KEY
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    return str(value)


def keys(values: Values) -> Values:
    """key() of every cell, as an object array (vectorised for float columns)."""
    if values.dtype.kind == "f":
        out = np.full(len(values), MISSING_KEY, dtype=object)
        present = ~np.isnan(values)
        v = values[present]
        integral = (v == np.round(v)) & (np.abs(v) < 2**53)
        out[present] = np.where(integral, v.astype(np.int64).astype(str), v.astype(str))
        return out
    import pandas as pd

    missing = is_missing(values)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        out = values.astype(object, copy=True)  # the usual case: text, done in C
        out[missing] = MISSING_KEY
        return out
    return np.array([key(v) for v in values], dtype=object)


def factorize(texts: Values) -> tuple[Values, list[str]]:
    """(codes, distinct): texts[i] == distinct[codes[i]] (pandas' hash table: fast)."""
    import pandas as pd

    codes, distinct = pd.factorize(texts)
    return codes, [str(d) for d in distinct]


def is_missing(values: Values) -> Values:
    """True where a cell is missing: NaN or None."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(len(values), dtype=bool)
    import pandas as pd

    return np.asarray(pd.isna(values), dtype=bool)


def numbers(values: Values, where: Where) -> Array:
    """The cells as float64 (missing as NaN); text that is not a number is refused."""
    if values.dtype == np.float64:
        x = values  # read-only use below: no copy
    elif values.dtype.kind in "iufb":
        x = values.astype(np.float64)
    else:
        try:
            x = values.astype(np.float64)
        except (TypeError, ValueError):
            x = np.empty(len(values))
            for i, v in enumerate(values):
                try:
                    x[i] = np.nan if v is None or v == "" else float(v)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"{where(i)}: {short(v)} is not a number (the column is numeric)"
                    ) from None
    bad = np.isinf(x)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{where(i)}: {float(x[i])} is infinite: expected a finite number")
    return x


@dataclass
class Numeric:
    """x' = (x − mean) / scale, a missing x replaced by ``fill`` first (the training median, or
    the mean when training saw no missing cell); with
    ``indicator``, one more input column: 1 where x was missing, else 0."""

    name: str
    mean: float
    scale: float
    fill: float
    indicator: bool = False
    role = "numeric"

    @classmethod
    def fit(cls, name: str, x: Array) -> Numeric:
        present = x[~np.isnan(x)]
        scale = float(present.std())
        return cls(
            name,
            float(present.mean()),
            scale if scale > 0 else 1.0,
            float(np.median(present)) if len(present) < len(x) else float(present.mean()),
            indicator=len(present) < len(x),
        )

    @property
    def width(self) -> int:
        return 2 if self.indicator else 1

    def features(self) -> list[str]:
        return [self.name] + ([f"{self.name} (missing)"] if self.indicator else [])

    def encode(self, values: Values, out: Array, where: Where) -> int:
        """Write the input column(s) into ``out`` (n, width); returns the missing count."""
        x = numbers(values, where)
        missing = np.isnan(x)
        n_missing = int(np.count_nonzero(missing))
        if n_missing:
            x = np.where(missing, self.fill, x)
        np.subtract(x, self.mean, out=out[:, 0])
        out[:, 0] /= self.scale
        if self.indicator:
            out[:, 1] = missing
        return n_missing

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": "numeric",
            "mean": self.mean,
            "scale": self.scale,
            "fill": self.fill,
            "indicator": self.indicator,
        }


@dataclass
class Categorical:
    """One 0/1 input column per category; a value not among ``categories`` gives zeros.
    ``from_numbers``: the column held numbers (codes such as a year), matched as numbers."""

    name: str
    categories: list[str]
    from_numbers: bool = False
    role = "categorical"
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index = {c: k for k, c in enumerate(self.categories)}

    @classmethod
    def fit(cls, name: str, values: Values, from_numbers: bool) -> Categorical:
        _, distinct = factorize(keys(values))
        return cls(name, sorted(distinct, key=_order), from_numbers)

    @property
    def width(self) -> int:
        return len(self.categories)

    def features(self) -> list[str]:
        return [f"{self.name}={c if c != MISSING_KEY else '(missing)'}" for c in self.categories]

    def encode(self, values: Values, out: Array, where: Where) -> int:
        """One-hot rows into ``out`` (n, width); returns how many cells were unseen values."""
        codes, distinct = factorize(keys(values))
        lookup = np.array([self._index.get(self._canonical(d), -1) for d in distinct] + [-1])
        column = lookup[codes]
        out[:] = 0
        seen = column >= 0
        out[np.flatnonzero(seen), column[seen]] = 1
        return int((~seen).sum())

    def _canonical(self, text: str) -> str:
        """ "2007.0" and "2007" are one category in a column of numbers."""
        if self.from_numbers and text != MISSING_KEY:
            try:
                return key(float(text))
            except ValueError:
                return text
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": "categorical",
            "categories": list(self.categories),
            "from_numbers": self.from_numbers,
        }


Column = Numeric | Categorical


def _order(text: str) -> tuple[int, float, str]:
    """Categories in numeric order when they are numbers, then text order; missing last."""
    if text == MISSING_KEY:
        return (2, 0.0, text)
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def column_from_json(spec: Any) -> Column:
    """The column a model file describes (already checked by check_preprocessing)."""
    if spec["role"] == "numeric":
        return Numeric(spec["name"], spec["mean"], spec["scale"], spec["fill"], spec["indicator"])
    return Categorical(spec["name"], list(spec["categories"]), spec["from_numbers"])
