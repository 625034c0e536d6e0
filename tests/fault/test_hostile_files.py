"""Files from strangers (issue 13, point 8): thousands of mutated and crafted model files
and checkpoints. Loading one may only succeed or raise the documented one-line
ModelFileError: never another exception, a hang, or memory beyond a small multiple of the
file's size (plus a constant), measured with tracemalloc, which sees numpy's allocations.
"""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassnet as gn
from glassnet.saving import ModelFileError
from glassnet.training import read_checkpoint

EXAMPLES = 700  # per test; five tests: 3,500 files
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


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("hostile")
    net = gn.Network([3, 4, 2], loss="cross_entropy", dtype="float64", seed=0)
    net.metadata = {"feature_names": ["a", "b", "c"], "class_labels": ["x", "y"]}
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = (X[:, 0] > 0).astype(int)
    net.fit(
        X, y, epochs=2, batch_size=8, checkpoint=folder / "run.ckpt", checkpoint_every="3 steps"
    )
    net.save(folder / "m.safetensors")
    return {
        "model": (folder / "m.safetensors").read_bytes(),
        "checkpoint": (folder / "run.ckpt").read_bytes(),
    }


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
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, 1, -1, 2**31, 2**63, 10**400, 100_000])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
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


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
@SETTINGS
@given(data=st.data())
def test_mutated_headers_and_metadata(
    files: dict[str, bytes], tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    """One to three values anywhere in the header or inside its metadata's JSON replaced."""
    header, body = split(files[kind])
    tree = _expanded(header)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(tree)[1:]))
        tree = _replace(tree, path, data.draw(JSON))
    survives(kind, pack(_packed(tree) if isinstance(tree, dict) else tree, body), tmp_path / "f")


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
@SETTINGS
@given(data=st.data())
def test_mutated_bytes(
    files: dict[str, bytes], tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    """Bytes flipped, cut out, inserted or the file truncated, anywhere (header length too)."""
    raw = bytearray(files[kind])
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "truncate", "length"]))
        at = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[at] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "cut":
            del raw[at : at + data.draw(st.integers(1, 64))]
        elif op == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        elif op == "truncate":
            del raw[at:]
        else:
            raw[:8] = struct.pack("<Q", data.draw(st.integers(0, 2**64 - 1)))
    survives(kind, bytes(raw), tmp_path / "f")


@SETTINGS
@given(
    sizes=st.lists(st.integers(1, 2**40), min_size=0, max_size=6),
    shape=st.lists(st.integers(0, 2**40), max_size=3),
    offsets=st.lists(st.integers(-(2**63), 2**64), min_size=2, max_size=2),
    depth=st.integers(0, 5000),
    which=st.sampled_from(["extras", "network", "state-like"]),
)
def test_crafted_architectures_shapes_offsets_and_nesting(
    files: dict[str, bytes],
    tmp_path: Path,
    sizes: list[int],
    shape: list[int],
    offsets: list[int],
    depth: int,
    which: str,
) -> None:
    """Architectures far bigger than the tensors, shapes and offsets far outside the file,
    JSON nested thousands deep (valid and unterminated)."""
    header, body = split(files["model"])
    meta = header["__metadata__"]
    spec = json.loads(meta["network"])
    spec["sizes"] = sizes
    spec["activations"] = [{"name": "relu"}] * max(0, len(sizes) - 2)
    spec["dropout"] = [0.0] * max(0, len(sizes) - 2)
    meta["network"] = json.dumps(spec)
    header["layer1.W"]["shape"], header["layer1.W"]["data_offsets"] = shape, offsets
    nested = "[" * depth + "]" * (depth if depth % 2 else 0)
    meta["extras" if which != "network" else "network"] = nested
    survives("model", pack(header, body), tmp_path / "f")


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


CRAFTED: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], str]] = [
    # the two: 37 GiB allocated before the tensors were checked; a RecursionError
    (
        "huge architecture (80 GB), small tensors",
        lambda h: _network(
            _network(
                _network(h, "sizes", [3, 100_000, 100_000, 2]),
                "activations",
                [{"name": "relu"}] * 2,
            ),
            "dropout",
            [0.0, 0.0],
        ),
        r"needs \[3, 100000\]|missing layer3",
    ),
    ("'[' x 100,000 in extras", lambda h: _meta(h, "extras", "[" * 100_000), "nests deeper"),
    ("'{' x 100,000 in network", lambda h: _meta(h, "network", '{"a":' * 100_000), "nests deeper"),
    (
        "2,000 layers",
        lambda h: _network(h, "sizes", [3] + [4] * 2000 + [2]),
        "invalid layer sizes",
    ),
    (
        "format_version of 5,000 digits",
        lambda h: _meta(h, "format_version", "9" * 5000),
        "unreadable",
    ),
    (
        "activation parameter 10**400",
        lambda h: _network(h, "activations", [{"name": "leaky_relu", "slope": 10**400}]),
        "invalid parameters for leaky_relu",
    ),
    ("a list as the loss", lambda h: _network(h, "loss", ["mse"]), "unknown loss"),
    (
        "a list as an activation's name",
        lambda h: _network(h, "activations", [{"name": []}]),
        "unknown activation",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), CRAFTED, ids=[c[0] for c in CRAFTED])
def test_crafted_model_files(
    files: dict[str, bytes],
    tmp_path: Path,
    case: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    message: str,
) -> None:
    header, body = split(files["model"])
    path = tmp_path / "crafted.safetensors"
    survives("model", pack(change(header), body), path)
    with pytest.raises(ModelFileError, match=message):
        gn.load(path)


def test_crafted_checkpoints(files: dict[str, bytes], tmp_path: Path) -> None:
    header, body = split(files["checkpoint"])
    path = tmp_path / "run.ckpt"
    path.write_bytes(files["model"])
    with pytest.raises(ModelFileError, match="a glassnet model file, not a checkpoint"):
        read_checkpoint(path)
    path.write_bytes(pack(_meta(header, "state", json.dumps({"position": 3})), body))
    with pytest.raises(ModelFileError, match="invalid 'position' entry"):
        read_checkpoint(path)
    state = json.loads(header["__metadata__"]["state"])
    state["optimizer"]["arrays"] = ["M", "V", "W"]  # a tensor the file does not hold
    path.write_bytes(pack(_meta(header, "state", json.dumps(state)), body))
    with pytest.raises(ModelFileError, match=r"missing optimizer\.W"):
        read_checkpoint(path)
    path.write_bytes(files["checkpoint"][:-9])
    with pytest.raises(ModelFileError, match="truncated"):
        read_checkpoint(path)
    path.write_bytes(files["checkpoint"])
    assert read_checkpoint(path).state["position"]["finished"] is True


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
@given(data=st.data())
def test_resuming_a_mutated_checkpoint(
    files: dict[str, bytes], tmp_path: Path, data: st.DataObject
) -> None:
    """A mutated state resumed with resume_force=True (so that it reaches the restore):
    ModelFileError, the one-line refusal of another run, or a run; nothing else."""
    header, body = split(files["checkpoint"])
    tree = _expanded(header)
    for _ in range(data.draw(st.integers(1, 2))):
        state_paths = [p for p in _paths(tree) if p[:2] == ("__metadata__", "state")][1:]
        tree = _replace(tree, data.draw(st.sampled_from(state_paths)), data.draw(JSON))
    path = tmp_path / "run.ckpt"
    path.write_bytes(pack(_packed(tree), body))
    net = gn.Network([3, 4, 2], loss="cross_entropy", dtype="float64", seed=0)
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = (X[:, 0] > 0).astype(int)
    force = data.draw(st.booleans())
    try:
        net.fit(X, y, epochs=2, batch_size=8, resume=path, resume_force=force)
    except ModelFileError as exc:
        assert "\n" not in str(exc)
    except ValueError as exc:  # another run's checkpoint (or forced onto other rows)
        assert str(exc).startswith("cannot resume from") and "\n" not in str(exc), exc
