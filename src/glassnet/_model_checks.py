"""Checks on a model file being loaded: each refusal is one clear line naming the file.

``saving.load`` reads a file through these checks before it builds anything: the safetensors
header (``_read_header``), the ``__metadata__`` entries (``_check_metadata``), the network
description (``_check_network``) and every tensor's name, dtype, shape, offsets and values
(``_check_tensors``). Anything unexpected raises :class:`ModelFileError` naming the file and
what is wrong. The format itself, and the checks on the caller's metadata that save runs
too (``_check_extras``), are in ``saving.py``.
"""

from __future__ import annotations

import itertools
import json
import math
import struct
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._typing import Array
from glassnet._version import __version__
from glassnet.activations import ACTIVATIONS, Activation
from glassnet.losses import LOSSES, REDUCTIONS

if TYPE_CHECKING:
    from glassnet.network import Network

FORMAT = "glassnet"
FORMAT_VERSION = 1
_DTYPES = {"float32": "F32", "float64": "F64"}  # numpy name -> safetensors name
_MAX_HEADER = 100_000_000  # the safetensors library's own limit on the JSON header


class ModelFileError(ValueError):
    """A file that is not a valid glassnet model: the message says which file and why."""

    # it is imported from (and documented in) glassnet.saving, so tracebacks name it there
    __module__ = "glassnet.saving"


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
    """The error to raise: ``"<file>: <what is wrong>"``."""
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
    """The ``network`` and ``extras`` entries, parsed, once format and version are checked."""
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
    """The JSON object in metadata entry ``key``; NaN and Infinity are refused."""

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    try:
        value = json.loads(text, parse_constant=no_constants) if isinstance(text, str) else None
    except ValueError as exc:
        raise _fail(where, f"its metadata entry {key!r} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _fail(where, f"its metadata entry {key!r} is missing or not a JSON object")
    return value


def _check_network(spec: dict[str, Any], where: str) -> dict[str, Any]:
    """The keyword arguments of ``Network(...)`` that the ``network`` entry describes, checked."""
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
    return {
        "sizes": sizes,
        "activation": [_activation(a, where) for a in acts],
        "output_activation": _activation(spec.get("output_activation"), where),
        "loss": loss,
        "reduction": reduction,
        "dtype": dtype,
        "dropout": dropout,
    }


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


def _check_tensors(
    net: Network, header: dict[str, Any], data: bytes, offset: int, where: str
) -> dict[str, Array]:
    """Each of ``net``'s W and B as read from the file, after checking name, dtype, shape, size."""
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
    for name in expected:
        if not np.isfinite(tensors[name]).all():
            raise _fail(where, f"tensor {name} contains NaN or inf values")
    return tensors


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
