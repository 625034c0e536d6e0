"""How many BLAS threads the training steps use: one for small products, else the faster.

BLAS splits every matrix product between its threads and waits for the slowest. For a small
product, waking a second thread costs more than it saves (measured: 2.5 ms against
0.7 ms a step). For a big one it depends on the machine: on idle cores all threads are
faster; on cores shared with other work, each product waits for a descheduled thread, and
one thread can be ten times faster (a 784-256-128-10 epoch on 2 busy cores: 24-40 s with
2 threads, 2.3-3.7 s with one). So a fit with big products times its first steps both ways
and keeps the faster. Where the optional MKL GEMM is installed (``glassnet[mkl]``), the same
trial times MKL's products too, on one thread and on all (``glassnet.kernels.mkl`` says
where it was faster), and ``history.gemm`` says which library the fit kept.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import sys
import time
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import kernels
from glassnet.kernels import mkl  # (loads no library until asked)

if TYPE_CHECKING:
    from glassnet.network import Network

# Below this many multiply-adds in every layer's product n·i·o, one thread. (Measured on
# AMD EPYC Zen 4: the drop-in's 200·64·100 = 1.28M product alone took 29.0 µs on one thread
# and 20.5 µs on two, but 50 epochs of its fit took 0.148-0.154 s on one thread against
# 0.153-0.245 s on two, alternately three times: one thread it is.)
SMALL_PRODUCT = 2_000_000
# NumPy's OpenBLAS runs a product below 4 × 65,536 multiply-adds on one thread by itself (its
# GEMM_MULTITHREAD_THRESHOLD; measured: 32·64·64 and 64·64·64 take the same time limited to
# one thread or not). A fit whose products are all smaller limits nothing, which spares the
# threadpoolctl scan of the loaded libraries (~30 ms on first use) and a limit per fit.
OPENBLAS_ONE_THREAD = 262_144
# Steps timed with one thread and with all, alternately, before the faster is kept (fewer
# when one setting is clearly faster: a trial step on the slower setting costs time).
TRIAL_STEPS = 3

_controller: Any = None
_modules_seen = 0
_NOTHING = contextlib.nullcontext()


@functools.cache
def _numpy_uses_openblas() -> bool:
    """Whether NumPy's products run on OpenBLAS (the wheels' BLAS), from its build config."""
    config: Any = getattr(np, "__config__", None)
    blas = getattr(config, "CONFIG", {}).get("Build Dependencies", {}).get("blas", {})
    return "openblas" in str(blas.get("name", "")).lower()


def _limit(threads: int) -> Any:
    """Limit BLAS to ``threads``; the returned limiter's restore_original_limits() undoes it."""
    global _controller, _modules_seen
    # finding the libraries takes ~0.5 ms: do it again only after an import, which may have
    # loaded another BLAS (scipy brings its own OpenBLAS)
    # (MKL's library, loaded through ctypes, changes no module: count it as one)
    seen = len(sys.modules) + mkl.loaded()
    if _controller is None or seen != _modules_seen:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
        _modules_seen = seen
    return _controller.limit(limits=threads, user_api="blas")


@contextlib.contextmanager
def blas_threads(threads: int | None) -> Iterator[None]:
    """Limit BLAS to ``threads`` inside the block (None: leave it alone)."""
    if threads is None:
        yield
        return
    limiter = _limit(threads)
    try:
        yield
    finally:
        limiter.restore_original_limits()


Setting = tuple[int | None, str]  # (BLAS threads: 1 or None for all, GEMM: "numpy" or "mkl")


class BlasThreads:
    """The BLAS threads (and GEMM) of one fit: ``with BlasThreads(net, batch_size) as threads:``.

    ``choice`` is 1 or None (BLAS's own number) and ``gemm`` the library of the layers'
    products: "numpy", or "mkl" where ``glassnet.kernels.mkl`` is available. While
    ``trying``, wrap each step in ``threads.trial()``, which takes the settings in turn and
    then keeps the fastest (median time).
    """

    def __init__(self, net: Network, batch_size: int) -> None:
        self.net = net
        largest = max(batch_size * l.fan_in * l.fan_out for l in net.layers)
        self.choice: int | None = 1 if largest < SMALL_PRODUCT else None
        # one thread without a limit: OpenBLAS threads none of these products
        self.one_anyway = largest < OPENBLAS_ONE_THREAD and _numpy_uses_openblas()
        # the GEMM libraries this fit may use (the first unless a trial picks another)
        self.gemms = choices() if mkl.choice() or largest >= SMALL_PRODUCT else ["numpy"]
        self.gemm = self.gemms[0]
        self.times: dict[Setting, list[float]] | None = None
        if largest >= SMALL_PRODUCT:
            self.times = {(t, g): [] for g in self.gemms for t in (1, None)}
        self._limiter: Any = None
        self._idle_token: Any = None

    @property
    def trying(self) -> bool:
        return self.times is not None

    @property
    def setting(self) -> Setting:
        """(threads, gemm): what the steps run with now."""
        return self.choice, self.gemm

    def keep(self, choice: int | None, gemm: str | None) -> None:
        """End the trial with a setting decided before (a resumed run's checkpoint): its
        threads, and its GEMM where this fit may use it (else this fit's first)."""
        self.choice, self.times = choice, None
        self.gemm = gemm if gemm in self.gemms else self.gemms[0]

    def _use(self, setting: Setting) -> None:
        threads, gemm = setting
        if self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None
        if threads is not None and not (threads == 1 and self.one_anyway and gemm == "numpy"):
            self._limiter = _limit(threads)
        # MKL's threads sleep when a product ends: the other core is free for the optimizer
        kernels.idle_core.set(gemm == "mkl" and threads is None)
        dot = mkl.dot if gemm == "mkl" else np.dot
        for layer in self.net.layers:
            layer.gemm = dot

    def __enter__(self) -> BlasThreads:  # noqa: PYI034 (Self needs Python 3.11)
        self._idle_token = kernels.idle_core.set(False)  # (reset on exit: fits can nest)
        self._use(self.setting)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._use((None, "numpy"))
        kernels.idle_core.reset(self._idle_token)

    def trial(self) -> contextlib.AbstractContextManager[None]:
        """Around one step: while trying, time it with each setting in turn and keep the
        fastest for the rest of the fit: after any round if it is 1.5 times faster than
        every other, else after TRIAL_STEPS rounds."""
        return self._timed() if self.times is not None else _NOTHING

    @contextlib.contextmanager
    def _timed(self) -> Iterator[None]:
        assert self.times is not None
        setting = min(self.times, key=lambda s: len(self.times[s]))  # type: ignore[index]
        self.choice, self.gemm = setting
        self._use(setting)
        start = time.perf_counter()
        yield
        self.times[setting].append(time.perf_counter() - start)
        if len({len(t) for t in self.times.values()}) > 1:
            return  # decide after whole rounds only
        medians = {s: statistics.median(t) for s, t in self.times.items()}
        best = min(medians, key=medians.__getitem__)
        rounds = len(self.times[best])
        clear = all(m >= 1.5 * medians[best] for s, m in medians.items() if s != best)
        if rounds >= TRIAL_STEPS or clear:
            (self.choice, self.gemm), self.times = best, None
            self._use(best)


def choices() -> list[str]:
    """The GEMM libraries a trial compares: NumPy's, and MKL where it is installed;
    ``GLASSNET_GEMM`` fixes one (an error if that one is MKL and it is missing)."""
    forced = mkl.choice()
    if forced == "mkl" and not mkl.available():
        raise RuntimeError(
            "GLASSNET_GEMM=mkl, but MKL's runtime library was not found in this environment's "
            "lib/: pip install -e '.[mkl]' in a glassnet clone (or unset GLASSNET_GEMM)"
        )
    if forced is not None:
        return [forced]
    return ["numpy", "mkl"] if mkl.available() else ["numpy"]
