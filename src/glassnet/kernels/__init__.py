"""Compiled, fused, multi-threaded kernels (numba) for the steps where the time goes.

The readable NumPy code in ``optimizers.py`` and ``activations.py`` is the reference and the
path of small networks; above a size measured on our machines, the optimizer step and each
layer's elementwise work run as one compiled loop instead of a dozen NumPy passes:

- ``glassnet.kernels.steps``: every optimizer's update as one pass over P, G and its state;
- ``glassnet.kernels.elementwise``: Z += B with A = f(Z), and E = dA * f'(Z), per layer, from
  the activations' own scalar rules (``Activation.scalar_f`` / ``scalar_df``).

numba is optional (``pip install -e '.[fast]'`` in a glassnet clone) and imported only on the first step of a
network big enough to use it, so ``import glassnet`` stays fast; compiled code is cached on
disk (``cache=True``), so only the first run on a machine pays for compiling. Without numba,
or with ``GLASSNET_KERNELS=numpy`` in the environment, everything runs the NumPy path.

Threading: numba's ``omp`` threading layer busy-waits after every parallel region and starves
OpenBLAS's threads (a 784-256-128-10 epoch measured at 22.6 s instead of 0.66 s), so the layer
is set to ``workqueue`` before the first parallel call. workqueue must not be entered by two
Python threads at once, so parallel kernels run under a lock; a thread that finds it taken
runs the NumPy path instead of waiting.
"""

from __future__ import annotations

import os
import threading
from types import ModuleType
from typing import Any

# The compiled path pays once its per-call cost (~1-3 µs a call, against ~1 µs per NumPy
# pass it replaces) and the one-off import of numba (~0.6 s, plus loading the cached
# kernels) are small against the work: measured, an Adam step on the small network's 4,810
# parameters is as fast either way, and the small benchmark's whole fit takes 0.25 s, which
# importing numba would more than double; the same holds for the scikit-learn drop-in on
# digits (7,510 parameters, Z of 200 × 100). So: compiled at 50,000 parameters or more (the
# medium network has 235,146) and, per layer, at 32,768 entries of Z or more (medium's
# first layer: 128 × 256).
MIN_PARAMS = 50_000
MIN_ENTRIES = 32_768
THREADING_LAYER = "workqueue"

_state: dict[str, Any] = {}
LOCK = threading.Lock()


def enabled() -> bool:
    """True unless GLASSNET_KERNELS=numpy asks for the NumPy path everywhere."""
    return os.environ.get("GLASSNET_KERNELS", "").lower() != "numpy"


def load() -> tuple[ModuleType, ModuleType] | None:
    """(steps, elementwise), the compiled kernel modules, or None without numba.

    The first call imports numba and sets its threading layer (before any parallel call).
    """
    if "modules" in _state:
        return _state["modules"]
    try:
        import numba
    except ImportError:
        _state["modules"] = None
        return None
    numba.config.THREADING_LAYER = THREADING_LAYER  # type: ignore[attr-defined]
    from glassnet.kernels import elementwise, steps

    _state["modules"] = (steps, elementwise)
    set_threads(_state.get("threads"))
    return _state["modules"]


def set_threads(threads: int | None) -> None:
    """Run parallel kernels on ``threads`` threads (None: all), as BLAS does: the fit's
    timed thread choice (``glassnet.threads``) sets both, because on busy cores a parallel
    loop waits for its slowest thread just as a product does (an Adam step on 235k
    parameters measured 1.9 ms on two busy threads against 0.4 ms on one)."""
    _state["threads"] = threads
    if _state.get("modules") is not None:
        import numba

        numba.set_num_threads(threads or numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]


def for_params(n: int) -> ModuleType | None:
    """The compiled optimizer steps, where a vector of n parameters should use them."""
    if n < MIN_PARAMS or not enabled():
        return None
    modules = load()
    return None if modules is None else modules[0]


def for_layer(entries: int) -> ModuleType | None:
    """The compiled elementwise kernels, where a layer's Z of ``entries`` should use them."""
    if entries < MIN_ENTRIES or not enabled():
        return None
    modules = load()
    return None if modules is None else modules[1]
