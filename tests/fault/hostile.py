"""Helpers of the hostile-file tests: a file's header and body apart and together, JSON
mutations, and ``survives``: load a file, allowing only a valid load or the documented
one-line ModelFileError, within bounded CPU time and memory."""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import glassnet as gn
from glassnet.saving import ModelFileError
from glassnet.training import read_checkpoint

EXAMPLES = 500  # per test: five tests, 2,500 files (and 300 resumed checkpoints)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same files on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
MEMORY_FACTOR, MEMORY_CONSTANT = 8, 2_000_000  # allowed peak: 8 × file size + 2 MB
SECONDS = 2.0  # a load that takes more CPU time than this counts as a hang


def split(raw: bytes) -> tuple[dict[str, Any], bytes]:
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


def pack(header: Any, body: bytes, length: int | None = None) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length % 2**64) + text + body


def _load_model(path: Path) -> None:
    gn.load(path)


def _load_checkpoint(path: Path) -> None:
    read_checkpoint(path)


LOADERS: dict[str, Callable[[Path], None]] = {"model": _load_model, "checkpoint": _load_checkpoint}


def survives(kind: str, data: bytes, path: Path) -> None:
    """Load ``data`` as a ``kind`` file: a valid load or a one-line ModelFileError only."""
    path.write_bytes(data)
    tracemalloc.start()
    start = time.process_time()  # CPU time: a machine busy with other work does not count
    try:
        LOADERS[kind](path)
    except ModelFileError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message, message
        assert len(message) < 400 + len(str(path)), message
    finally:
        seconds = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seconds < SECONDS, f"{seconds:.1f} s to load {len(data)} bytes"
    assert peak < MEMORY_FACTOR * len(data) + MEMORY_CONSTANT, f"{peak} bytes for {len(data)}"


# Any JSON value, with the hostile ones: huge and negative integers, floats, long strings,
# nesting (JSON text can also hold what json.dumps never writes: see the crafted tests).
def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, -1, 2**31, 2**63, 10**400, 100_000])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    _containers,
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (as a key path), the value itself first."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    value = json.loads(json.dumps(value))
    target = value
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = new
    return value


def _expanded(header: dict[str, Any]) -> dict[str, Any]:
    """The header with its metadata's JSON strings parsed, so that mutations reach inside."""
    out = json.loads(json.dumps(header))
    for key, text in out.get("__metadata__", {}).items():
        if key in ("network", "extras", "state"):
            out["__metadata__"][key] = json.loads(text)
    return out


def _packed(expanded: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(expanded))
    meta = out.get("__metadata__")
    if isinstance(meta, dict):
        for key in ("network", "extras", "state"):
            if key in meta and not isinstance(meta[key], str):
                meta[key] = json.dumps(meta[key])
    return out


def _network(header: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    header = json.loads(json.dumps(header))
    spec = json.loads(header["__metadata__"]["network"])
    spec[key] = value
    header["__metadata__"]["network"] = json.dumps(spec)
    return header


def _meta(header: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    header = json.loads(json.dumps(header))
    header["__metadata__"][key] = value
    return header
