"""``Model``: a network together with the preprocessing it was trained behind.

``gn.load(path)`` returns a Model for a file that stores preprocessing (a table-trained model,
or an older file with ``feature_scaling`` / ``target_scaling``), and a plain Network
otherwise. A Model takes raw tables: its ``predict`` / ``predict_proba`` match columns by name
(DataFrame, dict of columns) or take an array of raw values in the stored column order, and
give what ``glassnet predict`` gives. ``model.network`` is the Network itself (its
``predict`` refuses raw rows: it would skip the preprocessing).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from glassnet._typing import Array
from glassnet.network import Network
from glassnet.tables.transform import Preprocessing

BLOCK_ROWS = 16_384  # rows through the network at a time
PREPROCESSED = ("preprocessing", "feature_scaling", "target_scaling")  # keys a bare X skips


class Model:
    """Raw table → X = preprocessing.transform(table) → O = network.forward(X) → labels,
    probabilities, or values in the target's units.

    >>> import glassnet as gn
    >>> from glassnet.tables import Model, Preprocessing
    >>> from glassnet.tables.columns import Categorical, Numeric
    >>> from glassnet.tables.target import Target
    >>> pre = Preprocessing([Numeric("size", 10.0, 2.0, 10.0), Categorical("colour", ["red", "blue"])],
    ...                     Target("kind", "classification", ["a", "b"]))
    >>> model = Model(gn.Network([3, 4, 2], loss="cross_entropy", seed=0), pre)
    >>> model.transform({"colour": ["blue", "green"], "size": [12.0, None]}, notes=[]).tolist()
    [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    >>> model.predict_proba({"colour": ["red"], "size": [9.0]}).shape
    (1, 2)
    """

    def __init__(self, network: Network, preprocessing: Preprocessing) -> None:
        if preprocessing.n_inputs != network.sizes[0]:
            raise ValueError(
                f"the preprocessing gives {preprocessing.n_inputs} inputs but the network "
                f"takes {network.sizes[0]}"
            )
        self.network = network
        self.preprocessing = preprocessing

    @classmethod
    def of(cls, net: Network) -> Model:
        """The Model of any network: its stored preprocessing, or its inputs as given."""
        meta = net.metadata
        return cls(net, Preprocessing.from_metadata(meta, net.sizes[0], net.is_classifier))

    # ---- what users call --------------------------------------------------------------------

    def transform(self, data: Any, notes: list[str] | None = None) -> Array:
        """X (n, inputs) for the network from raw columns (see Preprocessing.transform)."""
        return self.preprocessing.transform(data, notes)

    def outputs(self, data: Any, notes: list[str] | None = None) -> Array:
        """Class probabilities (n, k) for a classifier; values (n, 1) in the target's units
        for a regressor."""
        return self.outputs_of(self.transform(data, notes))

    def outputs_of(self, X: Array) -> Array:
        """outputs() for rows already transformed (in blocks of rows: a big table never
        holds every layer's Z and A at once)."""
        blocks = []
        for start in range(0, max(len(X), 1), BLOCK_ROWS):
            O = self.network.forward(X[start : start + BLOCK_ROWS])
            if self.is_classifier:
                blocks.append(self.network.loss.probabilities(O))
            else:
                blocks.append(self.preprocessing.target.decode(O.astype(np.float64)))
        return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]

    def predict(self, data: Any, notes: list[str] | None = None) -> Array:
        """Labels (n,) for a classifier (argmax of the probabilities); values (n,) in the
        target's units for a regressor."""
        O = self.outputs(data, notes)
        if self.is_classifier:
            return np.asarray(self.labels, dtype=object)[np.argmax(O, axis=1)]
        return O[:, 0] if O.shape[1] == 1 else O

    def predict_proba(self, data: Any, notes: list[str] | None = None) -> Array:
        """Class probabilities (n, k), columns in the order of ``labels``."""
        if not self.is_classifier:
            raise ValueError("predict_proba: this model is a regressor; it has no probabilities")
        return self.outputs(data, notes)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the network and its preprocessing (in the metadata) to one model file."""
        return self.network.save(path)

    # ---- what it knows ----------------------------------------------------------------------

    @property
    def metadata(self) -> dict[str, Any]:
        return self.network.metadata

    @property
    def sizes(self) -> list[int]:
        """The network's layer sizes (its inputs are the encoded columns)."""
        return list(self.network.sizes)

    @property
    def is_classifier(self) -> bool:
        return self.network.is_classifier

    @property
    def labels(self) -> list[str]:
        """The class labels in output order (0..k−1 as text when the file stores none)."""
        labels = self.preprocessing.target.labels
        return labels or [
            str(k) for k in range(self.network.loss.n_classes(self.network.sizes[-1]))
        ]

    @property
    def columns(self) -> list[str]:
        """The raw columns the model reads, in order."""
        return self.preprocessing.names

    @property
    def target(self) -> str:
        return self.preprocessing.target.name

    def __repr__(self) -> str:
        kind = "classifier" if self.is_classifier else "regressor"
        return (
            f"Model({kind} of {self.target!r} from {len(self.columns)} columns, {self.network!r})"
        )


def load(path: str | os.PathLike[str]) -> Network | Model:
    """Read a model file: a :class:`Model` when it stores preprocessing, else the Network.

    Raises FileNotFoundError for a missing file and ModelFileError (a ValueError) for
    anything that is not a valid glassnet model.
    """
    from glassnet.saving import load as load_network

    net = load_network(path)
    if any(k in net.metadata for k in PREPROCESSED):
        return Model.of(net)
    return net
