"""Model files: save → load exact, metadata kept, atomic saves, and every bad file refused."""

from __future__ import annotations

import json
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import saving
from glassnet.activations import Activation
from glassnet.saving import ModelFileError


def _net(**kw: object) -> gn.Network:
    options: dict[str, object] = {
        "activation": ["tanh", "leaky_relu"],
        "loss": "cross_entropy",
        "seed": 3,
    }
    options.update(kw)
    return gn.Network([4, 6, 5, 3], **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_load_round_trip_is_exact(
    tmp_path: Path, rng: np.random.Generator, dtype: str
) -> None:
    net = _net(dtype=dtype, dropout=[0.1, 0.0], reduction="sum")
    X = rng.standard_normal((7, 4))
    path = net.save(tmp_path / "m.safetensors")
    again = gn.load(path)
    assert again.sizes == net.sizes and again.dtype == net.dtype
    assert [a.name for a in again.activations] == ["tanh", "leaky_relu"]
    assert again.output_activation.name == "softmax" and again.loss.name == "cross_entropy"
    assert again.reduction == "sum"
    assert [l.dropout for l in again.layers] == [0.1, 0.0, 0.0]
    for (name, M), (name2, M2) in zip(net.params(), again.params(), strict=True):
        assert name == name2 and M.dtype == M2.dtype
        np.testing.assert_array_equal(M, M2)
    np.testing.assert_array_equal(again.forward(X), net.forward(X))
    np.testing.assert_array_equal(again.predict(X), net.predict(X))


def test_activation_parameters_survive(tmp_path: Path) -> None:
    from glassnet.activations import ELU, LeakyReLU

    net = gn.Network([2, 3, 3, 1], activation=[LeakyReLU(0.2), ELU(0.5)], seed=0)
    again = gn.load(net.save(tmp_path / "m.safetensors"))
    assert again.activations == [LeakyReLU(0.2), ELU(0.5)]


def test_tensor_names_are_the_params_names(tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    net = _net()
    tensors = load_file(str(net.save(tmp_path / "m.safetensors")))
    assert sorted(tensors) == sorted(name for name, _ in net.params())
    np.testing.assert_array_equal(tensors["layer2.W"], net.layers[1].W)


def test_metadata_round_trips_and_is_checked(tmp_path: Path) -> None:
    net = gn.Network([2, 4, 3], loss="cross_entropy", seed=0)
    meta = {
        "feature_names": ["a", "b"],
        "feature_scaling": {"mean": [0.5, -1.0], "scale": [2.0, 0.25]},
        "class_labels": ["cat", "dog", "emu"],
        "task": "classification",
        "training": {"epochs": 3, "final": {"loss": 0.1234567890123}},
        "hyperparameters": {"alpha": 1e-4, "hidden_layer_sizes": [4]},  # any JSON is kept
    }
    again = gn.load(gn.saving.save(net, tmp_path / "m.safetensors", metadata=meta))
    assert again.metadata == meta
    # a loaded model saved again keeps its metadata (net.metadata is the default)
    assert gn.load(again.save(tmp_path / "m2.safetensors")).metadata == meta


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"feature_names": ["a"]}, "feature_names"),
        ({"feature_scaling": {"mean": [0, 0], "scale": [1, 0]}}, "positive scales"),
        ({"class_labels": ["x", "x", "y"]}, "class_labels"),
        ({"task": "clustering"}, "task"),
        ({"task": "regression"}, "loss is cross_entropy"),
        ({"target_scaling": {"mean": [0, 0, 0], "scale": [1, 1, 1]}}, "classifier"),
        ({"feature_names": ["a", "a"]}, "distinct"),
        ({"training": 3}, "training"),
        ({"bad": float("nan")}, "JSON"),
        ({"bad": object()}, "JSON"),
    ],
)
def test_bad_metadata_is_refused_before_writing(
    tmp_path: Path, meta: dict[str, object], message: str
) -> None:
    net = gn.Network([2, 4, 3], loss="cross_entropy", seed=0)
    path = tmp_path / "m.safetensors"
    with pytest.raises(ValueError, match=message):
        gn.saving.save(net, path, metadata=meta)
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_custom_activation_is_refused(tmp_path: Path) -> None:
    class Cube(Activation):
        name = "cube"

        def f(self, Z: np.ndarray) -> np.ndarray:  # type: ignore[override]
            return Z**3

        def df(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:  # type: ignore[override]
            return 3 * Z**2

    net = gn.Network([2, 3, 1], activation=Cube(), seed=0)
    with pytest.raises(ValueError, match="cannot save a custom activation"):
        net.save(tmp_path / "m.safetensors")


def test_failed_save_leaves_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.safetensors"
    _net().save(path)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        _net(activation="relu").save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temporary file left


def test_failed_write_midway_leaves_previous_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.safetensors"
    _net().save(path)
    before = path.read_bytes()
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        real_fsync(fd)
        raise KeyboardInterrupt  # as if interrupted after the bytes were written

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(KeyboardInterrupt):
        _net(seed=9).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_save_to_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="is a folder"):
        _net().save(tmp_path)


# ---- bad files ------------------------------------------------------------------------------


def _good(tmp_path: Path) -> Path:
    return _net().save(tmp_path / "good.safetensors")


def _rewrite_header(path: Path, change: object) -> Path:
    """Edit the JSON header of a saved model with ``change(header)``; keep the tensor bytes."""
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    change(header)  # type: ignore[operator]
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    out = path.with_name("tampered.safetensors")
    out.write_bytes(struct.pack("<Q", len(text)) + text + data[8 + n :])
    return out


def _meta(header: dict, key: str, value: object) -> None:  # type: ignore[type-arg]
    header["__metadata__"][key] = value


def _network_entry(header: dict, key: str, value: object) -> None:  # type: ignore[type-arg]
    spec = json.loads(header["__metadata__"]["network"])
    spec[key] = value
    header["__metadata__"]["network"] = json.dumps(spec)


BAD_HEADERS = {
    "newer format": (lambda h: _meta(h, "format_version", "2"), "written by a newer glassnet"),
    "not glassnet": (lambda h: h.pop("__metadata__"), "not a glassnet model"),
    "other format": (lambda h: _meta(h, "format", "keras"), "not a glassnet model"),
    "network not JSON": (lambda h: _meta(h, "network", "{oops"), "not valid JSON"),
    "bad sizes": (lambda h: _network_entry(h, "sizes", [4, 6, 5]), "activations"),
    "negative size": (lambda h: _network_entry(h, "sizes", [4, -6, 5, 3]), "layer sizes"),
    "unknown activation": (
        lambda h: _network_entry(h, "activations", [{"name": "os.system"}, {"name": "tanh"}]),
        "unknown activation",
    ),
    "activation parameter": (
        lambda h: _network_entry(
            h, "activations", [{"name": "tanh", "cmd": "rm"}, {"name": "relu"}]
        ),
        "invalid parameters",
    ),
    "unknown loss": (lambda h: _network_entry(h, "loss", "hinge"), "unknown loss"),
    "dtype mismatch": (lambda h: _network_entry(h, "dtype", "float64"), "dtype"),
    "renamed tensor": (lambda h: h.update({"layer9.W": h.pop("layer1.W")}), "layer9.W"),
    "wrong shape": (lambda h: h["layer1.W"].update(shape=[6, 4]), "shape"),
    "offsets outside": (
        lambda h: h["layer3.B"].update(data_offsets=[0, 10**9]),
        "outside the file",
    ),
    "bad extras": (lambda h: _meta(h, "extras", '{"feature_names": [1, 2]}'), "feature_names"),
}


@pytest.mark.parametrize("case", sorted(BAD_HEADERS))
def test_tampered_header_is_refused(tmp_path: Path, case: str) -> None:
    change, message = BAD_HEADERS[case]
    bad = _rewrite_header(_good(tmp_path), change)
    with pytest.raises(ModelFileError, match=message) as info:
        gn.load(bad)
    assert str(bad) in str(info.value) and "\n" not in str(info.value)


def test_non_finite_weights_are_refused(tmp_path: Path) -> None:
    path = _good(tmp_path)
    data = bytearray(path.read_bytes())
    data[-4:] = np.array([np.nan], dtype="<f4").tobytes()  # the last entry of layer3.B
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="NaN or inf"):
        gn.load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"abc", "only 3 bytes"),
        (pickle.dumps({"W": [1.0, 2.0]}), "pickle"),
        (b"a,b,target\n1,2,cat\n3,4,dog\n", "text file"),
        (bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "not a glassnet"),
    ],
    ids=["empty", "tiny", "pickle", "csv", "random"],
)
def test_files_that_are_not_models_are_refused(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        gn.load(path)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.99])
def test_truncated_file_is_refused(tmp_path: Path, keep: float) -> None:
    path = _good(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ModelFileError, match="truncated"):
        gn.load(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        gn.load(tmp_path / "nope.safetensors")
    with pytest.raises(ModelFileError, match="folder"):
        gn.load(tmp_path)


def test_plain_safetensors_file_is_not_a_model(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    path = tmp_path / "other.safetensors"
    save_file({"weight": np.ones((2, 2), np.float32)}, str(path))
    with pytest.raises(ModelFileError, match="not a glassnet model"):
        gn.load(path)


def test_format_constants() -> None:
    assert saving.FORMAT_VERSION == 1 and saving.FORMAT == "glassnet"


def test_saved_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = _net().save(tmp_path / "m.safetensors")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: _meta(h, "format_version", "²"), "unreadable format_version"),
        (
            lambda h: (_meta(h, "format_version", "3"), _meta(h, "glassnet_version", "9\nx" * 99)),
            "written by a newer glassnet",
        ),
        (lambda h: _network_entry(h, "sizes", list(range(1, 10_000))), "invalid layer sizes"),
        (lambda h: _network_entry(h, "sizes", list(range(1, 100))), "activations"),
        (lambda h: _network_entry(h, "loss", "a\nb" * 1000), "unknown loss"),
    ],
)
def test_messages_stay_one_short_line(tmp_path: Path, change: object, message: str) -> None:
    bad = _rewrite_header(_good(tmp_path), change)
    with pytest.raises(ModelFileError, match=message) as info:
        gn.load(bad)
    assert "\n" not in str(info.value) and len(str(info.value)) < 300 + len(str(bad))
