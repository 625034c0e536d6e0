"""The caller's metadata (``extras``), checked against the network on save and on load."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from glassnet.losses import LOSSES
from glassnet.saving._checks import fail, show

TASKS = ("classification", "regression")


# ---- the caller's metadata, checked on save and on load -------------------------------------


def check_extras(
    extras: Mapping[str, Any], sizes: list[int], loss: str, where: str, loading: bool = False
) -> None:
    """Check the known metadata keys against the network: lengths, types, finite numbers."""

    def bad(what: str) -> ValueError:
        return (
            fail(where, f"its metadata {what}")
            if loading
            else ValueError(f"cannot save {where}: metadata {what}")
        )

    n_in, n_out = sizes[0], sizes[-1]
    names = extras.get("feature_names")
    if names is not None and (
        not isinstance(names, list)
        or len(names) != n_in
        or not all(isinstance(s, str) for s in names)
        or len(set(names)) != len(names)
    ):
        raise bad(f"'feature_names' must list {n_in} distinct strings (one per input)")
    for key, n in (("feature_scaling", n_in), ("target_scaling", n_out)):
        scaling = extras.get(key)
        if scaling is None:
            continue
        ok = isinstance(scaling, Mapping) and set(scaling) == {"mean", "scale"}
        for part in ("mean", "scale") if ok else ():
            v = scaling[part]
            ok = ok and isinstance(v, list) and len(v) == n
            ok = ok and all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)
        if ok and any(x <= 0 for x in scaling["scale"]):
            ok = False
        if not ok:
            raise bad(
                f"{key!r} must be {{'mean': [...], 'scale': [...]}} with {n} finite "
                "numbers each and positive scales"
            )
    labels = extras.get("class_labels")
    n_labels = LOSSES[loss]().n_classes(n_out)
    if labels is not None and (
        not isinstance(labels, list)
        or len(labels) != n_labels
        or not all(isinstance(x, (str, int, float, bool)) for x in labels)
        or len(set(map(repr, labels))) != len(labels)
    ):
        raise bad(f"'class_labels' must list {n_labels} distinct labels (one per class)")
    task = extras.get("task")
    if task is not None and task not in TASKS:
        raise bad(f"'task' must be one of {', '.join(TASKS)}, not {show(task)}")
    classifier = LOSSES[loss].classification
    if task is not None and (task == "classification") != classifier:
        raise bad(f"says task {task!r} but the loss is {loss}")
    if classifier and extras.get("target_scaling") is not None:
        raise bad(f"has 'target_scaling' but the loss {loss} is a classifier's")
    for key in ("training",):
        if key in extras and not isinstance(extras[key], Mapping):
            raise bad(f"{key!r} must be a JSON object")
    if "preprocessing" in extras:  # a table-trained model's preprocessing (glassnet.tables)
        from glassnet.tables.transform import check_preprocessing

        try:
            check_preprocessing(
                extras["preprocessing"], n_in, n_out, n_labels if classifier else None
            )
        except ValueError as exc:
            raise bad(str(exc)) from None
