"""ONNX export: the forward pass as a graph of MatMul + Add + activation per layer.

    X  = preprocessing(raw columns)   (a table-trained model: ai.onnx.ml Imputer, Scaler,
                                       OneHotEncoder; see glassnet.tables.onnx)
    X' = (X − mean) / scale          (Sub, Div; an older model's stored feature scaling)
    Zl = A(l-1) @ Wl + Bl             (MatMul, Add)
    Al = f_l(Zl)                      (Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Softmax,
                                       Identity; GELU's tanh form from Mul/Add/Tanh)
    O' = O * scale + mean             (Mul, Add; only for a regressor with target scaling)

The default opset is 17 with IR version 8 (ONNX 1.12, 2022): onnxruntime has read both since
1.12, so current and older runtimes alike accept the file; every operator used here has had
its present meaning since opset 13 (Softmax over the last axis). GELU only became an ONNX
operator in opset 20 (``Gelu(approximate="tanh")``, used from that opset on); below it, it is
written out from Mul, Add and Tanh.
The graph computes in float32, the usual inference type, whatever the network's dtype.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._version import __version__
from glassnet.activations import (
    ELU,
    GELU,
    Exp,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from glassnet.network import Network

if TYPE_CHECKING:
    from glassnet.activations import Activation
    from glassnet.tables.model import Model

DEFAULT_OPSET = 17
_IR_VERSION = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10}


def export_onnx(
    net: Network | Model,
    path: str | os.PathLike[str],
    *,
    opset: int = DEFAULT_OPSET,
    scaling: bool = True,
) -> Path:
    """Write ``net``'s forward pass to ``path`` as ONNX (atomically); returns the path.

    Input ``"X"``: float32 (n, sizes[0]) of raw features -- the stored feature scaling is the
    first step when ``scaling`` is true. A table-trained model (metadata ``"preprocessing"``)
    takes one input per raw column instead: float32 (n, 1) for a numeric column (NaN:
    missing), text (n, 1) for a categorical one ("" : missing); see glassnet.tables.onnx. Output ``"probabilities"`` (n, k) for a classifier,
    ``"values"`` (n, o) for a regressor (in the target's units when the model stores target
    scaling). Refuses custom activations, which have no ONNX equivalent.
    """
    model = to_onnx(net, opset=opset, scaling=scaling)
    from glassnet.saving import write_atomic

    path = Path(path)
    write_atomic(path, model.SerializeToString())
    return path


def to_onnx(net: Network | Model, *, opset: int = DEFAULT_OPSET, scaling: bool = True) -> Any:
    """The ``onnx.ModelProto`` of ``net`` (see :func:`export_onnx`), checked by onnx.checker."""
    if not isinstance(net, Network):
        net = net.network  # a Model: its preprocessing is in the network's metadata
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    if opset not in _IR_VERSION:
        raise ValueError(f"opset {opset} is not supported: use one of 13..21 (default 17)")
    nodes: list[Any] = []
    weights: list[Any] = []

    def const(name: str, value: Any) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def const_of(name: str, value: Any, dtype: Any) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    A = "X"
    meta = net.metadata
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["n", net.sizes[0]])]
    pre = None
    if scaling and "preprocessing" in meta:  # raw columns in: the ai.onnx.ml nodes first
        from glassnet.tables.onnx import preprocessing_nodes
        from glassnet.tables.transform import Preprocessing

        pre = Preprocessing.from_json(meta["preprocessing"])
        inputs, A = preprocessing_nodes(pre, node, const_of)
    elif scaling and meta.get("feature_scaling"):
        s = meta["feature_scaling"]
        A = node("Sub", [A, const("feature_mean", [s["mean"]])], "X_centred")
        A = node("Div", [A, const("feature_scale", [s["scale"]])], "X_scaled")
    for layer in net.layers:
        l = layer.index
        Z = node("MatMul", [A, const(f"W{l}", layer.W)], f"XW{l}")
        Z = node("Add", [Z, const(f"B{l}", layer.B)], f"Z{l}")
        A = _activation(layer.activation, Z, f"A{l}", node, const, opset)
    if net.is_classifier:
        output = "probabilities"
        if net.loss.n_classes(net.sizes[-1]) != net.sizes[-1]:
            # one sigmoid unit = P(second class); give both columns, like predict_proba
            one_minus = node("Sub", [const("one", 1.0), A], "P0")
            A = node("Concat", [one_minus, A], "P01", axis=1)
    else:
        output = "values"
        t = meta.get("target_scaling") if scaling else None
        if pre is not None:
            t = {"mean": [pre.target.mean], "scale": [pre.target.scale]}
        if t:
            A = node("Mul", [A, const("target_scale", [t["scale"]])], "O_scaled")
            A = node("Add", [A, const("target_mean", [t["mean"]])], "O_unscaled")
    nodes.append(helper.make_node("Identity", [A], [output], name=output))
    n_out = 2 if net.is_classifier and net.sizes[-1] == 1 else net.sizes[-1]
    graph = helper.make_graph(
        nodes,
        "glassnet",
        inputs,
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["n", n_out])],
        initializer=weights,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)]
        + ([helper.make_opsetid("ai.onnx.ml", 3)] if pre is not None else []),
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=repr(net),
    )
    model.ir_version = _IR_VERSION[opset]
    props: dict[str, str] = {
        k: json.dumps(meta[k])
        for k in ("feature_names", "class_labels", "task", "target", "preprocessing")
        if k in meta
    }
    helper.set_model_props(model, props)
    onnx.checker.check_model(model, full_check=True)
    return model


def _activation(f: Activation, Z: str, out: str, node: Any, const: Any, opset: int) -> str:
    """A = f(Z) as ONNX nodes."""
    kind = type(f)
    if kind is Identity:
        return node("Identity", [Z], out)
    if kind is ReLU:
        return node("Relu", [Z], out)
    if kind is LeakyReLU:
        return node("LeakyRelu", [Z], out, alpha=float(f.negative_slope))  # type: ignore[attr-defined]
    if kind is ELU:
        return node("Elu", [Z], out, alpha=float(f.alpha))  # type: ignore[attr-defined]
    if kind is Sigmoid:
        return node("Sigmoid", [Z], out)
    if kind is Tanh:
        return node("Tanh", [Z], out)
    if kind is Softplus:
        return node("Softplus", [Z], out)
    if kind is Softmax:
        return node("Softmax", [Z], out, axis=-1)
    if kind is Exp:
        return node("Exp", [Z], out)
    if kind is GELU and opset >= 20:
        return node("Gelu", [Z], out, approximate="tanh")
    if kind is GELU:
        # A = Z/2 * (1 + tanh(c (Z + 0.044715 Z³))), c = sqrt(2/π)
        Z2 = node("Mul", [Z, Z], f"{out}_Z2")
        Z3 = node("Mul", [Z2, Z], f"{out}_Z3")
        inner = node("Mul", [Z3, const(f"{out}_k", 0.044715)], f"{out}_kZ3")
        inner = node("Add", [Z, inner], f"{out}_sum")
        inner = node("Mul", [inner, const(f"{out}_c", math.sqrt(2 / math.pi))], f"{out}_arg")
        t = node("Tanh", [inner], f"{out}_tanh")
        t = node("Add", [t, const(f"{out}_one", 1.0)], f"{out}_1pt")
        half = node("Mul", [Z, const(f"{out}_half", 0.5)], f"{out}_halfZ")
        return node("Mul", [half, t], out)
    raise ValueError(
        f"cannot export activation {type(f).__name__}: it has no ONNX equivalent "
        "(custom activations are not exported)"
    )


def _onnx() -> Any:
    try:
        import onnx
        import onnx.checker
    except ImportError:  # pragma: no cover - the message is the point
        raise ImportError(
            "ONNX export needs the onnx package: pip install -e '.[onnx]' in a glassnet clone"
        ) from None
    return onnx
