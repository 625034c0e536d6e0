"""The tensors of a safetensors file, checked against what the file must hold.

``check_tensors`` compares the header's entries (names, dtypes, shapes, data offsets) with the
expected tensors before anything is allocated: the expected bytes must tile the file's data
exactly, so no header can make a loader allocate more than the file itself holds.
``copy_tensors`` then copies the bytes straight from the file into the caller's arrays.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from glassnet import parameters
from glassnet._typing import Array
from glassnet.saving._checks import fail, show

# safetensors dtype name -> little-endian numpy dtype
DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
}
NUMPY_TO_SAFETENSORS = {"float32": "F32", "float64": "F64", "int64": "I64"}

Expected = Mapping[str, tuple[str, tuple[int, ...]]]  # name -> (safetensors dtype, shape)
Spans = dict[str, tuple[int, int]]  # name -> [start, stop) in the data after the header


def parameter_shapes(sizes: list[int], dtype: str) -> dict[str, tuple[str, tuple[int, ...]]]:
    """{"layer1.W": ("F32", (i, o)), "layer1.B": ("F32", (1, o)), ...} for these sizes."""
    kind = NUMPY_TO_SAFETENSORS[dtype]
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    for l, (w_shape, b_shape) in enumerate(parameters.layout(sizes), start=1):
        out[f"layer{l}.W"], out[f"layer{l}.B"] = (kind, w_shape), (kind, b_shape)
    return out


def nbytes(kind: str, shape: tuple[int, ...]) -> int:
    return DTYPES[kind].itemsize * math.prod(shape)


def check_tensors(header: dict[str, Any], body: int, expected: Expected, where: str) -> Spans:
    """Where each expected tensor lies in the ``body`` bytes after the header, once its name,
    dtype, shape and data offsets are checked, and the offsets tile the body exactly."""
    names = set(header)
    if names != set(expected):
        missing = sorted(set(expected) - names)
        extra = sorted(names - set(expected))
        raise fail(
            where,
            "its tensors do not match its architecture"
            + (f": missing {show(missing, quote=False)}" if missing else "")
            + (f"; unexpected {show(extra)}" if extra else ""),
        )
    need = sum(nbytes(kind, shape) for kind, shape in expected.values())
    if body < need and _span_end(header) == need:
        raise fail(
            where,
            f"the file is truncated: its tensors need {need} bytes of data but only {body} "
            "are there",
        )
    spans: Spans = {}
    for name, (kind, want) in expected.items():
        info = header[name]
        if not isinstance(info, dict):
            raise fail(where, f"tensor {name}: its header entry is not an object")
        shape, dtype, span = info.get("shape"), info.get("dtype"), info.get("data_offsets")
        if dtype != kind:
            raise fail(where, f"tensor {name} has dtype {show(dtype)} but the model is {kind}")
        if shape != list(want):
            raise fail(
                where,
                f"tensor {name} has shape {show(shape)} but the architecture needs {list(want)}",
            )
        ok = isinstance(span, list) and len(span) == 2 and all(type(s) is int for s in span)
        start, stop = (span[0], span[1]) if ok and span is not None else (-1, -1)
        if not 0 <= start <= stop <= body:
            raise fail(where, f"tensor {name}: its data offsets {show(span)} lie outside the file")
        if stop - start != nbytes(kind, want):
            raise fail(where, f"tensor {name}: {stop - start} bytes for shape {show(shape)}")
        spans[name] = (start, stop)
    ordered = sorted(spans.values())
    if (
        (ordered[0][0] if ordered else 0) != 0
        or (ordered[-1][1] if ordered else 0) != body
        or any(a[1] != b[0] for a, b in itertools.pairwise(ordered))
    ):
        raise fail(
            where, "the file is truncated or its tensors overlap (data offsets do not tile)"
        )
    return spans


def tensor(
    data: bytes, offset: int, span: tuple[int, int], kind: str, shape: tuple[int, ...]
) -> Array:
    """A read-only view of one checked tensor's bytes in the file (no copy)."""
    dtype = DTYPES[kind]
    start, stop = span
    count = (stop - start) // dtype.itemsize
    return np.frombuffer(data, dtype=dtype, count=count, offset=offset + start).reshape(shape)


def copy_tensors(
    targets: Iterable[tuple[str, Array]], data: bytes, offset: int, spans: Spans, where: str
) -> None:
    """M[...] = the file's tensor of that name, for each (name, M); refuses NaN or inf."""
    for name, M in targets:
        kind = NUMPY_TO_SAFETENSORS[M.dtype.name]
        values = tensor(data, offset, spans[name], kind, M.shape)
        if M.dtype.kind == "f" and not np.isfinite(values).all():
            raise fail(where, f"tensor {name} contains NaN or inf values")
        M[...] = values


def _span_end(header: dict[str, Any]) -> int:
    """Where the header's tensors say the data should end: the largest end offset."""
    ends = [
        v["data_offsets"][1]
        for v in header.values()
        if isinstance(v, dict)
        and isinstance(v.get("data_offsets"), list)
        and len(v["data_offsets"]) == 2
        and type(v["data_offsets"][1]) is int
    ]
    return max(ends, default=0)
