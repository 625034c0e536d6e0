"""The preprocessing as ONNX nodes, with the ``ai.onnx.ml`` operators (as skl2onnx writes a
ColumnTransformer): one graph input per raw column, then

    numeric:      ind = Cast(IsNaN(x))                (only with a missing indicator)
                  x'  = Scaler(Imputer(x, NaN → fill), offset=mean, scale=1/scale)
    categorical:  h   = Reshape(OneHotEncoder(s, cats_strings=categories, zeros=1), (-1, k))
    X = Concat(x', ind, h, ..., axis=1)               the network's input, float32

A numeric column is a float tensor (n, 1), NaN for a missing cell; a categorical column a
string tensor (n, 1) holding the category's text ("2007" for a code, "" for a missing cell).
An unseen category gives zeros, as in glassnet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet.tables.columns import Categorical, Numeric
from glassnet.tables.transform import Preprocessing

ML_DOMAIN = "ai.onnx.ml"
ML_OPSET = 3  # onnxruntime 1.12 and later read it; Imputer, Scaler, OneHotEncoder are from v1


def preprocessing_nodes(
    pre: Preprocessing, node: Callable[..., str], const: Callable[..., str]
) -> tuple[list[Any], str]:
    """(graph inputs, name of X): the nodes are added through ``node(op, inputs, output,
    domain=..., **attributes)``; ``const(name, value, dtype)`` adds an initializer."""
    from onnx import TensorProto, helper

    inputs: list[Any] = []
    parts: list[str] = []
    for j, column in enumerate(pre.columns):
        name = column.name
        if isinstance(column, Numeric):
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["n", 1]))
            filled = node(
                "Imputer",
                [name],
                f"c{j}_filled",
                domain=ML_DOMAIN,
                imputed_value_floats=[float(column.fill)],
                replaced_value_float=float("nan"),
            )
            parts.append(
                node(
                    "Scaler",
                    [filled],
                    f"c{j}_scaled",
                    domain=ML_DOMAIN,
                    offset=[float(column.mean)],
                    scale=[float(1.0 / column.scale)],
                )
            )
            if column.indicator:
                nan = node("IsNaN", [name], f"c{j}_isnan")
                parts.append(node("Cast", [nan], f"c{j}_missing", to=TensorProto.FLOAT))
        else:
            assert isinstance(column, Categorical)
            inputs.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["n", 1]))
            hot = node(
                "OneHotEncoder",
                [name],
                f"c{j}_onehot3",
                domain=ML_DOMAIN,
                cats_strings=list(column.categories),
                zeros=1,
            )
            shape = const(f"c{j}_shape", np.array([-1, column.width]), np.int64)
            parts.append(node("Reshape", [hot, shape], f"c{j}_onehot"))
    X = node("Concat", parts, "X", axis=1) if len(parts) > 1 else node("Identity", parts, "X")
    return inputs, X


def onnx_feeds(pre: Preprocessing, data: Any) -> dict[str, Any]:
    """The inputs of the exported graph for raw columns (a DataFrame, a dict, a Table):
    float32 (n, 1) with NaN for numbers, text (n, 1) with "" for missing categories."""
    from glassnet.tables.columns import keys, numbers
    from glassnet.tables.transform import as_table

    table = as_table(data, pre.names, len(pre.columns))
    feeds: dict[str, Any] = {}
    for column, values in zip(pre.columns, table.columns.values(), strict=True):
        if isinstance(column, Numeric):

            def where(i: int, name: str = column.name) -> str:
                return table.where(i, name)

            x = numbers(values, where)
            feeds[column.name] = x.astype(np.float32).reshape(-1, 1)
        else:
            feeds[column.name] = np.array(keys(values).tolist(), dtype=object).reshape(-1, 1)
    return feeds
