"""Weight initialisation from an explicit ``np.random.Generator``: He and Glorot."""

from __future__ import annotations

import numpy as np

from glassnet._typing import Array


def he(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    """W ~ Normal(0, sqrt(2 / fan_in)): keeps the variance of ReLU activations (He et al. 2015).

    Shapes: W (fan_in, fan_out). It is the seed's ``randn(i, o) * sqrt(2 / i)``.
    """
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


def glorot(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    """W ~ Uniform(−r, r), r = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).

    Shapes: W (fan_in, fan_out).
    """
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


INITIALIZERS = {"he": he, "glorot": glorot}
