"""glassnet.sklearn against scikit-learn's MLP: fit time and held-out score, side by side.

Same data (scikit-learn's bundled sets, standardised, a stratified 75/25 split), same
hyperparameters, same random_state. Times are medians over interleaved repeats; nothing
here asserts anything (the tests check accuracy; timings only inform).

    python benchmarks/sklearn_compare.py [--repeats 3] [--solvers adam,sgd,lbfgs]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn import neural_network as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from glassnet import sklearn as gs

DATASETS = {
    "digits": (datasets.load_digits, "MLPClassifier"),
    "iris": (datasets.load_iris, "MLPClassifier"),
    "wine": (datasets.load_wine, "MLPClassifier"),
    "breast_cancer": (datasets.load_breast_cancer, "MLPClassifier"),
    "diabetes": (datasets.load_diabetes, "MLPRegressor"),
}
PARAMS: dict[str, dict[str, Any]] = {
    "adam": {"solver": "adam", "max_iter": 300},
    "sgd": {"solver": "sgd", "learning_rate_init": 0.01, "max_iter": 300},
    "lbfgs": {"solver": "lbfgs", "max_iter": 300},
}


def load(name: str) -> tuple[np.ndarray, ...]:
    loader, kind = DATASETS[name]
    X, y = loader(return_X_y=True)
    stratify = y if kind == "MLPClassifier" else None
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0, stratify=stratify)
    scaler = StandardScaler().fit(Xtr)
    if kind == "MLPRegressor":  # standardised targets, so that one learning rate suits all
        mu, sd = ytr.mean(), ytr.std()
        ytr, yte = (ytr - mu) / sd, (yte - mu) / sd
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


def timed_fit(est: Any, Xtr: Any, ytr: Any) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xtr, ytr)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--solvers", default="adam,sgd,lbfgs")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    args = parser.parse_args()
    header = (
        f"{'data set':<14} {'solver':<6} {'sklearn s':>9} {'glassnet s':>10} {'speed-up':>8} "
        f"{'sklearn score':>13} {'glassnet score':>14} {'iters sk/gn':>12}"
    )
    print(header)
    print("-" * len(header))
    for name in args.datasets.split(","):
        Xtr, Xte, ytr, yte = load(name)
        kind = DATASETS[name][1]
        for solver in args.solvers.split(","):
            params = {"hidden_layer_sizes": (100,), "random_state": 0, **PARAMS[solver]}
            times: dict[str, list[float]] = {"sk": [], "gn": []}
            fitted: dict[str, Any] = {}
            for _ in range(args.repeats):  # interleaved, so that load changes hit both
                for key, module in (("sk", sk), ("gn", gs)):
                    est = getattr(module, kind)(**params)
                    times[key].append(timed_fit(est, Xtr, ytr))
                    fitted[key] = est
            t_sk, t_gn = statistics.median(times["sk"]), statistics.median(times["gn"])
            s_sk, s_gn = fitted["sk"].score(Xte, yte), fitted["gn"].score(Xte, yte)
            iters = f"{fitted['sk'].n_iter_}/{fitted['gn'].n_iter_}"
            print(
                f"{name:<14} {solver:<6} {t_sk:>9.3f} {t_gn:>10.3f} {t_sk / t_gn:>7.2f}x "
                f"{s_sk:>13.4f} {s_gn:>14.4f} {iters:>12}",
                flush=True,
            )
    print(
        "\nscore: accuracy (classifiers) or R² (diabetes, standardised target) on the 25% "
        "held out; glassnet in float32 (its default), scikit-learn in float64."
    )


if __name__ == "__main__":
    main()
