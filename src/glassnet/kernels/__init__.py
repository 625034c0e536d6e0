"""Compiled, fused kernels (numba) for the steps where the time goes.

The readable NumPy code in ``optimizers.py`` and ``activations.py`` is the reference and the
path of small networks; above a size measured on our machines, the optimizer step and each
layer's elementwise work run as one compiled loop instead of a dozen NumPy passes:

- ``glassnet.kernels.steps``: every optimizer's update as one pass over P, G and its state;
- ``glassnet.kernels.elementwise``: Z += B with A = f(Z), and E = dA * f'(Z), per layer, from
  the activations' own scalar rules (``Activation.scalar_f`` / ``scalar_df``), and softmax's
  forward pass;
- ``glassnet.kernels.mkl``: MKL's GEMM for the layers' products (no numba; the ``mkl``
  extra), where a fit's trial measures it faster than NumPy's BLAS (``glassnet.threads``).

numba is optional (``pip install -e '.[fast]'`` in a glassnet clone) and imported only on the first step of a
network big enough to use it, so ``import glassnet`` stays fast; compiled code is cached on
disk (``cache=True``), so only the first run on a machine pays for compiling. Without numba,
or with ``GLASSNET_KERNELS=numpy`` in the environment, everything runs the NumPy path.

The loops are serial (``glassnet.kernels.steps`` says why, with the measurements): the
products' BLAS threads are the only threads a training step starts, and the kernels, which
release the GIL and share no state, are safe to call from several Python threads at once.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

# The compiled path pays once its per-call cost (~1-3 µs a call, against ~1 µs per NumPy
# pass it replaces) and the one-off import of numba (~0.6 s, plus loading the cached
# kernels) are small against the work: measured, an Adam step on the small network's 4,810
# parameters is as fast either way, and the small benchmark's whole fit takes 0.25 s, which
# importing numba would more than double; the same holds for the scikit-learn drop-in on
# digits (7,510 parameters, Z of 200 × 100). So a network of 50,000 parameters or more (the
# medium network has 235,146) takes the compiled optimizer step, and every layer of it the
# compiled elementwise passes: once numba is loaded they beat NumPy's two or three passes at
# every size we measured (Zen 4, 128 rows of ReLU: bias + f 1.3 against 4.1 µs for 1,024
# entries, 4.5 against 15.7 µs for 16,384; E = dA·f'(Z) with dB 2.4 against 4.9 µs, 8.3
# against 11.9 µs).
MIN_PARAMS = 50_000

_state: dict[str, Any] = {}


def enabled() -> bool:
    """True unless GLASSNET_KERNELS=numpy asks for the NumPy path everywhere."""
    return os.environ.get("GLASSNET_KERNELS", "").lower() != "numpy"


def load() -> tuple[ModuleType, ModuleType] | None:
    """(steps, elementwise), the compiled kernel modules, or None without numba.

    The first call imports numba and loads (or compiles and caches) the kernels.
    """
    if "modules" in _state:
        return _state["modules"]
    try:
        from glassnet.kernels import elementwise, steps
    except ModuleNotFoundError as error:
        if error.name != "numba":
            raise
        _state["modules"] = None
        return None
    _state["modules"] = (steps, elementwise)
    return _state["modules"]


def for_params(n: int) -> ModuleType | None:
    """The compiled optimizer steps, where a vector of n parameters should use them."""
    if n < MIN_PARAMS or not enabled():
        return None
    modules = load()
    return None if modules is None else modules[0]


def for_layer() -> ModuleType | None:
    """The compiled elementwise kernels, for a layer of a network that uses them
    (``Dense.compiled``: a network of ``MIN_PARAMS`` parameters or more)."""
    if not enabled():
        return None
    modules = load()
    return None if modules is None else modules[1]
