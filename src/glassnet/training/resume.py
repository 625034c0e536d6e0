"""Reading a checkpoint back (every part checked against the file, as model files are) and
putting a run back where it stood, after checking that it is the same run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import parameters
from glassnet._typing import Array
from glassnet.saving._checks import (
    FORMAT as MODEL_FORMAT,
)
from glassnet.saving._checks import (
    ModelFileError,
    check_network,
    fail,
    loads,
    read_header,
    show,
)
from glassnet.saving._tensors import NUMPY_TO_SAFETENSORS, check_tensors, tensor
from glassnet.training.checkpoint import FORMAT, FORMAT_VERSION

if TYPE_CHECKING:
    from glassnet.training.loop import _Loop

MAX_ROWS = 1 << 40


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as read from its file: the network description, the JSON state and the
    tensors (P, optimizer.*, and where present best_P, order, snapshot)."""

    path: str
    network: dict[str, Any]
    state: dict[str, Any]
    tensors: dict[str, Array]


def read_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """The checkpoint at ``path``; ModelFileError (one line) for anything else."""
    where = str(path)
    if Path(path).is_dir():
        raise ModelFileError(f"{where} is a folder, not a checkpoint")
    data = Path(path).read_bytes()
    header, offset = read_header(data, where)
    meta = header.pop("__metadata__", None)
    kind = meta.get("format") if isinstance(meta, dict) else None
    if kind == MODEL_FORMAT:
        raise fail(where, "a glassnet model file, not a checkpoint (load it with gn.load)")
    if kind != FORMAT or not isinstance(meta, dict):
        raise fail(
            where, "not a glassnet checkpoint (no glassnet-checkpoint format in its metadata)"
        )
    if meta.get("format_version") != str(FORMAT_VERSION):
        raise fail(
            where,
            f"checkpoint format version {show(meta.get('format_version'))}; this glassnet "
            f"reads version {FORMAT_VERSION}",
        )
    spec = loads(meta.get("network"), "network", where)
    state = loads(meta.get("state"), "state", where)
    arguments = check_network(spec, where)  # bounded layers: the count below is bounded
    expected = _expected(state, parameters.count(arguments["sizes"]), arguments["dtype"], where)
    spans = check_tensors(header, len(data) - offset, expected, where)
    tensors = {}
    for name, (kind_, shape) in expected.items():
        values = tensor(data, offset, spans[name], kind_, shape)
        if kind_ != "I64" and not np.isfinite(values).all():
            raise fail(where, f"tensor {name} contains NaN or inf values")
        tensors[name] = values
    return Checkpoint(where, spec, state, tensors)


def _get(state: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """state[key], which must be of ``kind``; else the one-line refusal."""
    value = state.get(key) if isinstance(state, dict) else None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float))):
        raise fail(where, f"its checkpoint state has an invalid {key!r} entry")
    return value


def _expected(
    state: dict[str, Any], n: int, dtype: str, where: str
) -> dict[str, tuple[str, tuple[int, ...]]]:
    """The tensors the state says the file holds, with their dtypes and shapes."""
    kind = NUMPY_TO_SAFETENSORS[dtype]
    position = _get(state, "position", dict, where)
    optimizer = _get(state, "optimizer", dict, where)
    names = _get(optimizer, "arrays", list, where)
    if not all(isinstance(a, str) and a.isidentifier() for a in names) or len(names) > 16:
        raise fail(where, "its checkpoint state lists invalid optimizer arrays")
    out: dict[str, tuple[str, tuple[int, ...]]] = {"P": (kind, (n,))}
    out.update({f"optimizer.{a}": (kind, (n,)) for a in names})
    if _get(position, "mid_epoch", bool, where):
        rows = _get(
            _get(_get(state, "data", dict, where), "train", dict, where), "rows", int, where
        )
        if not 0 < rows < MAX_ROWS:
            raise fail(where, f"its checkpoint state gives {show(rows)} training rows")
        out["order"], out["snapshot"] = ("I64", (rows,)), (kind, (n,))
    if _get(state, "has_best_P", bool, where):
        out["best_P"] = (kind, (n,))
    return out


def check_same_run(ckpt: Checkpoint, settings: dict[str, Any], net_spec: dict[str, Any]) -> None:
    """Refuse (ValueError, one line) a checkpoint of another run: another network, other
    data, another optimizer or schedule, other fit settings, another number of ranks."""
    where = ckpt.path

    def differ(what: str, then: Any, now: Any) -> ValueError:
        return ValueError(
            f"cannot resume from {where}: it was written for {what} {show(then, most=80)} but "
            f"this fit has {show(now, most=80)}; pass resume_force=True to resume anyway"
        )

    if ckpt.network != net_spec:
        keys = sorted(
            k for k in set(net_spec) | set(ckpt.network) if ckpt.network.get(k) != net_spec.get(k)
        )
        k = keys[0]
        raise differ(f"another network ({k})", ckpt.network.get(k), net_spec.get(k))
    for key in ("data", "fit", "optimizer", "schedule", "ranks"):
        then, now = ckpt.state.get(key), settings[key]
        if key == "optimizer":
            then = {k: v for k, v in (then or {}).items() if k not in ("t", "arrays")}
        if then != now:
            if isinstance(then, dict) and isinstance(now, dict):
                k = min(x for x in set(then) | set(now) if then.get(x) != now.get(x))
                raise differ(f"other {key} ({k})", then.get(k), now.get(k))
            raise differ(f"another {key}", then, now)


def restore(loop: _Loop, ckpt: Checkpoint, rows: int) -> None:
    """Put the run of ``loop`` back where the checkpoint stood (weights, optimizer, generators,
    position, History, early stopping, BLAS threads)."""
    from glassnet.training.loop import Position

    net, state, T, where = loop.net, ckpt.state, ckpt.tensors, ckpt.path
    if T["P"].size != net.P.size:
        raise ValueError(
            f"cannot resume from {where}: it holds {T['P'].size} parameters but the network has "
            f"{net.P.size}"
        )
    try:
        net.P[...] = T["P"]
        opt = state["optimizer"]
        arrays = {a: T[f"optimizer.{a}"] for a in opt["arrays"]}
        loop.opt.load_state(arrays, {"t": int(opt["t"])}, net.P)
        loop.rng.bit_generator.state = state["rng"]
        ranks = state.get("dropout_rngs")
        if ranks is not None and loop.dropout_rng is not None and loop.dp is not None:
            loop.dropout_rng.bit_generator.state = ranks[loop.dp.rank]
        p = state["position"]
        order = T.get("order")
        if order is not None and not np.array_equal(np.sort(order), np.arange(rows)):
            raise fail(where, f"its 'order' is not a permutation of the {rows} training rows")
        loop.position = Position(
            epoch=int(p["epoch"]),
            batch=int(p["batch"]),
            order=None if order is None else np.array(order),
            total=float(p["total"]),
            correct=float(p["correct"]),
            steps=int(p["steps"]),
            snapshot=np.array(T["snapshot"]) if "snapshot" in T else None,
            finished=bool(p["finished"]),
        )
        h = state["history"]
        loop.history.history = {str(k): [float(x) for x in v] for k, v in h["history"].items()}
        loop.history.best_epoch = h["best_epoch"]
        loop.history.stop_reason = h["stop_reason"]
        loop.history.seconds = float(h["seconds"])
        if loop.stopper is not None and state.get("stopper") is not None:
            s = dict(state["stopper"])
            s["best_loss"] = np.inf if s["best_loss"] is None else s["best_loss"]
            loop.stopper.load_state(s, T.get("best_P"))
        threads = state["threads"]
        if loop.threads is not None and threads["decided"] and loop.threads.trying:
            # (GLASSNET_GEMM, or MKL missing here, may rule out the checkpoint's GEMM)
            loop.threads.keep(threads["choice"], threads.get("gemm"))
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
        raise fail(where, f"its checkpoint state cannot be restored ({show(str(exc))})") from None
