"""What the machine can do, measured in the run: its CPU, an FMA loop, sgemm, and the
GEMM-only bound of an epoch (the products of forward, dW and dX alone, same shapes, NumPy).

Nothing here is a fixed figure: the % columns of the benchmark table divide by what this
module measured in the same run.
"""

from __future__ import annotations

import itertools
import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile")


def cpu() -> dict[str, Any]:
    """The CPU: model name, family and model numbers, SIMD flags of interest, cores this
    process may use."""
    model, flags, numbers = platform.processor() or "unknown", set(), {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                key, _, value = (part.strip() for part in line.partition(":"))
                if key == "model name" and model in ("unknown", platform.processor()):
                    model = value
                elif key in ("cpu family", "model") and value.isdigit():
                    numbers["family" if key == "cpu family" else "model_number"] = int(value)
                elif key == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "model": model,
        **numbers,
        "flags": [f for f in FLAGS if f in flags],
        "cores": cores,
    }


# AMD's Zen generations by (cpu family, model range) in /proc/cpuinfo: the model name of a
# cloud guest is often only "AMD EPYC", and Zen 3, 4 and 5 differ in SIMD width and BLAS speed
_ZEN = (
    (23, range(0x30), "Zen"),
    (23, range(0x30, 0x100), "Zen 2"),
    (25, range(0x10, 0x20), "Zen 4"),
    (25, range(0x60, 0x80), "Zen 4"),
    (25, range(0xA0, 0xB0), "Zen 4"),
    (25, range(0x100), "Zen 3"),
    (26, range(0x100), "Zen 5"),
)


def generation(info: dict[str, Any]) -> str | None:
    """The AMD Zen generation from the family and model numbers, or None (other vendors,
    unknown numbers)."""
    if "AMD" not in str(info["model"]):
        return None
    family, model = info.get("family"), info.get("model_number")
    for fam, models, name in _ZEN:
        if family == fam and isinstance(model, int) and model in models:
            return name
    return None


def kind(info: dict[str, Any]) -> str:
    """A short name of the CPU kind for the tables: vendor (AMD's Zen generation where the
    numbers tell it) and widest SIMD."""
    model = str(info["model"])
    vendor = "AMD" if "AMD" in model else "Intel" if "Intel" in model else model.split()[0]
    zen = generation(info)
    vendor = f"{vendor} {zen}" if zen else vendor
    simd = "AVX-512" if "avx512f" in info["flags"] else "AVX2" if "avx2" in info["flags"] else ""
    return f"{vendor} {simd}".strip()


def blas() -> str:
    """NumPy's BLAS as it runs here: library, version, the kernel it picked, and the
    OPENBLAS_* variables that choose it (some machines set OPENBLAS_CORETYPE, which forces
    a kernel whatever the CPU; PyTorch's MKL does not read it)."""
    from threadpoolctl import threadpool_info

    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return "none found by threadpoolctl"
    # NumPy's own (in numpy/ or its wheel's numpy.libs/), where another library such as
    # scipy has loaded a BLAS of its own too (threadpoolctl may list that one first)
    numpy_dir = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy")
    p = next((p for p in pools if str(p.get("filepath", "")).startswith(numpy_dir)), pools[0])
    line = f"{p.get('internal_api')} {p.get('version')}, {p.get('architecture')} kernel"
    env = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("OPENBLAS_")]
    return f"{line} ({', '.join(env) or 'no OPENBLAS_* variable'})"


def mkl() -> str:
    """Whether glassnet's optional MKL GEMM is here (``glassnet[mkl]``), and its version:
    a fit with big products then times it against NumPy's BLAS (``glassnet.kernels.mkl``)."""
    from glassnet.kernels import mkl

    if mkl.choice() == "numpy":
        return "switched off (GLASSNET_GEMM=numpy)"
    if not mkl.available():
        return (
            "not installed (pip install -e '.[mkl]' in a glassnet clone: a GEMM for big networks)"
        )
    forced = " (GLASSNET_GEMM=mkl: every fit)" if mkl.choice() == "mkl" else ""
    return f"{mkl.version()}, a fit's trial may choose it{forced}"


# ---- the FMA loop ---------------------------------------------------------------------------

_FMA_LANES = 128  # 16 AVX2 registers (8 AVX-512) of float32, each a chain of its own


def _fma_kernel() -> Any:
    """x ← x·m + c, four times per entry of a 128-float block, for ``reps`` passes, in every
    numba thread: four FMAs per load and store keep the FMA units, not memory, the limit."""
    import numba

    # workqueue, not omp: omp's threads busy-wait after the loop and would slow the sgemm
    # measured next (glassnet.kernels.steps)
    numba.config.THREADING_LAYER = "workqueue"  # type: ignore[attr-defined]

    @numba.njit(fastmath=True, parallel=True)
    def fma(reps: int, m: Any, c: Any, threads: int) -> Any:
        out = np.zeros(threads * _FMA_LANES, np.float32)
        for t in numba.prange(threads):
            a = out[t * _FMA_LANES : (t + 1) * _FMA_LANES]
            for j in range(_FMA_LANES):
                a[j] = np.float32(j)
            for _ in range(reps):
                for j in range(_FMA_LANES):
                    x = a[j]
                    x = x * m + c
                    x = x * m + c
                    x = x * m + c
                    x = x * m + c
                    a[j] = x
        return out

    return fma


def fma_rate() -> dict[str, Any]:
    """GFLOP/s of the FMA loop (float32) on all cores and on one; best of 5. A measured lower
    bound of the FMA peak (needs numba; without it, nothing)."""
    try:
        fma = _fma_kernel()
    except ImportError:
        return {"missing": "numba is not installed (pip install -e '.[fast]' in a glassnet clone)"}
    import numba

    m, c = np.float32(0.999999), np.float32(1e-7)
    reps = 200_000
    rates = {}
    for name, threads in (("all_threads", numba.get_num_threads()), ("one_thread", 1)):
        fma(10, m, c, threads)  # compile
        best = min(_time_call(fma, reps, m, c, threads) for _ in range(5))
        rates[name] = 2 * 4 * _FMA_LANES * reps * threads / best / 1e9
    return {"value": max(rates.values()), **rates}


# ---- sgemm and the GEMM-only bound ------------------------------------------------------------


def sgemm_rate() -> dict[str, Any]:
    """The best float32 matmul rate NumPy reaches here (2048² @ 2048², best of 5), with all
    BLAS threads and with one."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((2048, 2048), dtype=np.float32) for _ in range(2))
    c = np.empty_like(a)
    rates = {}
    for name, threads in (("all_threads", None), ("one_thread", 1)):
        with threadpool_limits(threads, user_api="blas"):
            np.matmul(a, b, out=c)
            best = min(_time(lambda: np.matmul(a, b, out=c)) for _ in range(5))
        rates[name] = 2 * 2048**3 / best / 1e9
    return {"value": max(rates.values()), **rates}


def gemm_bound(
    sizes: Sequence[int], rows: int, batch: int, repeats: int = 2, dot: Any = np.dot
) -> dict[str, Any]:
    """Seconds of one epoch's products alone: per batch, Z = X·W for every layer, then
    dW = Xᵀ·E and dX = E·Wᵀ (no dX for the first layer), float32, into preallocated buffers.
    The faster of all BLAS threads and one, as glassnet's fit chooses; the fastest of
    ``repeats`` epochs each, as the systems' epochs are timed. ``dot``: NumPy's products
    (the bound of the targets), or ``glassnet.kernels.mkl.dot`` for MKL's."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    pairs = list(itertools.pairwise(sizes))
    W = [rng.standard_normal((i, o), dtype=np.float32) for i, o in pairs]
    steps = [min(batch, rows - s) for s in range(0, rows, batch)]
    shapes = sorted(set(steps))
    A = {n: [rng.standard_normal((n, k), dtype=np.float32) for k in sizes] for n in shapes}
    dW = [np.empty_like(w) for w in W]

    def epoch() -> None:
        for n in steps:
            acts = A[n]
            for l, w in enumerate(W):  # forward: Z = X·W (A holds X of each layer, and E)
                dot(acts[l], w, out=acts[l + 1])
            for l in reversed(range(len(W))):
                dot(acts[l].T, acts[l + 1], out=dW[l])  # dW = Xᵀ·E
                if l > 0:
                    dot(acts[l + 1], W[l].T, out=acts[l])  # dX = E·Wᵀ

    times = {}
    for name, threads in (("all_threads", None), ("one_thread", 1)):
        with threadpool_limits(threads, user_api="blas"):
            epoch()  # warm up
            times[name] = min(_time(epoch) for _ in range(repeats))
    flops = sum(2.0 * rows * i * o * (2 if k == 0 else 3) for k, (i, o) in enumerate(pairs))
    best = min(times.values())
    return {"value": best, **times, "gflops": flops / best / 1e9}


def _time_call(f: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter()
    f(*args)
    return time.perf_counter() - start


def _time(f: Callable[[], Any]) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def describe(info: dict[str, Any]) -> str:
    """One line: model, family and model numbers, flags, cores."""
    flags = ", ".join(info["flags"]) or "no AVX"
    numbers = f"family {info['family']} model {info['model_number']}; " if "family" in info else ""
    return f"{info['model']} ({numbers}{flags}; {info['cores']} cores)"
