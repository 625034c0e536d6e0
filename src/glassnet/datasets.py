"""Data: the seed's own example, scikit-learn's bundled sets (nothing is downloaded), and
tables from CSV or Parquet files (``read_table``, ``read_csv``: see :mod:`glassnet.tables`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array
from glassnet.network import Network

if TYPE_CHECKING:
    from glassnet.tables.reading import Table

# The seed's three samples: one input each, two targets (y1 = 2x, y2 = x/2 + 1/2).
SEED_X = np.array([[1.0], [2.0], [3.0]])
SEED_Y = np.array([[2.0, 1.0], [4.0, 1.5], [6.0, 2.0]])
SEED_INIT = 57  # a seed whose He draw leaves no ReLU dead on these samples


def read_table(path: str | os.PathLike[str]) -> Table:
    """A CSV or Parquet file as a Table: each column a 1-D array, by name (see
    :func:`glassnet.tables.read_table`)."""
    from glassnet.tables.reading import read_table as read

    return read(path)


read_csv = read_table  # the name of earlier versions


def seed_example(dtype: str = "float64") -> tuple[Network, Array, Array]:
    """The tutorial's network and data: 1 → 2 → 2, ReLU on both layers, biases 0.1.

    Weights are He-initialised (the seed's ``randn(i, o) * sqrt(2 / i)``), the cost is
    ``C = ½ Σ (ŷ − y)²`` (reduction "sum"), so that ``Eo = (O − Y) * R'(Zo)`` exactly as the
    tutorial prints it. Returns ``(net, X, Y)`` with X (3, 1) and Y (3, 2).

    >>> net, X, Y = seed_example()
    >>> net.sizes, X.shape, Y.shape
    ([1, 2, 2], (3, 1), (3, 2))
    """
    net = Network(
        [1, 2, 2],
        activation="relu",
        output_activation="relu",
        loss="mse",
        reduction="sum",
        dtype=dtype,
        seed=SEED_INIT,
        bias_init=0.1,
    )
    return net, SEED_X.astype(dtype), SEED_Y.astype(dtype)


def load_digits(test_size: float = 0.2, seed: int = 0) -> tuple[Array, Array, Array, Array]:
    """scikit-learn's bundled 8×8 digits (1,797 × 64), scaled to [0, 1], split 80/20
    stratified: returns ``X_train, X_test, y_train, y_test``. Needs scikit-learn.
    """
    sk = _sklearn()
    data = sk.datasets.load_digits()
    X = data.data / 16.0
    return tuple(
        sk.model_selection.train_test_split(
            X, data.target, test_size=test_size, stratify=data.target, random_state=seed
        )
    )


def _sklearn() -> Any:
    try:
        import sklearn.datasets
        import sklearn.model_selection
    except ImportError:  # pragma: no cover - the message is the point
        raise ImportError(
            "this data set ships with scikit-learn: pip install -e '.[sklearn]' in a glassnet clone"
        ) from None
    return sklearn
