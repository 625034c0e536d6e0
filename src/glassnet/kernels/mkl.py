"""An optional faster GEMM: Intel MKL's ``cblas_sgemm`` / ``cblas_dgemm``, through ctypes.

``pip install -e '.[mkl]'`` in a glassnet clone installs the ``mkl`` wheel (its libraries land in the
environment's ``lib/``); nothing else changes. A fit whose products are big enough for the
BLAS-thread trial (``glassnet.threads``) then times its first steps on four settings, NumPy's
BLAS and MKL each on one thread and on all, and keeps the fastest;
``history.gemm`` says which ran. ``GLASSNET_GEMM=numpy`` or ``GLASSNET_GEMM=mkl`` in the
environment fixes the choice instead. Predictions always use NumPy.

Measured on an Intel Xeon (family 6 model 167, AVX-512, 2 cores), against NumPy 2.4.6's
OpenBLAS 0.3.31 (SkylakeX kernels): the large benchmark's 512·2048·2048 products 11.1–12.7 ms
with MKL 2026.2 against 13.0–14.0 ms, and a large epoch 2.30–2.35 s against 2.72–2.77 s,
alternately in one process; medium's 128·784·256 products were slower with MKL (293–376
against 210–326 µs), and on AMD EPYC (Zen 4, Zen 5) PyTorch's MKL (through ``torch.mm``) was
slower than OpenBLAS at every size we timed. Hence a trial, not a rule by vendor.

Two thread pools on two cores fight: MKL's Intel OpenMP threads spin for 200 ms after each
product (``KMP_BLOCKTIME``), which took the same epoch to 4.4 s when some of its products ran
on OpenBLAS. So a setting runs *all* of a fit's layer products on one library, and loading
MKL here sets ``KMP_BLOCKTIME=0`` unless the environment has set it already (2.30 s against
2.52 s an epoch with MKL alone). It is set in ``os.environ``, so child processes inherit it,
and it does nothing where Intel OpenMP was started before (by another library).

Results agree with NumPy's to rounding (tests/unit/test_mkl.py), not bit for bit: two fits of
the same seed can differ in the last bits when their trials chose differently. Set
``GLASSNET_GEMM=numpy`` where bit-for-bit repeatability matters more than speed.
"""

from __future__ import annotations

import ctypes
import glob
import os
import sys
import threading
from typing import Any

import numpy as np

from glassnet._typing import Array

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_INT_MAX = 2**31 - 1  # CBLAS's int (LP64): a bigger dimension goes to NumPy
_state: dict[str, Any] = {}
_lock = threading.Lock()


def choice() -> str | None:
    """``GLASSNET_GEMM`` from the environment: "numpy", "mkl", or None (let the trial choose)."""
    value = os.environ.get("GLASSNET_GEMM", "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in ("numpy", "mkl"):
        raise ValueError(f"GLASSNET_GEMM={value!r}: use 'numpy', 'mkl' or 'auto' (or unset it)")
    return value


def _library_paths() -> list[str]:
    """Where the ``mkl`` wheel puts libmkl_rt: the environment's lib/ (and the base's)."""
    found = []
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix)):
        found += sorted(glob.glob(os.path.join(prefix, "lib", "libmkl_rt.so*")), reverse=True)
    return found


def load() -> Any:
    """MKL's runtime library (ctypes), or None where it is not installed or
    ``GLASSNET_GEMM=numpy``. Loaded once (under a lock: a second thread waits for the
    first's load); the first load sets ``KMP_BLOCKTIME=0`` unless set."""
    if choice() == "numpy":
        return None
    if "lib" not in _state:
        with _lock:
            if "lib" not in _state:
                _state["lib"] = _open()
    return _state["lib"]


def _open() -> Any:
    """The first libmkl_rt that loads, set up for LP64 (32-bit int) CBLAS calls, or None."""
    paths = _library_paths()
    if paths:  # read when Intel OpenMP starts; no effect if another library started it
        os.environ.setdefault("KMP_BLOCKTIME", "0")  # (see the module docstring)
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        # the calls below pass C ints: MKL_INTERFACE_LAYER=ILP64 in the environment would
        # make MKL read 64-bit integers from them (a crash); LP64 is 0, set before any call
        lib.MKL_Set_Interface_Layer(0)
        for name, real in (("cblas_sgemm", ctypes.c_float), ("cblas_dgemm", ctypes.c_double)):
            gemm = getattr(lib, name)
            gemm.argtypes = [ctypes.c_int] * 6 + [real, ctypes.c_void_p, ctypes.c_int]
            gemm.argtypes += [ctypes.c_void_p, ctypes.c_int, real, ctypes.c_void_p]
            gemm.argtypes += [ctypes.c_int]
            gemm.restype = None
        return lib
    return None


def loaded() -> bool:
    """Whether MKL's library has been loaded into this process (by ``load``)."""
    return _state.get("lib") is not None


def available() -> bool:
    """Whether MKL's GEMM can be used here (installed, and not switched off)."""
    return load() is not None


def _layout(M: Array) -> tuple[int, int] | None:
    """(transpose flag, leading dimension) of a 2-D operand as CBLAS reads it in row-major
    order: a C-contiguous M as it is, a transposed view of one (F-contiguous) as Mᵀ."""
    if M.flags.c_contiguous:
        return _NO_TRANS, max(M.shape[1], 1)
    if M.flags.f_contiguous:
        return _TRANS, max(M.shape[0], 1)
    return None


def dot(A: Array, B: Array, out: Array) -> Array:
    """out = A @ B with MKL's GEMM; anything it does not take goes to ``np.dot``.

    MKL takes 2-D float32 or float64 operands of one dtype, each C-contiguous or the
    transposed view of one (``X.T``, ``W.T``), into a C-contiguous ``out`` of that dtype that
    overlaps neither, every dimension below 2³¹. The signature is ``np.dot``'s, so a layer
    can hold either.
    """
    lib = _state["lib"] if "lib" in _state else load()
    dtype = out.dtype
    if (
        lib is None
        or not out.flags.writeable
        or A.ndim != 2
        or B.ndim != 2
        or not (A.dtype == B.dtype == dtype)
        or dtype not in (np.float32, np.float64)
        or not out.flags.c_contiguous
        or out.shape != (A.shape[0], B.shape[1])
        or A.shape[1] != B.shape[0]
        or 0 in A.shape + B.shape
        or max(A.shape + B.shape) > _INT_MAX
        or np.may_share_memory(out, A)
        or np.may_share_memory(out, B)
    ):
        return np.dot(A, B, out=out)
    a, b = _layout(A), _layout(B)
    if a is None or b is None:
        return np.dot(A, B, out=out)
    gemm = lib.cblas_sgemm if dtype == np.float32 else lib.cblas_dgemm
    (m, k), n = A.shape, B.shape[1]
    gemm(_ROW_MAJOR, a[0], b[0], m, n, k, 1.0, A.ctypes.data, a[1], B.ctypes.data, b[1], 0.0,
         out.ctypes.data, n)  # fmt: skip
    return out


def version() -> str | None:
    """MKL's version string (e.g. "2026.2.1"), or None where it is not available."""
    lib = load()
    if lib is None:
        return None
    buf = ctypes.create_string_buffer(256)
    lib.MKL_Get_Version_String(buf, len(buf))
    text = buf.value.decode(errors="replace")
    # "Intel(R) oneAPI Math Kernel Library Version 2026.2-Product Build 20260917 for ..."
    for word in text.replace(",", " ").split():
        if word[:1].isdigit() and "." in word:
            return word.split("-")[0]
    return text.strip() or None
