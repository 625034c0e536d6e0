"""scikit-learn's update rules, initialisation and L-BFGS call, on glassnet's flat vectors.

The adapters in ``glassnet.sklearn`` train with these so that a model moved over from
scikit-learn by changing one import line trains the way it did there: the same initial
weights for the same ``random_state``, the same SGD momentum and Adam steps, and the same
objective for L-BFGS.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from glassnet._typing import Array
from glassnet.network import Network
from glassnet.optimizers import SGD, Adam


class SklearnSGD(SGD):
    """scikit-learn's momentum rule: V ← momentum·V − lr·G; P ← P + V
    (Nesterov: P ← P + momentum·V − lr·G). V starts at zero.

    With a constant rate this is PyTorch's rule (``gn.SGD``) with V scaled by −lr; when the
    rate changes between epochs (``learning_rate="invscaling"`` or ``"adaptive"``) the old
    velocity keeps the old rate here, as in scikit-learn, so the two differ.
    """

    name = "sklearn_sgd"

    def __init__(self, learning_rate: float, momentum: float, nesterov: bool) -> None:
        super().__init__(learning_rate, momentum=momentum, nesterov=nesterov and momentum > 0)

    def _step(self, P: Array, G: Array) -> None:
        if self.V is None:
            self.V = np.zeros_like(P)
        V = self.V
        V *= self.momentum
        V -= self.learning_rate * G
        if self.nesterov:
            P += self.momentum * V - self.learning_rate * G
        else:
            P += V

    def _compiled(self, steps: Any, P: Array, G: Array, c: Any) -> bool:
        if self.V is None:
            self.V = np.zeros_like(P)
        steps.sklearn_sgd(P, G, self.V, c(self.learning_rate), c(self.momentum), self.nesterov)
        return True


class SklearnAdam(Adam):
    """scikit-learn's Adam: M and V as in ``gn.Adam``, then
    P ← P − lr · √(1−β2^t)/(1−β1^t) · M / (√V + eps)  (eps added to √V, not to √V̂),
    which is Adam's step with eps added before the bias correction.
    """

    name = "sklearn_adam"
    eps_before_correction = True


def initialize(net: Network, random_state: np.random.RandomState, logistic: list[bool]) -> None:
    """scikit-learn's initialisation: W, B ~ Uniform(−r, r), r = sqrt(factor / (i + o)),
    factor 2 after a logistic layer and 6 otherwise; drawn layer by layer, W then B.

    ``logistic[l]`` says whether layer l+1 uses the factor 2.
    """
    for layer, is_logistic in zip(net.layers, logistic, strict=True):
        r = np.sqrt((2.0 if is_logistic else 6.0) / (layer.fan_in + layer.fan_out))
        layer.W[...] = random_state.uniform(-r, r, (layer.fan_in, layer.fan_out))
        layer.B[...] = random_state.uniform(-r, r, layer.fan_out)


def minimize_lbfgs(
    net: Network,
    X: Array,
    Y: Array,
    scale: float | Array,
    alpha: float,
    options: dict[str, Any],
    callback: Callable[[float], bool] | None = None,
) -> tuple[int, float, int]:
    """Minimise C(P) = cost + (alpha/2)·Σ‖Wl‖² over the flat vector with scipy's L-BFGS-B.

    ``net.loss_and_gradient`` gives C and fills G = dC/dP. ``callback(C)`` runs after each
    iteration and stops the solver by returning True. Returns (iterations, C, status).
    """
    import scipy.optimize

    def fun(x: np.ndarray[Any, Any]) -> tuple[float, np.ndarray[Any, Any]]:
        net.P[...] = x
        C = net.loss_and_gradient(X, Y, scale, alpha)
        return C, net.G.astype(np.float64)

    def each_iteration(intermediate_result: Any) -> None:
        if callback is not None and callback(float(intermediate_result.fun)):
            raise StopIteration

    result = scipy.optimize.minimize(
        fun,
        net.P.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        options=options,
        callback=each_iteration,
    )
    net.P[...] = result.x
    return int(result.nit), float(result.fun), int(result.status)


def warn_lbfgs(status: int, n_iter: int, max_iter: int) -> None:
    """scikit-learn's warning when L-BFGS stops before converging."""
    if status in (0, 99):  # 0: converged; 99: stopped by a callback
        return
    warnings.warn(
        f"lbfgs failed to converge after {n_iter} iteration(s) (status={status}).\n\n"
        f"Increase the number of iterations to improve the convergence (max_iter={max_iter})."
        "\nYou might also want to scale the data as shown in:\n"
        "    https://scikit-learn.org/stable/modules/preprocessing.html",
        ConvergenceWarning,
        stacklevel=4,
    )
