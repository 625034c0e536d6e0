"""Writing model files: the architecture as JSON, the weights as tensors, atomically."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._version import __version__
from glassnet.activations import ACTIVATIONS, Activation
from glassnet.losses import LOSSES
from glassnet.saving._checks import FORMAT, FORMAT_VERSION
from glassnet.saving._extras import check_extras

if TYPE_CHECKING:
    from glassnet.network import Network


# ---- saving ---------------------------------------------------------------------------------


def save(
    net: Network, path: str | os.PathLike[str], metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write ``net`` (weights + architecture + ``metadata``) to ``path``, atomically.

    ``metadata`` defaults to ``net.metadata`` (empty for a new network; what was loaded for
    a loaded one). It must be a JSON object (finite numbers, strings, lists, objects); the
    keys listed in the module docstring are checked against the network. Returns the path.

    >>> import tempfile, pathlib, numpy as np, glassnet as gn
    >>> net = gn.Network([2, 3, 1], seed=0)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.safetensors"
    >>> _ = net.save(path)
    >>> again = gn.load(path)
    >>> bool(np.array_equal(again.P, net.P)), again.sizes
    (True, [2, 3, 1])
    """
    path = Path(path)
    extras = dict(getattr(net, "metadata", {}) if metadata is None else metadata)
    header = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "glassnet_version": __version__,
        "network": dumps(describe(net), "the network description"),
        "extras": dumps(extras, "metadata"),
    }
    check_extras(extras, net.sizes, net.loss.name, str(path))
    from safetensors.numpy import save as to_bytes

    tensors = {name: np.ascontiguousarray(M) for name, M in net.params()}
    for name, M in tensors.items():
        if not np.isfinite(M).all():
            raise ValueError(f"cannot save: {name} contains NaN or inf values")
    write_atomic(path, to_bytes(tensors, metadata=header))
    return path


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    Either the whole new file is in place, or (on any error) the old one is untouched and
    no temporary file is left behind.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give a file name inside it")
    folder = path.parent
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            # mode 0o666 less the umask: the permissions an ordinary new file would get
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 collisions of 32 random bits
        raise FileExistsError(f"could not create a temporary file in {folder}")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk where the system allows it (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def describe(net: Network) -> dict[str, Any]:
    """The architecture as plain JSON: everything but the numbers in W and B."""
    loss = net.loss
    if type(loss) is not LOSSES.get(loss.name):
        raise ValueError(
            f"cannot save a custom loss ({type(loss).__name__}): model files can only name "
            f"the built-in losses {', '.join(LOSSES)}"
        )
    return {
        "sizes": list(net.sizes),
        "activations": [_describe_activation(a) for a in net.activations],
        "output_activation": _describe_activation(net.output_activation),
        "loss": loss.name,
        "reduction": net.reduction,
        "dtype": net.dtype.name,
        "dropout": [float(layer.dropout) for layer in net.layers[:-1]],
    }


def _describe_activation(act: Activation) -> dict[str, Any]:
    if type(act) is not ACTIVATIONS.get(act.name):
        raise ValueError(
            f"cannot save a custom activation ({type(act).__name__}): model files can only "
            f"name the built-in activations {', '.join(ACTIVATIONS)}, so that loading never "
            "runs code from the file"
        )
    return {"name": act.name, **vars(act)}


def dumps(value: Any, what: str) -> str:
    try:
        return json.dumps(value, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"cannot save {what}: it must be JSON (strings, finite numbers, lists, objects with "
            f"string keys): {exc}"
        ) from None
