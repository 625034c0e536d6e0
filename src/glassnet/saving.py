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
  name) and ``training`` (an object: a training summary).

Loading reads nothing but numbers and JSON, and checks every part before building the
network; anything unexpected raises :class:`ModelFileError` with one line saying what is wrong.
Saving is atomic: the file is written under a temporary name in the same folder, flushed to
disk, then renamed over the target, so a failed or interrupted save leaves any previous file
byte-for-byte as it was.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import secrets
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._version import __version__
from glassnet.activations import ACTIVATIONS, Activation
from glassnet.losses import LOSSES, REDUCTIONS

if TYPE_CHECKING:
    from glassnet.network import Network

FORMAT = "glassnet"
FORMAT_VERSION = 1
TASKS = ("classification", "regression")
_DTYPES = {"float32": "F32", "float64": "F64"}  # numpy name -> safetensors name
_MAX_HEADER = 100_000_000  # the safetensors library's own limit on the JSON header


class ModelFileError(ValueError):
    """A file that is not a valid glassnet model: the message says which file and why."""


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


def _show(value: Any, quote: bool = True, most: int = 60) -> str:
    """A value read from a file, for a message: on one line, at most ``most`` characters."""
    text = (
        repr(value)
        if quote or not isinstance(value, str)
        else value.encode("unicode_escape").decode("ascii")
    )
    if isinstance(value, list) and not quote:
        text = ", ".join(str(v) for v in value).encode("unicode_escape").decode("ascii")
    return text if len(text) <= most else text[: most - 3] + "..."


def _fail(where: str, what: str) -> ModelFileError:
    return ModelFileError(f"{where}: {what}")


def _read_header(data: bytes, where: str) -> tuple[dict[str, Any], int]:
    """The safetensors JSON header and where the tensor bytes start, or a clear refusal."""
    if not data:
        raise _fail(where, "the file is empty, not a glassnet model")
    hint = _guess_kind(data)
    if len(data) < 8:
        raise _fail(where, f"only {len(data)} bytes: not a glassnet model file{hint}")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or (n > len(data) - 8 and not data[8:9] == b"{"):
        raise _fail(where, f"not a glassnet model file (not in safetensors format){hint}")
    if n > len(data) - 8:
        raise _fail(
            where,
            f"the file is truncated: its header says {n} bytes but only {len(data) - 8} follow",
        )
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _fail(
            where, f"not a glassnet model file (its safetensors header is not JSON){hint}"
        ) from None
    if not isinstance(header, dict):
        raise _fail(where, "not a glassnet model file (its header is not a JSON object)")
    return header, 8 + n


def _guess_kind(data: bytes) -> str:
    """A hint for the message, from the first bytes: a pickle, text/CSV, a zip ..."""
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "; it looks like a Python pickle, which glassnet never loads (it can run code)"
    if data[:2] == b"PK":
        return "; it looks like a zip archive (a PyTorch .pt file?)"
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        return "; it looks like an HDF5 file (a Keras .h5 model?)"
    head = data[:256]
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "; it looks like a text file (a CSV?)"
    return ""


def _check_metadata(meta: Any, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _fail(
            where,
            "a safetensors file but not a glassnet model (no glassnet format in its metadata)",
        )
    version = meta.get("format_version")
    if not isinstance(version, str) or not (version.isascii() and version.isdigit()):
        raise _fail(where, f"unreadable format_version {_show(version)} in its metadata")
    if int(version) > FORMAT_VERSION:
        raise _fail(
            where,
            f"written by a newer glassnet (format version {version}, "
            f"glassnet {_show(meta.get('glassnet_version', '?'), quote=False)}); this glassnet {__version__} reads "
            f"format version {FORMAT_VERSION}: upgrade glassnet to load it",
        )
    if int(version) < 1:
        raise _fail(where, f"unknown format version {version}")
    spec = _loads(meta.get("network"), "network", where)
    extras = _loads(meta.get("extras", "{}"), "extras", where)
    return spec, extras


def _loads(text: Any, key: str, where: str) -> dict[str, Any]:
    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    try:
        value = json.loads(text, parse_constant=no_constants) if isinstance(text, str) else None
    except ValueError as exc:
        raise _fail(where, f"its metadata entry {key!r} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _fail(where, f"its metadata entry {key!r} is missing or not a JSON object")
    return value


def _build(
    spec: dict[str, Any],
    extras: dict[str, Any],
    header: dict[str, Any],
    data: bytes,
    offset: int,
    where: str,
) -> Network:
    from glassnet.network import Network

    sizes = spec.get("sizes")
    if not (
        isinstance(sizes, list)
        and len(sizes) >= 2
        and all(type(s) is int and s >= 1 for s in sizes)
    ):
        raise _fail(where, f"its metadata gives invalid layer sizes {_show(sizes)}")
    n_hidden = len(sizes) - 2
    acts = spec.get("activations")
    if not isinstance(acts, list) or len(acts) != n_hidden:
        raise _fail(
            where, f"its metadata lists activations {_show(acts)} for {n_hidden} hidden layers"
        )
    dropout = spec.get("dropout", [0.0] * n_hidden)
    if not (
        isinstance(dropout, list)
        and len(dropout) == n_hidden
        and all(isinstance(r, (int, float)) and 0 <= r < 1 for r in dropout)
    ):
        raise _fail(where, f"its metadata gives invalid dropout rates {_show(dropout)}")
    loss, reduction, dtype = spec.get("loss"), spec.get("reduction"), spec.get("dtype")
    if loss not in LOSSES:
        raise _fail(where, f"its metadata names an unknown loss {_show(loss)}")
    if reduction not in REDUCTIONS:
        raise _fail(where, f"its metadata names an unknown reduction {_show(reduction)}")
    if dtype not in _DTYPES:
        raise _fail(where, f"its metadata names an unsupported dtype {_show(dtype)}")
    net = Network(
        sizes,
        activation=[_activation(a, where) for a in acts],
        output_activation=_activation(spec.get("output_activation"), where),
        loss=loss,
        reduction=reduction,
        dtype=dtype,
        dropout=dropout,
    )
    _check_extras(extras, sizes, loss, where, loading=True)
    _fill(net, header, data, offset, where)
    net.metadata = extras
    return net


def _activation(spec: Any, where: str) -> Activation:
    """An activation from its JSON description; only built-in classes, numeric parameters."""
    name = spec.get("name") if isinstance(spec, dict) else None
    if name not in ACTIVATIONS:
        raise _fail(where, f"its metadata names an unknown activation {_show(spec)}")
    params = {k: v for k, v in spec.items() if k != "name"}
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in params.values()):
        raise _fail(where, f"its metadata gives invalid parameters for {name}: {_show(params)}")
    try:
        return ACTIVATIONS[name](**params)
    except TypeError:
        raise _fail(
            where, f"its metadata gives unknown parameters for {name}: {_show(params)}"
        ) from None


def _fill(net: Network, header: dict[str, Any], data: bytes, offset: int, where: str) -> None:
    """Copy each tensor into the network's W and B after checking name, dtype, shape, size."""
    expected = dict(net.params())
    names = set(header)
    if names != set(expected):
        missing = sorted(set(expected) - names)
        extra = sorted(names - set(expected))
        raise _fail(
            where,
            "its tensors do not match its architecture"
            + (f": missing {_show(missing, quote=False)}" if missing else "")
            + (f"; unexpected {_show(extra)}" if extra else ""),
        )
    body = len(data) - offset
    need = sum(M.nbytes for M in expected.values())
    if body < need and _span_end(header) == need:
        raise _fail(
            where,
            f"the file is truncated: its tensors need {need} bytes of data but only {body} "
            "are there",
        )
    want_dtype = _DTYPES[net.dtype.name]
    spans = []
    for name, M in expected.items():
        info = header[name]
        if not isinstance(info, dict):
            raise _fail(where, f"tensor {name}: its header entry is not an object")
        shape, dtype, span = info.get("shape"), info.get("dtype"), info.get("data_offsets")
        if dtype != want_dtype:
            raise _fail(
                where, f"tensor {name} has dtype {_show(dtype)} but the model is {want_dtype}"
            )
        if shape != list(M.shape):
            raise _fail(
                where,
                f"tensor {name} has shape {_show(shape)} but the architecture needs {list(M.shape)}",
            )
        ok = isinstance(span, list) and len(span) == 2 and all(type(s) is int for s in span)
        start, stop = (span[0], span[1]) if ok and span is not None else (-1, -1)
        if not 0 <= start <= stop <= body:
            raise _fail(
                where, f"tensor {name}: its data offsets {_show(span)} lie outside the file"
            )
        if stop - start != M.nbytes:
            raise _fail(where, f"tensor {name}: {stop - start} bytes for shape {_show(shape)}")
        spans.append((start, stop, name))
    spans.sort()
    if (
        spans[0][0] != 0
        or spans[-1][1] != body
        or any(a[1] != b[0] for a, b in itertools.pairwise(spans))
    ):
        raise _fail(
            where, "the file is truncated or its tensors overlap (data offsets do not tile)"
        )
    from safetensors import SafetensorError
    from safetensors.numpy import load as from_bytes

    try:
        tensors = from_bytes(data)
    except (SafetensorError, ValueError) as exc:  # the library's own checks, beyond ours
        raise _fail(where, f"not a valid safetensors file: {exc}") from None
    for name, M in expected.items():
        if not np.isfinite(tensors[name]).all():
            raise _fail(where, f"tensor {name} contains NaN or inf values")
        M[...] = tensors[name]


def _span_end(header: dict[str, Any]) -> int:
    """Where the header's tensors say the file should end: the largest end offset (+ header)."""
    ends = [
        v["data_offsets"][1]
        for k, v in header.items()
        if isinstance(v, dict)
        and isinstance(v.get("data_offsets"), list)
        and len(v["data_offsets"]) == 2
        and type(v["data_offsets"][1]) is int
    ]
    return max(ends, default=0)


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
    if labels is not None:
        n_labels = 2 if n_out == 1 and loss == "binary_cross_entropy" else n_out
        if (
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
