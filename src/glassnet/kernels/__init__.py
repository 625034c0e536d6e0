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

The loops are serial (``glassnet.kernels.steps`` says why, with the measurements), and the
kernels, which release the GIL and share no state, are safe to call from several Python
threads at once. One exception uses that: where a fit's products run on MKL
(``glassnet.kernels.mkl``), whose threads sleep as soon as a product ends, the optimizer step
of a network of ``SPLIT_PARAMS`` parameters or more runs as two halves on two threads
(``idle_core``); NumPy's OpenBLAS keeps a thread spinning after each product, and there the
split gained nothing (measured below).
"""

from __future__ import annotations

import contextvars
import os
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

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
# Measured on an Intel Xeon (AVX-512, 2 cores), the large benchmark (8.4M parameters, Adam):
# one step 7.0 ms serial against 5.8 ms as two halves on two threads alone; in the training
# loop, an epoch 2.26-2.45 s against 2.45-2.56 s with MKL's products (alternately, 3 pairs),
# and 2.83-2.97 s against 2.91-2.97 s with OpenBLAS's (no gain: its spinning thread holds the
# other core). Medium's 235k parameters took 177 µs split against 123 µs serial.
SPLIT_PARAMS = 2_000_000

# Set (per thread) by a fit whose products leave the other core idle between them
# (glassnet.threads: MKL's products on all threads): its big optimizer steps are split.
idle_core: contextvars.ContextVar[bool] = contextvars.ContextVar("idle_core", default=False)

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


def for_params(n: int) -> ModuleType | Halves | None:
    """The compiled optimizer steps, where a vector of n parameters should use them: the
    module ``glassnet.kernels.steps``, or its kernels split in ``Halves`` (``idle_core``)."""
    if n < MIN_PARAMS or not enabled():
        return None
    modules = load()
    if modules is None:
        return None
    if n >= SPLIT_PARAMS and idle_core.get():
        return Halves(modules[0])
    return modules[0]


class Halves:
    """Each kernel of ``steps`` run on the two halves of its vectors at once: the second on
    a worker thread, the first on the caller's (the kernels release the GIL).

    A kernel's vectors are its arguments of the first argument's shape (P, G and the state);
    the rest (scalars, and the empty stand-ins of state a variant does not keep) go to both.
    An update of one entry reads no other entry, so the result is the serial pass's, bit for bit.
    """

    _pool: ThreadPoolExecutor | None = None

    def __init__(self, steps: ModuleType) -> None:
        self.steps = steps

    def __getattr__(self, name: str) -> Any:
        kernel = getattr(self.steps, name)

        def run(*args: Any) -> None:
            shape = args[0].shape
            cut = shape[0] // 2
            vector = [isinstance(a, np.ndarray) and a.shape == shape for a in args]
            first = [a[:cut] if v else a for a, v in zip(args, vector, strict=True)]
            second = [a[cut:] if v else a for a, v in zip(args, vector, strict=True)]
            done = Halves.pool().submit(kernel, *second)
            try:
                kernel(*first)
            finally:  # (even on an interrupt: nothing may write P after the step returns)
                done.result()

        return run

    @classmethod
    def pool(cls) -> ThreadPoolExecutor:
        """The one worker thread, started on first use (and again in a forked child, which
        inherits the pool but not its thread: a job sent there would never run)."""
        with _pool_lock:
            if cls._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                cls._pool = ThreadPoolExecutor(1, thread_name_prefix="glassnet-halves")
            return cls._pool

    @classmethod
    def _forget_pool(cls) -> None:
        """In a forked child: drop the parent's pool, whose thread the child does not have."""
        cls._pool = None


_pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=Halves._forget_pool)


def for_layer() -> ModuleType | None:
    """The compiled elementwise kernels, for a layer of a network that uses them
    (``Dense.compiled``: a network of ``MIN_PARAMS`` parameters or more)."""
    if not enabled():
        return None
    modules = load()
    return None if modules is None else modules[1]
