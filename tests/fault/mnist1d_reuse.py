"""Optimizer reuse on MNIST-1D (issue 13, point 7): not a test, a script to reproduce the
figures in the CHANGELOG: ``python tests/fault/mnist1d_reuse.py [EPOCHS]``.

40-256-256-10, dropout 0.3, AdamW with a cosine schedule, 5,000 generated samples (4,000
train, 1,000 test; mnist1d generates them offline, ``pip install mnist1d``): one fresh
optimizer per seed, then one optimizer object reused for the next seed.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

import glassnet as gn


def main(epochs: int) -> None:
    import mnist1d  # only for this script: pip install mnist1d

    args = mnist1d.data.get_dataset_args()
    args.num_samples = 5000
    data = mnist1d.data.make_dataset(args)
    X, y, Xt, yt = data["x"], data["y"], data["x_test"], data["y_test"]
    mu, sd = X.mean(0), X.std(0)
    X, Xt = (X - mu) / sd, (Xt - mu) / sd

    def run(seed: int, opt: gn.Optimizer) -> tuple[float, list[str]]:
        net = gn.Network([40, 256, 256, 10], loss="cross_entropy", dropout=0.3, seed=seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net.fit(
                X, y, epochs=epochs, batch_size=64, optimizer=opt, schedule="cosine", seed=seed
            )
        return float(np.mean(net.predict(Xt) == yt)), [str(w.message)[:100] for w in caught]

    print("fresh seed0", run(0, gn.AdamW(1e-3)))
    print("fresh seed1", run(1, gn.AdamW(1e-3)))
    shared: Any = gn.AdamW(1e-3)
    print("shared seed0", run(0, shared))
    print("shared seed1", run(1, shared), "t =", shared.t, "lr =", shared.learning_rate)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
