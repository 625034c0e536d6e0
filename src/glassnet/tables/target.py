"""The target column: class labels 0..k−1 for a classifier, standardised values for a
regressor (Y' = (Y − mean) / scale, undone on the outputs: O * scale + mean)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet._typing import Array
from glassnet.tables.columns import MISSING_KEY, _order, factorize, is_missing, key, keys
from glassnet.tables.reading import Values, short

MAX_INTEGER_CLASSES = 20  # an integer target with at most this many values is read as classes
Index = np.ndarray[Any, np.dtype[np.intp]]


def infer_task(values: Values) -> tuple[str, str]:
    """("classification" or "regression", the reason): text labels or a few integer values
    mean classes; other numbers mean regression.

    >>> infer_task(np.array(["cat", "dog"], dtype=object))[0]
    'classification'
    >>> infer_task(np.array([1.0, 2.0, 1.0]))[0], infer_task(np.array([0.5, 2.0]))[0]
    ('classification', 'regression')
    """
    if values.dtype.kind != "f":
        return "classification", "the target holds text labels"
    present = values[~np.isnan(values)]
    distinct = np.unique(present)
    if np.all(distinct == np.round(distinct)) and len(distinct) <= MAX_INTEGER_CLASSES:
        return "classification", f"the target holds {len(distinct)} distinct integer values"
    return "regression", f"the target holds numbers ({len(distinct)} distinct values)"


@dataclass
class Target:
    """What the network's outputs mean: ``labels`` (classification) or the ``mean`` and
    ``scale`` of a regression target (in its own units)."""

    name: str
    task: str
    labels: list[str] = field(default_factory=list)
    mean: float = 0.0
    scale: float = 1.0

    @classmethod
    def fit(
        cls, name: str, task: str, values: Values, where: Callable[[int], str], path: str
    ) -> Target:
        """Rows with a missing target must already be left out."""
        if task == "classification":
            labels = sorted(factorize(keys(values))[1], key=_order)
            if len(labels) < 2:
                raise ValueError(
                    f"{path}, column {short(name)}: only one class ({short(labels[0])}) in "
                    f"{len(values)} rows: classification needs at least two"
                )
            return cls(name, task, labels)
        y = _values(values, where)
        scale = float(y.std())
        return cls(name, task, mean=float(y.mean()), scale=scale if scale > 0 else 1.0)

    @classmethod
    def fit_encode(
        cls, name: str, task: str, values: Values, where: Callable[[int], str], path: str
    ) -> tuple[Target, Values]:
        """fit() and encode() in one pass over the cells (the classes are the distinct keys)."""
        if task != "classification":
            target = cls.fit(name, task, values, where, path)
            return target, target.encode(values, where)
        codes, distinct = factorize(keys(values))
        labels = sorted(distinct, key=_order)
        if len(labels) < 2:
            raise ValueError(
                f"{path}, column {short(name)}: only one class ({short(labels[0])}) in "
                f"{len(values)} rows: classification needs at least two"
            )
        rank = {label: k for k, label in enumerate(labels)}
        lookup = np.array([rank[d] for d in distinct], dtype=np.intp)
        return cls(name, task, labels), lookup[codes]

    @property
    def is_classifier(self) -> bool:
        return self.task == "classification"

    def encode(self, values: Values, where: Callable[[int], str]) -> Values:
        """Y for training and scoring: class indices (n,), or (Y − mean) / scale (n, 1)."""
        if not self.is_classifier:
            return ((_values(values, where) - self.mean) / self.scale).reshape(-1, 1)
        index = {label: k for k, label in enumerate(self.labels)}
        numeric = self.labels and all(_order(label)[0] == 0 for label in self.labels)
        inverse, distinct = factorize(keys(values))
        lookup = np.empty(len(distinct), dtype=np.intp)
        for d, v in enumerate(distinct):
            k = index.get(v)
            if k is None and numeric:  # "1.0" is the label "1"
                try:
                    k = index.get(key(float(v)))
                except ValueError:
                    pass
            if k is None:
                i = int(np.flatnonzero(inverse == d)[0])
                raise ValueError(
                    f"{where(i)}: label {short(v)} is not one the model knows "
                    f"({', '.join(self.labels)})"
                )
            lookup[d] = k
        return lookup[inverse]

    def decode(self, O: Array) -> Array:
        """Regression outputs in the target's units: O * scale + mean."""
        return O * self.scale + self.mean

    def to_json(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "task": self.task}
        if self.is_classifier:
            spec["labels"] = list(self.labels)
        else:
            spec["mean"], spec["scale"] = self.mean, self.scale
        return spec


def _values(values: Values, where: Callable[[int], str]) -> Array:
    """A regression target as float64; text or an infinite value is refused with its line."""
    try:
        y = values.astype(np.float64)
    except (TypeError, ValueError):
        y = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            try:
                y[i] = float(v)
            except (TypeError, ValueError):
                break
    bad = ~np.isfinite(y)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{where(i)}: {short(key(values[i]))} is not a finite number, but a regression "
            "target must be (use --task classification for labels)"
        )
    return y


def missing_target(values: Values) -> Values:
    """True where the target cell is missing."""
    if values.dtype.kind == "f":
        return is_missing(values)
    return np.asarray(keys(values) == MISSING_KEY, dtype=bool)
