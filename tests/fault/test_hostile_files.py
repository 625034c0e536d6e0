"""Files from strangers (issue 13, point 8): thousands of mutated and crafted model files
and checkpoints. Loading one may only succeed or raise the documented one-line
ModelFileError: never another exception, a hang, or memory beyond a small multiple of the
file's size (plus a constant), measured with tracemalloc, which sees numpy's allocations.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hostile import (
    JSON,
    SETTINGS,
    _expanded,
    _packed,
    _paths,
    _replace,
    pack,
    split,
    survives,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glassnet as gn
from glassnet.saving import ModelFileError


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
