"""Reading model files: every part checked against the file before anything is built."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.saving._checks import (
    ModelFileError,
    check_metadata,
    check_network,
    read_header,
)
from glassnet.saving._extras import check_extras
from glassnet.saving._tensors import check_tensors, copy_tensors, parameter_shapes

if TYPE_CHECKING:
    from glassnet.network import Network


def load(path: str | os.PathLike[str]) -> Network:
    """Read a model file written by :func:`save`; returns the Network.

    The returned network has a ``metadata`` dict (the ``extras`` that were saved: feature
    names, scaling, class labels, ...). Raises FileNotFoundError for a missing file and
    :class:`ModelFileError` (a ValueError) for anything that is not a valid glassnet model.
    Every part is checked against the file before anything is allocated: the architecture
    must account for exactly the tensor bytes the file holds.
    """
    path = Path(path)
    where = str(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file")
    data = path.read_bytes()
    header, offset = read_header(data, where)
    meta = header.pop("__metadata__", None)
    spec, extras = check_metadata(meta, where)
    return _build(spec, extras, header, data, offset, where)


def _build(
    spec: dict[str, Any],
    extras: dict[str, Any],
    header: dict[str, Any],
    data: bytes,
    offset: int,
    where: str,
) -> Network:
    """The network the file describes, its W and B copied in from the checked tensors."""
    from glassnet.network import Network

    arguments = check_network(spec, where)
    check_extras(extras, arguments["sizes"], arguments["loss"], where, loading=True)
    expected = parameter_shapes(arguments["sizes"], arguments["dtype"])
    spans = check_tensors(header, len(data) - offset, expected, where)  # before allocating
    net = Network(**arguments)
    copy_tensors(net.params(), data, offset, spans, where)
    net.metadata = extras
    return net
