"""Crafted model files and checkpoints (issue 13, point 8): the issue's two cases (an
architecture of 80 GB over small tensors; '[' x 100,000) and others, each refused with its
one-line ModelFileError before anything is allocated."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile import _meta, _network, pack, split, survives

import glassnet as gn
from glassnet.saving import ModelFileError
from glassnet.training import read_checkpoint

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
