"""Checks on a file being loaded: each refusal is one clear line naming the file.

``glassnet.saving.load`` (and the checkpoint loader) read a file through these checks before
they build anything: the safetensors header (``read_header``), the ``__metadata__`` entries
(``check_metadata``, ``loads``: JSON bounded in size and depth) and the network description
(``check_network``: a bounded number of layers). The tensors are checked against the file in
``_tensors.py``, the caller's metadata in ``_extras.py``. Anything unexpected raises
:class:`ModelFileError` naming the file and what is wrong: a file is treated as hostile.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

from glassnet._version import __version__
from glassnet.activations import ACTIVATIONS, Activation
from glassnet.losses import LOSSES, REDUCTIONS

FORMAT = "glassnet"
FORMAT_VERSION = 1
_DTYPES = {"float32": "F32", "float64": "F64"}  # numpy name -> safetensors name
_MAX_HEADER = 100_000_000  # the safetensors library's own limit on the JSON header
MAX_JSON = 16_000_000  # characters in one metadata entry (network, extras, a checkpoint's state)
MAX_DEPTH = 32  # nesting of lists and objects in any JSON read from a file
MAX_LAYERS = 1_000  # entries of "sizes"
MAX_UNITS = 1 << 31  # units in one layer


class ModelFileError(ValueError):
    """A file that is not a valid glassnet model: the message says which file and why."""

    # it is imported from (and documented in) glassnet.saving, so tracebacks name it there
    __module__ = "glassnet.saving"


def show(value: Any, quote: bool = True, most: int = 60) -> str:
    """A value read from a file, for a message: on one line, at most ``most`` characters."""
    text = (
        repr(value)
        if quote or not isinstance(value, str)
        else value.encode("unicode_escape").decode("ascii")
    )
    if isinstance(value, list) and not quote:
        text = ", ".join(str(v) for v in value).encode("unicode_escape").decode("ascii")
    return text if len(text) <= most else text[: most - 3] + "..."


def fail(where: str, what: str) -> ModelFileError:
    """The error to raise: ``"<file>: <what is wrong>"``."""
    return ModelFileError(f"{where}: {what}")


def read_header(data: bytes, where: str) -> tuple[dict[str, Any], int]:
    """The safetensors JSON header and where the tensor bytes start, or a clear refusal."""
    if not data:
        raise fail(where, "the file is empty, not a glassnet model")
    hint = _guess_kind(data)
    if len(data) < 8:
        raise fail(where, f"only {len(data)} bytes: not a glassnet model file{hint}")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or (n > len(data) - 8 and not data[8:9] == b"{"):
        raise fail(where, f"not a glassnet model file (not in safetensors format){hint}")
    if n > len(data) - 8:
        raise fail(
            where,
            f"the file is truncated: its header says {n} bytes but only {len(data) - 8} follow",
        )
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise fail(
            where, f"not a glassnet model file (its safetensors header is not JSON){hint}"
        ) from None
    if not isinstance(header, dict):
        raise fail(where, "not a glassnet model file (its header is not a JSON object)")
    if depth(header) > 3:  # {name: {"shape": [...], ...}} and {"__metadata__": {str: str}}
        raise fail(where, "not a glassnet model file (its safetensors header nests too deeply)")
    return header, 8 + n


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (0 for a number or string), without
    recursion, stopping early past MAX_DEPTH."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, dict | list):
            d += 1
            deepest = max(deepest, d)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((v, d) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


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


def check_metadata(meta: Any, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``network`` and ``extras`` entries, parsed, once format and version are checked."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise fail(
            where,
            "a safetensors file but not a glassnet model (no glassnet format in its metadata)",
        )
    version = meta.get("format_version")
    if not isinstance(version, str) or not (
        version.isascii() and version.isdigit() and len(version) <= 9
    ):
        raise fail(where, f"unreadable format_version {show(version)} in its metadata")
    if int(version) > FORMAT_VERSION:
        raise fail(
            where,
            f"written by a newer glassnet (format version {version}, "
            f"glassnet {show(meta.get('glassnet_version', '?'), quote=False)}); this glassnet {__version__} reads "
            f"format version {FORMAT_VERSION}: upgrade glassnet to load it",
        )
    if int(version) < 1:
        raise fail(where, f"unknown format version {version}")
    spec = loads(meta.get("network"), "network", where)
    extras = loads(meta.get("extras", "{}"), "extras", where)
    return spec, extras


def loads(text: Any, key: str, where: str) -> dict[str, Any]:
    """The JSON object in metadata entry ``key``; NaN and Infinity are refused."""

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    if isinstance(text, str) and len(text) > MAX_JSON:
        raise fail(where, f"its metadata entry {key!r} is longer than {MAX_JSON} characters")
    try:
        value = json.loads(text, parse_constant=no_constants) if isinstance(text, str) else None
    except RecursionError:
        raise fail(
            where, f"its metadata entry {key!r} nests deeper than {MAX_DEPTH} levels"
        ) from None
    except ValueError as exc:
        raise fail(
            where, f"its metadata entry {key!r} is not valid JSON: {show(str(exc))}"
        ) from None
    if not isinstance(value, dict):
        raise fail(where, f"its metadata entry {key!r} is missing or not a JSON object")
    if depth(value) > MAX_DEPTH:
        raise fail(where, f"its metadata entry {key!r} nests deeper than {MAX_DEPTH} levels")
    return value


def check_network(spec: dict[str, Any], where: str) -> dict[str, Any]:
    """The keyword arguments of ``Network(...)`` that the ``network`` entry describes, checked."""
    sizes = spec.get("sizes")
    if not (
        isinstance(sizes, list)
        and 2 <= len(sizes) <= MAX_LAYERS + 1
        and all(type(s) is int and 1 <= s <= MAX_UNITS for s in sizes)
    ):
        raise fail(
            where,
            f"its metadata gives invalid layer sizes {show(sizes)} (2 to {MAX_LAYERS + 1} "
            f"integers from 1 to {MAX_UNITS})",
        )
    n_hidden = len(sizes) - 2
    acts = spec.get("activations")
    if not isinstance(acts, list) or len(acts) != n_hidden:
        raise fail(
            where, f"its metadata lists activations {show(acts)} for {n_hidden} hidden layers"
        )
    dropout = spec.get("dropout", [0.0] * n_hidden)
    if not (
        isinstance(dropout, list)
        and len(dropout) == n_hidden
        and all(type(r) in (int, float) and 0 <= r < 1 for r in dropout)
    ):
        raise fail(where, f"its metadata gives invalid dropout rates {show(dropout)}")
    loss, reduction, dtype = (_name(spec.get(k)) for k in ("loss", "reduction", "dtype"))
    if loss not in LOSSES:
        raise fail(where, f"its metadata names an unknown loss {show(spec.get('loss'))}")
    if reduction not in REDUCTIONS:
        raise fail(where, f"its metadata names an unknown reduction {show(spec.get('reduction'))}")
    if dtype not in _DTYPES:
        raise fail(where, f"its metadata names an unsupported dtype {show(spec.get('dtype'))}")
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
    name = _name(spec.get("name")) if isinstance(spec, dict) else None
    if name not in ACTIVATIONS:
        raise fail(where, f"its metadata names an unknown activation {show(spec)}")
    params = {k: v for k, v in spec.items() if k != "name"}
    if not all(_finite(v) for v in params.values()):
        raise fail(where, f"its metadata gives invalid parameters for {name}: {show(params)}")
    try:
        return ACTIVATIONS[name](**params)
    except (TypeError, ValueError):
        raise fail(
            where, f"its metadata gives unknown parameters for {name}: {show(params)}"
        ) from None


def _finite(v: Any) -> bool:
    """A finite int or float that fits a float (bools and 10**400 are not)."""
    if type(v) is int:
        return abs(v) < 2**1023
    return type(v) is float and math.isfinite(v)


def _name(value: Any) -> Any:
    """A name read from a file: strings pass, anything else (a list cannot even be looked up
    in a dict) becomes None, which no registry holds."""
    return value if isinstance(value, str) else None
