"""Optimizers on the flat parameter vector P and gradient vector G, updated in place.

The update rules and defaults are PyTorch's (``torch.optim``), so that a step here can be
checked against a step there exactly. ``learning_rate`` is an attribute that a schedule
may change between steps; the state vectors are allocated on the first step.

Each optimizer writes its rule twice, once per form the engine needs: ``_step``, readable
NumPy on whole vectors (the reference, and the path of small networks), and ``_compiled``,
the same rule as one fused, compiled pass over P, G and the state (``glassnet.kernels.steps``),
used from ``kernels.MIN_PARAMS`` parameters up; tests check the two against each other.

State belongs to its run: the state (moments, step count ``t``) is bound to the parameter
vector P it was made for (``bind``). ``fit`` binds the optimizer to ``net.P``: a second
``fit`` of the same network continues with the same moments and step count (as Keras does);
an optimizer holding the state of another network's vector starts fresh, with an
:class:`OptimizerStateWarning`. ``state()`` and ``load_state()`` export and import the
state for checkpoints.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from glassnet import kernels
from glassnet._typing import Array

# Elementwise updates run over blocks of this many bytes per vector, doing every operation
# on one block before the next: the block of P, G, the two moments and the scratch space
# (5 MiB) stays in cache instead of streaming whole vectors from memory once per operation.
# Measured on the large network's 8.4M parameters: one Adam step took 33 ms on whole
# vectors, 20 ms in 1 MiB blocks (22 ms at 256 KiB, 31 ms at 32 KiB, where calls add up).
BLOCK_BYTES = 1 << 20


def block_size(P: Array) -> int:
    """Entries of P per block."""
    return max(1, BLOCK_BYTES // P.itemsize)


def blocks(P: Array) -> Iterator[slice]:
    """Consecutive slices of P, block_size(P) entries each (the last one shorter)."""
    step = block_size(P)
    for start in range(0, P.size, step):
        yield slice(start, min(start + step, P.size))


class OptimizerStateWarning(UserWarning):
    """An optimizer held the state of another network's parameters and started fresh."""


# Every FLUSH_EVERY steps, moments below 2**24 × the smallest normal number of P's dtype
# (float32: 2.0e-31) are set to 0. Where G is 0 (a dead unit, an input column that is always
# 0), a moment decays geometrically (Adam's M by β1 = 0.9 a step) and spends ~150 steps as a
# subnormal number on its way to 0, and arithmetic on subnormals is slow on Intel CPUs:
# measured on an Intel Xeon (AVX-512), the small benchmark's Adam step took 25.5 µs with the
# 192 subnormal entries of M it had after 50 epochs against 13.8 µs without them, and its
# epochs went from 2.2 to 2.7 ms after the 17th. From 2.0e-31, M needs ~160 steps at β1 = 0.9
# to become subnormal, so a flush every 32 steps catches it first. What is flushed moves P
# by less than lr · 2.0e-31 / eps (< 1e-25 with PyTorch's defaults), below float32's
# resolution of any P above 1e-18; in float64 the bound (3.7e-301) is never met in practice.
FLUSH_EVERY = 32
_FLUSH_BELOW = 2.0**24


class Optimizer:
    """Base class: ``step(P, G)`` applies one update to P in place."""

    name = "optimizer"
    # arrays that are scratch space, not state: neither exported nor compared
    scratch: tuple[str, ...] = ()
    # state arrays that decay where G is 0, kept out of the subnormal range (FLUSH_EVERY)
    moments: tuple[str, ...] = ()

    def __init__(self, learning_rate: float = 0.01) -> None:
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
        self.learning_rate = float(learning_rate)
        self.t = 0  # steps taken
        self._owner: Array | None = None  # the vector P the state was made for

    def bind(self, P: Array) -> bool:
        """Tie the state to the parameter vector P; True when it continues P's own state.

        The state made for P continues. State made for another vector (another network,
        or a copy) is forgotten with an OptimizerStateWarning: carried over, its moments,
        step count and learning rate would silently ruin the new run.
        """
        owner = getattr(self, "_owner", None)
        if owner is P:
            return True
        if owner is not None or self.t:
            warnings.warn(
                f"{type(self).__name__} held the state of another network's parameters "
                f"({self.t} steps): it starts fresh for this one; build one optimizer per "
                "network (e.g. inside the loop) to silence this",
                OptimizerStateWarning,
                stacklevel=4,
            )
            self.reset()
        self._owner = P
        return False

    def state(self) -> tuple[dict[str, Array], dict[str, Any]]:
        """The state to checkpoint: (its arrays by attribute name, {"t": steps taken})."""
        arrays = {
            k: v
            for k, v in vars(self).items()
            if isinstance(v, np.ndarray) and not k.startswith("_") and k not in self.scratch
        }
        return arrays, {"t": self.t}

    def load_state(self, arrays: dict[str, Array], scalars: dict[str, Any], P: Array) -> None:
        """Put back a state exported by ``state()``, bound to P (arrays copied)."""
        self.reset()
        for k, v in arrays.items():
            setattr(self, k, np.array(v, dtype=P.dtype))
        self.t = int(scalars["t"])
        self._owner = P

    def hyperparameters(self) -> dict[str, Any]:
        """The settings that define the update rule (no state, no learning rate), as JSON."""
        out = {k: v for k, v in self._hyper().items() if k not in ("t", "learning_rate")}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    def step(self, P: Array, G: Array) -> None:
        """P ← P − learning_rate · (a direction computed from G)."""
        if getattr(self, "_owner", None) is None:
            self._owner = P  # the state made from here on is P's
        self.t += 1
        steps = kernels.for_params(P.size)
        contiguous = steps is not None and P.flags.c_contiguous and G.flags.c_contiguous
        if not (contiguous and self._compiled(steps, P, G, P.dtype.type)):
            self._step(P, G)
        if self.t % FLUSH_EVERY == 0 and self.moments:
            self._flush(P.dtype)

    def _flush(self, dtype: np.dtype[Any]) -> None:
        """Moments with |x| < 2²⁴ · (the dtype's smallest normal number) become 0."""
        below = float(np.finfo(dtype).tiny) * _FLUSH_BELOW
        for name in self.moments:
            A = getattr(self, name, None)
            if A is not None:
                np.copyto(A, 0, where=np.abs(A) < below)

    def _step(self, P: Array, G: Array) -> None:
        """The update in NumPy (the reference)."""
        raise NotImplementedError

    def _compiled(self, steps: Any, P: Array, G: Array, c: Any) -> bool:
        """The same update as one compiled pass (``c`` casts a number to P's dtype); False
        where there is none, and ``_step`` runs instead."""
        return False

    def reset(self) -> None:
        """Forget the state (moments, step count), keeping the hyperparameters."""
        self.t = 0
        self._owner = None
        for key, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                setattr(self, key, None)

    def _hyper(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in vars(self).items()
            if not k.startswith("_") and not isinstance(v, np.ndarray | type(None))
        }

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper().items() if k != "t")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent: W ← W − learning_rate · dW; with momentum, a velocity V:

    V ← momentum · V + G;  P ← P − learning_rate · V  (Nesterov: P ← P − lr · (G + momentum·V)).
    """

    name = "sgd"
    moments = ("V",)

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate)
        if nesterov and momentum <= 0:
            raise ValueError("nesterov=True needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay
        self.V: Array | None = None

    def _step(self, P: Array, G: Array) -> None:
        if self.weight_decay:
            G = G + self.weight_decay * P
        if not self.momentum:
            P -= self.learning_rate * G
            return
        if self.V is None:
            self.V = G.copy()  # PyTorch starts the velocity at the first gradient
        else:
            self.V *= self.momentum
            self.V += G
        D = G + self.momentum * self.V if self.nesterov else self.V
        P -= self.learning_rate * D

    def _compiled(self, steps: Any, P: Array, G: Array, c: Any) -> bool:
        lr, wd = c(self.learning_rate), c(self.weight_decay)
        if not self.momentum:
            steps.sgd(P, G, lr, wd)
            return True
        first = self.V is None
        if self.V is None:
            self.V = np.empty_like(P)
        steps.sgd_momentum(P, G, self.V, lr, wd, c(self.momentum), self.nesterov, first)
        return True


class Adam(Optimizer):
    """Adam: M ← β1·M + (1−β1)·G;  V ← β2·V + (1−β2)·G²;
    P ← P − lr · (M / (1−β1^t)) / (sqrt(V / (1−β2^t)) + eps).
    """

    name = "adam"
    moments = ("M", "V")
    # PyTorch adds eps to the bias-corrected sqrt(V / (1−β2^t)); scikit-learn adds it to
    # sqrt(V) before the correction (its SklearnAdam sets this True).
    eps_before_correction = False
    scratch = ("T",)

    def __init__(
        self,
        learning_rate: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate)
        self.betas, self.eps, self.weight_decay = tuple(betas), eps, weight_decay
        self.M: Array | None = None
        self.V: Array | None = None
        self.T: Array | None = None  # scratch space, so a step allocates nothing

    def _decay(self, P: Array, G: Array) -> Array:
        """Adam's L2 penalty is added to the gradient (AdamW decouples it instead)."""
        return G + self.weight_decay * P if self.weight_decay else G

    def _step(self, P: Array, G: Array) -> None:
        G = self._decay(P, G)
        if self.M is None or self.V is None:
            self.M, self.V = np.zeros_like(P), np.zeros_like(P)
        if self.T is None:  # scratch only: a restored state (load_state) comes without it
            self.T = np.empty(min(P.size, block_size(P)), dtype=P.dtype)
        b1, b2 = self.betas
        step_size = self.learning_rate / (1 - b1**self.t)  # lr / (1 − β1^t)
        root_bias2 = math.sqrt(1 - b2**self.t)  # sqrt(1 − β2^t)
        # block by block (see BLOCK_BYTES), all operations on a block while it is in cache
        M, V, T = self.M, self.V, self.T
        if P.size <= T.size:
            self._update(P, G, M, V, T, step_size, root_bias2)
            return
        for s in blocks(P):
            self._update(P[s], G[s], M[s], V[s], T[: s.stop - s.start], step_size, root_bias2)

    def _compiled(self, steps: Any, P: Array, G: Array, c: Any) -> bool:
        if self.M is None or self.V is None:
            self.M, self.V = np.zeros_like(P), np.zeros_like(P)
        b1, b2 = self.betas
        decoupled = isinstance(self, AdamW)
        wd = 1 - self.learning_rate * self.weight_decay if decoupled else self.weight_decay
        step_size = self.learning_rate / (1 - b1**self.t)  # lr / (1 − β1^t)
        root_bias2 = math.sqrt(1 - b2**self.t)  # sqrt(1 − β2^t)
        # M / (√V / r + eps) = r · M / (√V + r·eps), and M / ((√V + eps) / r) = r · M / (√V +
        # eps), with r = √(1 − β2^t): the same update with one division an entry
        eps = self.eps if self.eps_before_correction else self.eps * root_bias2
        steps.adam(
            P, G, self.M, self.V, c(wd), decoupled, c(b1), c(b2), c(1 - b1), c(1 - b2),
            c(step_size * root_bias2), c(eps),
        )  # fmt: skip
        return True

    def _update(
        self, P: Array, G: Array, M: Array, V: Array, T: Array, step_size: float, root_bias2: float
    ) -> None:
        """One block of the step, in place; T is scratch space."""
        b1, b2 = self.betas
        M *= b1
        np.multiply(G, 1 - b1, out=T)
        M += T  # M ← β1·M + (1−β1)·G
        V *= b2
        np.multiply(G, G, out=T)
        T *= 1 - b2
        V += T  # V ← β2·V + (1−β2)·G²
        np.sqrt(V, out=T)
        # with r = sqrt(1−β2^t): M / (√V / r + eps) = r·M / (√V + r·eps), and scikit-learn's
        # M / ((√V + eps) / r) = r·M / (√V + eps): one pass fewer than dividing √V by r
        T += self.eps if self.eps_before_correction else self.eps * root_bias2
        np.divide(M, T, out=T)
        T *= step_size * root_bias2
        P -= T  # P ← P − lr · (M / (1−β1^t)) / (sqrt(V / (1−β2^t)) + eps)


class AdamW(Adam):
    """AdamW: P ← P − lr·weight_decay·P, then the Adam step (decoupled weight decay)."""

    name = "adamw"

    def __init__(
        self,
        learning_rate: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(learning_rate, betas, eps, weight_decay)

    def _decay(self, P: Array, G: Array) -> Array:
        P *= 1 - self.learning_rate * self.weight_decay
        return G


class RMSprop(Optimizer):
    """RMSprop: V ← α·V + (1−α)·G²;  P ← P − lr · G / (sqrt(V) + eps) (with momentum, via a
    buffer B ← momentum·B + G / (sqrt(V) + eps);  P ← P − lr · B).
    """

    name = "rmsprop"
    moments = ("V", "Gbar", "B")

    def __init__(
        self,
        learning_rate: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        centered: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate)
        self.alpha, self.eps, self.momentum = alpha, eps, momentum
        self.centered, self.weight_decay = centered, weight_decay
        self.V: Array | None = None
        self.Gbar: Array | None = None
        self.B: Array | None = None

    def _step(self, P: Array, G: Array) -> None:
        if self.weight_decay:
            G = G + self.weight_decay * P
        if self.V is None:
            self.V = np.zeros_like(P)
            self.Gbar = np.zeros_like(P) if self.centered else None
            self.B = np.zeros_like(P) if self.momentum else None
        self.V *= self.alpha
        self.V += (1 - self.alpha) * G * G
        if self.Gbar is not None:
            self.Gbar *= self.alpha
            self.Gbar += (1 - self.alpha) * G
            denom = np.sqrt(self.V - self.Gbar * self.Gbar) + self.eps
        else:
            denom = np.sqrt(self.V) + self.eps
        if self.B is not None:
            self.B *= self.momentum
            self.B += G / denom
            P -= self.learning_rate * self.B
        else:
            P -= self.learning_rate * G / denom

    def _compiled(self, steps: Any, P: Array, G: Array, c: Any) -> bool:
        if self.V is None:
            self.V = np.zeros_like(P)
            self.Gbar = np.zeros_like(P) if self.centered else None
            self.B = np.zeros_like(P) if self.momentum else None
        empty = P[:0]  # stands in for the state this variant does not keep
        steps.rmsprop(
            P, G, self.V, empty if self.Gbar is None else self.Gbar,
            empty if self.B is None else self.B, c(self.learning_rate), c(self.alpha),
            c(1 - self.alpha), c(self.eps), c(self.weight_decay), c(self.momentum),
            self.Gbar is not None, self.B is not None,
        )  # fmt: skip
        return True


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop)}


def get_optimizer(spec: str | Optimizer, learning_rate: float | None = None) -> Optimizer:
    """The optimizer named ``spec`` (with ``learning_rate`` if given), or ``spec`` itself."""
    if isinstance(spec, Optimizer):
        if learning_rate is not None and learning_rate != spec.learning_rate:
            raise ValueError(
                f"learning_rate={learning_rate} was given beside an optimizer object whose "
                f"learning_rate is {spec.learning_rate}: set it in one place, e.g. "
                f"gn.{type(spec).__name__}(learning_rate={learning_rate})"
            )
        return spec
    if isinstance(spec, str) and spec.lower() in OPTIMIZERS:
        cls = OPTIMIZERS[spec.lower()]
        return cls() if learning_rate is None else cls(learning_rate=learning_rate)
    raise ValueError(
        f"unknown optimizer {spec!r}: use one of {', '.join(OPTIMIZERS)}, or an object such as "
        "gn.SGD(learning_rate=0.1, momentum=0.9) or gn.Adam()"
    )
