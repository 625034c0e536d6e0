"""The compiled kernels (glassnet.kernels) against the NumPy reference: every optimizer and
every activation with scalar rules, float32 and float64; the threading layer; the sizes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import kernels
from glassnet.activations import ACTIVATIONS, get_activation
from glassnet.kernels import elementwise
from glassnet.sklearn.solvers import SklearnAdam, SklearnSGD

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 2e-6, np.float64: 1e-13}

OPTIMIZERS: list[Callable[[], Any]] = [
    lambda: gn.SGD(0.1),
    lambda: gn.SGD(0.1, weight_decay=0.01),
    lambda: gn.SGD(0.1, momentum=0.9),
    lambda: gn.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda: gn.Adam(),
    lambda: gn.Adam(weight_decay=0.1),
    lambda: gn.AdamW(),
    lambda: gn.RMSprop(),
    lambda: gn.RMSprop(momentum=0.9),
    lambda: gn.RMSprop(momentum=0.9, centered=True, weight_decay=0.1),
    lambda: SklearnAdam(1e-3),
    lambda: SklearnSGD(0.1, 0.9, True),
    lambda: SklearnSGD(0.1, 0.9, False),
]


def _steps(make: Callable[[], Any], P0: Any, Gs: list[Any], mode: str, monkeypatch: Any) -> Any:
    monkeypatch.setenv("GLASSNET_KERNELS", mode)
    opt, P = make(), P0.copy()
    for G in Gs:
        opt.step(P, G)
    return P, opt


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make", OPTIMIZERS, ids=lambda m: repr(m()))
def test_compiled_step_equals_numpy(make: Any, dtype: Any, monkeypatch: Any) -> None:
    rng = np.random.default_rng(0)
    n = kernels.MIN_PARAMS + 7  # big enough for the compiled path, odd on purpose
    P0 = rng.standard_normal(n).astype(dtype)
    Gs = [rng.standard_normal(n).astype(dtype) for _ in range(3)]
    compiled, opt = _steps(make, P0, Gs, "", monkeypatch)
    reference, ref = _steps(make, P0, Gs, "numpy", monkeypatch)
    assert compiled.dtype == dtype
    _close(compiled, reference, dtype)
    for name in ("M", "V", "Gbar", "B"):  # the state too, under the same names
        a, b = getattr(opt, name, None), getattr(ref, name, None)
        assert (a is None) == (b is None)
        if a is not None:
            _close(a, b, dtype)


@pytest.mark.parametrize("make", OPTIMIZERS, ids=lambda m: repr(m()))
def test_a_step_split_in_halves_equals_the_serial_step_bit_for_bit(
    make: Any, monkeypatch: Any
) -> None:
    """Where the other core is idle (``kernels.idle_core``: a fit on MKL's products), a big
    step runs as two halves on two threads: each entry's update reads no other entry."""
    rng = np.random.default_rng(1)
    n = kernels.MIN_PARAMS + 7
    monkeypatch.setattr(kernels, "SPLIT_PARAMS", n)
    P0 = rng.standard_normal(n).astype(np.float32)
    Gs = [rng.standard_normal(n).astype(np.float32) for _ in range(3)]
    serial, opt = _steps(make, P0, Gs, "", monkeypatch)
    token = kernels.idle_core.set(True)
    try:
        assert isinstance(kernels.for_params(n), kernels.Halves)
        assert not isinstance(kernels.for_params(n - 1), kernels.Halves)  # below SPLIT_PARAMS
        split, opt2 = _steps(make, P0, Gs, "", monkeypatch)
    finally:
        kernels.idle_core.reset(token)
    assert not isinstance(kernels.for_params(n), kernels.Halves)
    np.testing.assert_array_equal(split, serial)
    for name in ("M", "V", "Gbar", "B"):
        if getattr(opt, name, None) is not None:
            np.testing.assert_array_equal(getattr(opt2, name), getattr(opt, name))


def _split_step_in_a_child(queue: Any) -> None:
    P = np.ones(8, np.float32)
    token = kernels.idle_core.set(True)
    kernels.Halves(kernels.load()[0]).sgd(P, np.ones_like(P), np.float32(0.5), np.float32(0))
    kernels.idle_core.reset(token)
    queue.put(P.tolist())


def test_a_forked_child_gets_a_worker_of_its_own() -> None:
    """A child forked after a split step inherits the pool without its thread; it must not
    wait forever for a job sent there."""
    import multiprocessing

    kernels.Halves.pool().submit(int).result()  # the parent's worker exists
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_split_step_in_a_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive, "the child's split step never finished"
    assert queue.get(timeout=5) == [0.5] * 8


def _close(a: Any, b: Any, dtype: Any) -> None:
    """Equal to a few roundings of the dtype, relative to the vector's scale (one rounding
    apart in an intermediate can differ more in a small entry after a subtraction)."""
    tol = TOL[dtype] * max(1.0, float(np.abs(b).max()))
    np.testing.assert_allclose(a, b, rtol=TOL[dtype], atol=tol)


def test_small_vectors_take_the_numpy_path() -> None:
    assert kernels.for_params(kernels.MIN_PARAMS - 1) is None
    assert kernels.for_params(kernels.MIN_PARAMS) is not None


COMPILED = sorted(n for n, cls in ACTIVATIONS.items() if cls.scalar_f is not None)


def test_every_elementwise_activation_has_scalar_rules() -> None:
    assert set(ACTIVATIONS) - set(COMPILED) == {"softmax"}  # a Jacobian, not elementwise


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", COMPILED)
def test_compiled_layer_loops_equal_numpy(name: str, dtype: Any) -> None:
    act = get_activation(name)
    rng = np.random.default_rng(1)
    Z0 = (3 * rng.standard_normal((37, 29))).astype(dtype)
    Z0[0, :3] = [0.0, -30.0, 30.0]
    B = rng.standard_normal((1, 29)).astype(dtype)
    dA = rng.standard_normal(Z0.shape).astype(dtype)
    Z, A = Z0.copy(), np.empty_like(Z0)
    assert elementwise.forward(act, Z, B, A)
    Zr = Z0 + B
    Ar = act.f(Zr)
    tol = {np.float32: 3e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(Z, Zr, rtol=tol, atol=tol)
    np.testing.assert_allclose(A, Ar, rtol=tol, atol=tol)
    E, dB = np.empty_like(Z), np.full_like(B, np.nan)
    assert elementwise.backward(act, dA, Z, A, E, dB)
    E_ref = act.backward(dA, Zr, Ar)
    np.testing.assert_allclose(E, E_ref, rtol=tol, atol=tol)
    np.testing.assert_allclose(dB, E_ref.sum(axis=0, keepdims=True), rtol=tol, atol=10 * tol)
    E2 = dA.copy()  # E may be dA itself
    elementwise.backward(act, E2, Z, A, E2, dB)
    np.testing.assert_allclose(E2, E)


def test_parameterised_activations_use_their_parameter() -> None:
    Z = np.full((2, 3), -2.0)
    A = np.empty_like(Z)
    elementwise.forward(gn.activations.LeakyReLU(0.2), Z, np.zeros((1, 3)), A)
    np.testing.assert_allclose(A, -0.4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_softmax_forward_equals_numpy(dtype: Any) -> None:
    """Softmax has one hand-written forward loop (no scalar rules: it mixes a row)."""
    act = get_activation("softmax")
    rng = np.random.default_rng(3)
    Z0 = (5 * rng.standard_normal((37, 10))).astype(dtype)
    Z0[0] = [80.0, -80.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]  # saturated: no overflow
    B = rng.standard_normal((1, 10)).astype(dtype)
    Z, A = Z0.copy(), np.empty_like(Z0)
    assert elementwise.forward(act, Z, B, A)
    assert A.dtype == dtype
    tol = {np.float32: 3e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(Z, Z0 + B, rtol=tol, atol=tol)
    np.testing.assert_allclose(A, act.f(Z0 + B), rtol=tol, atol=tol)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=tol)
    E = np.empty_like(Z)  # its backward pass is the loss's fused error or NumPy's Jacobian
    assert not elementwise.backward(act, A, Z, A, E, B.copy())


def test_custom_activations_have_no_compiled_loop() -> None:
    class Square(gn.Activation):
        def f(self, Z):  # type: ignore[no-untyped-def]
            return Z * Z

    class MySoftmax(gn.activations.Softmax):  # a subclass may change the rule
        pass

    Z = np.ones((2, 2))
    assert not elementwise.forward(Square(), Z, Z[:1], Z.copy())
    assert not elementwise.forward(MySoftmax(), Z, Z[:1], Z.copy())


def test_a_network_compiles_all_its_layers_or_none() -> None:
    """One rule (glassnet.kernels): the compiled elementwise passes go with the compiled
    optimizer step, for every layer of a network of MIN_PARAMS parameters or more."""
    small, big = gn.Network([64, 64, 10]), gn.Network([784, 256, 128, 10])
    assert small.n_params < kernels.MIN_PARAMS <= big.n_params
    assert not any(layer.compiled for layer in small.layers)
    assert all(layer.compiled for layer in big.layers)
    assert all(layer.compiled for layer in big.copy().layers)  # copies keep it


def test_training_with_and_without_kernels_agrees(monkeypatch: Any) -> None:
    """A network big enough for every compiled path trains to the same weights (float64)."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((256, 64))
    y = rng.integers(0, 3, 256)
    nets = []
    for mode in ("", "numpy"):
        monkeypatch.setenv("GLASSNET_KERNELS", mode)
        net = gn.Network([64, 512, 128, 3], activation="tanh", loss="cross_entropy",
                         dtype="float64", seed=0)  # fmt: skip
        assert net.n_params >= kernels.MIN_PARAMS and all(l.compiled for l in net.layers)
        net.fit(X, y, epochs=2, batch_size=128, optimizer="adam")
        nets.append(net.P.copy())
    np.testing.assert_allclose(nets[0], nets[1], rtol=1e-10, atol=1e-12)


def test_a_compiled_step_starts_no_thread_pool() -> None:
    """The loops are serial (glassnet.kernels.steps: a parallel launch cost ~95 µs, and omp's
    threads starved OpenBLAS): after compiled steps no numba threading layer was started."""
    code = (
        "import numpy as np, glassnet as gn, numba\n"
        "from glassnet import kernels\n"
        "P = np.zeros(kernels.MIN_PARAMS, np.float32)\n"
        "for opt in (gn.Adam(), gn.SGD(momentum=0.9), gn.RMSprop(centered=True)):\n"
        "    opt.step(P, np.ones_like(P))\n"
        "assert kernels.for_params(P.size) is not None\n"
        "try:\n"
        "    print(numba.threading_layer())\n"
        "except ValueError:\n"
        "    print('none')\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "none"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_steps_follow_numpys_float_rules(dtype: str) -> None:
    """NumPy's error model: 0/0 is nan and x/0 is inf, as in the NumPy step, not a
    ZeroDivisionError (numba's default model checks each division, which stops the loop
    vectorising)."""
    n = kernels.MIN_PARAMS
    G = np.zeros(n, dtype)
    G[:2] = 1.0
    compiled, reference = np.ones(n, dtype), np.ones(n, dtype)
    gn.Adam(eps=0.0).step(compiled, G)  # M = V = 0 where G = 0: P − step · 0/0
    numpy_adam = gn.Adam(eps=0.0)
    numpy_adam.t = 1
    with np.errstate(invalid="ignore"):
        numpy_adam._step(reference, G)
    assert np.isnan(compiled[2:]).all() and np.isfinite(compiled[:2]).all()
    np.testing.assert_array_equal(compiled, reference)


def test_import_glassnet_does_not_import_numba() -> None:
    code = "import sys, glassnet, glassnet.sklearn; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
