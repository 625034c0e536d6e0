"""Model files: safetensors tensors + JSON metadata; never pickle.

A model file is a safetensors file (an 8-byte little-endian header length, a JSON header,
then raw tensor bytes) holding one tensor per parameter under the names of
``net.params()`` -- ``"layer1.W"``, ``"layer1.B"``, ... -- and, in the header's
``__metadata__`` (string -> string), these entries:

- ``format``: ``"glassnet"``; ``format_version``: ``"1"``; ``glassnet_version``;
- ``network``: JSON ``{"sizes", "activations", "output_activation", "loss", "reduction",
  "dtype", "dropout"}``, activations as ``{"name": ..., **parameters}``;
- ``extras``: JSON of the caller's metadata (``net.metadata``): any JSON object; these keys,
  when present, are checked: ``feature_names`` (one string per input), ``feature_scaling``
  (``{"mean": [...], "scale": [...]}``, the inputs are ``(X - mean) / scale``),
  ``target_scaling`` (regression: ``{"mean": [...], "scale": [...]}``, the outputs are
  ``O * scale + mean``), ``class_labels`` (one per output; two for a single sigmoid
  output), ``task`` (``"classification"`` or ``"regression"``), ``target`` (a column
  name), ``training`` (an object: a training summary) and ``preprocessing`` (a table-trained
  model's column encodings, checked by ``glassnet.tables.check_preprocessing``).

Loading reads nothing but numbers and JSON, and checks every part before building the
network; anything unexpected raises :class:`ModelFileError` with one line saying what is wrong.
Saving is atomic: the file is written under a temporary name in the same folder, flushed to
disk, then renamed over the target, so a failed or interrupted save leaves any previous file
byte-for-byte as it was.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._model_checks import FORMAT as FORMAT  # noqa: PLC0414
from glassnet._model_checks import FORMAT_VERSION as FORMAT_VERSION  # noqa: PLC0414
from glassnet._model_checks import ModelFileError as ModelFileError  # noqa: PLC0414
from glassnet._model_checks import (
    _check_metadata,
    _check_network,
    _check_tensors,
    _fail,
    _read_header,
    _show,
)
from glassnet._version import __version__
from glassnet.activations import ACTIVATIONS, Activation
from glassnet.losses import LOSSES

if TYPE_CHECKING:
    from glassnet.network import Network

TASKS = ("classification", "regression")


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
        "network": _dumps(_describe(net), "the network description"),
        "extras": _dumps(extras, "metadata"),
    }
    _check_extras(extras, net.sizes, net.loss.name, str(path))
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


def _describe(net: Network) -> dict[str, Any]:
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


def _dumps(value: Any, what: str) -> str:
    try:
        return json.dumps(value, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"cannot save {what}: it must be JSON (strings, finite numbers, lists, objects with "
            f"string keys): {exc}"
        ) from None


# ---- loading --------------------------------------------------------------------------------


def load(path: str | os.PathLike[str]) -> Network:
    """Read a model file written by :func:`save`; returns the Network.

    The returned network has a ``metadata`` dict (the ``extras`` that were saved: feature
    names, scaling, class labels, ...). Raises FileNotFoundError for a missing file and
    :class:`ModelFileError` (a ValueError) for anything that is not a valid glassnet model.
    """
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file")
    data = path.read_bytes()
    header, offset = _read_header(data, str(path))
    meta = header.pop("__metadata__", None)
    where = str(path)
    spec, extras = _check_metadata(meta, where)
    return _build(spec, extras, header, data, offset, where)


def _build(
    spec: dict[str, Any],
    extras: dict[str, Any],
    header: dict[str, Any],
    data: bytes,
    offset: int,
    where: str,
) -> Network:
    """The network the file describes, with its W and B copied in from the checked tensors."""
    from glassnet.network import Network

    arguments = _check_network(spec, where)
    net = Network(**arguments)
    _check_extras(extras, arguments["sizes"], arguments["loss"], where, loading=True)
    tensors = _check_tensors(net, header, data, offset, where)
    for name, M in net.params():
        M[...] = tensors[name]
    net.metadata = extras
    return net


# ---- the caller's metadata, checked on save and on load -------------------------------------


def _check_extras(
    extras: Mapping[str, Any], sizes: list[int], loss: str, where: str, loading: bool = False
) -> None:
    """Check the known metadata keys against the network: lengths, types, finite numbers."""

    def bad(what: str) -> ValueError:
        return (
            _fail(where, f"its metadata {what}")
            if loading
            else ValueError(f"cannot save {where}: metadata {what}")
        )

    n_in, n_out = sizes[0], sizes[-1]
    names = extras.get("feature_names")
    if names is not None and (
        not isinstance(names, list)
        or len(names) != n_in
        or not all(isinstance(s, str) for s in names)
        or len(set(names)) != len(names)
    ):
        raise bad(f"'feature_names' must list {n_in} distinct strings (one per input)")
    for key, n in (("feature_scaling", n_in), ("target_scaling", n_out)):
        scaling = extras.get(key)
        if scaling is None:
            continue
        ok = isinstance(scaling, Mapping) and set(scaling) == {"mean", "scale"}
        for part in ("mean", "scale") if ok else ():
            v = scaling[part]
            ok = ok and isinstance(v, list) and len(v) == n
            ok = ok and all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)
        if ok and any(x <= 0 for x in scaling["scale"]):
            ok = False
        if not ok:
            raise bad(
                f"{key!r} must be {{'mean': [...], 'scale': [...]}} with {n} finite "
                "numbers each and positive scales"
            )
    labels = extras.get("class_labels")
    n_labels = LOSSES[loss]().n_classes(n_out)
    if labels is not None and (
        not isinstance(labels, list)
        or len(labels) != n_labels
        or not all(isinstance(x, (str, int, float, bool)) for x in labels)
        or len(set(map(repr, labels))) != len(labels)
    ):
        raise bad(f"'class_labels' must list {n_labels} distinct labels (one per class)")
    task = extras.get("task")
    if task is not None and task not in TASKS:
        raise bad(f"'task' must be one of {', '.join(TASKS)}, not {_show(task)}")
    classifier = LOSSES[loss].classification
    if task is not None and (task == "classification") != classifier:
        raise bad(f"says task {task!r} but the loss is {loss}")
    if classifier and extras.get("target_scaling") is not None:
        raise bad(f"has 'target_scaling' but the loss {loss} is a classifier's")
    for key in ("training",):
        if key in extras and not isinstance(extras[key], Mapping):
            raise bad(f"{key!r} must be a JSON object")
    if "preprocessing" in extras:  # a table-trained model's preprocessing (glassnet.tables)
        from glassnet.tables.transform import check_preprocessing

        try:
            check_preprocessing(
                extras["preprocessing"], n_in, n_out, n_labels if classifier else None
            )
        except ValueError as exc:
            raise bad(str(exc)) from None
