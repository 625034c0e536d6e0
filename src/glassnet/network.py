"""Network: sizes -> Dense layers; forward, backward, cost, gradients, predict.

Forward propagation is the seed's nested functions ``A(A(X @ Wh + Bh) @ Wo + Bo)`` for any
depth; backward propagation is its three equations:

    EL = C'(O) * f'(ZL)                      output layer error
    El = (E(l+1) @ W(l+1).T) * f'(Zl)        hidden layer error
    dWl = A(l-1).T @ El,  dBl = Σ_rows El    derivative of the cost w.r.t. each weight
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet import kernels, parameters
from glassnet._typing import Array, ArrayLike
from glassnet._validation import check_sample_weight, check_X, check_Y
from glassnet.activations import Activation, get_activation
from glassnet.initializers import INITIALIZERS
from glassnet.layers import Dense
from glassnet.losses import REDUCTIONS, Loss, get_loss

if TYPE_CHECKING:
    from glassnet.history import History
    from glassnet.optimizers import Optimizer
    from glassnet.schedules import Schedule
    from glassnet.trace import Trace

DTYPES = ("float32", "float64")


class Network:
    """A multilayer perceptron: A0 = X; Zl = A(l-1) @ Wl + Bl; Al = f_l(Zl); O = AL.

    Shapes: X (n, sizes[0]) -> O (n, sizes[-1]); Wl (sizes[l-1], sizes[l]), Bl (1, sizes[l]).

    Parameters
    ----------
    sizes
        Units per layer, input first: ``[1, 2, 2]`` is the seed's network.
    activation
        Hidden-layer activation: one name for all, or a list with one per hidden layer.
    output_activation
        Output activation; by default the one the loss expects (mse: identity,
        cross_entropy: softmax, binary_cross_entropy: sigmoid).
    loss
        ``"mse"`` (½‖O − Y‖² per sample), ``"cross_entropy"`` or ``"binary_cross_entropy"``.
    reduction
        ``"mean"`` over the batch (default) or ``"sum"`` (the seed's source code).
    dtype
        ``"float32"`` (default, fast) or ``"float64"`` (for gradient checks).
    seed
        Seeds the generator for initialisation, shuffling and dropout.
    dropout
        Inverted-dropout rate after each hidden layer (one number, or one per hidden layer).
    bias_init
        The value every bias starts at (the seed's example uses 0.1).

    Examples
    --------
    >>> import numpy as np, glassnet as gn
    >>> net = gn.Network([1, 2, 2], activation="relu", output_activation="relu", seed=0)
    >>> net.forward(np.array([[1.0], [2.0], [3.0]])).shape
    (3, 2)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Activation | Sequence[str | Activation] = "relu",
        output_activation: str | Activation | None = None,
        loss: str | Loss = "mse",
        reduction: str = "mean",
        dtype: str | type[np.floating[Any]] | np.dtype[Any] = "float32",
        seed: int | None = 0,
        dropout: float | Sequence[float] = 0.0,
        bias_init: float = 0.0,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        n_hidden = len(self.sizes) - 2
        self.loss = get_loss(loss)
        hidden = _per_hidden_layer("activation", activation, n_hidden)
        self.activations = [get_activation(a) for a in hidden]
        self.output_activation = get_activation(output_activation or self.loss.default_output)
        if reduction not in REDUCTIONS:
            raise ValueError(f"unknown reduction {reduction!r}: use 'mean' or 'sum'")
        self.reduction = reduction
        self.dtype = np.dtype(dtype)
        if self.dtype.name not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}: use 'float32' or 'float64'")
        rates = [float(r) for r in _per_hidden_layer("dropout", dropout, n_hidden)]
        if any(not 0 <= r < 1 for r in rates):
            raise ValueError(f"dropout rates must lie in [0, 1), got {rates}")
        self.seed = seed
        self.rng = np.random.default_rng(seed)

        n = parameters.count(self.sizes)
        self.P: Array = np.zeros(n, dtype=self.dtype)  # every W and B, one flat vector
        self.G: Array = np.zeros(n, dtype=self.dtype)  # every dW and dB, same layout
        acts = [*self.activations, self.output_activation]
        compiled = n >= kernels.MIN_PARAMS  # as the optimizer step (glassnet.kernels)
        self.layers = [
            Dense(l + 1, W, B, dW, dB, act, dropout=([*rates, 0.0])[l], compiled=compiled)
            for l, ((W, B), (dW, dB), act) in enumerate(
                zip(
                    parameters.views(self.P, self.sizes),
                    parameters.views(self.G, self.sizes),
                    acts,
                    strict=True,
                )
            )
        ]
        for layer in self.layers:
            init = INITIALIZERS[layer.activation.init]
            layer.W[...] = init(self.rng, layer.fan_in, layer.fan_out)
            layer.B[...] = bias_init
        # what a model file carries besides the weights (feature names, scaling, classes, ...)
        self.metadata: dict[str, Any] = {}

    # ---- forward and backward ------------------------------------------------------------

    def forward(self, X: ArrayLike) -> Array:
        """O = f_L(... f_1(X @ W1 + B1) ... @ WL + BL): the output activations.

        Shapes: X (n, sizes[0]) -> O (n, sizes[-1]).
        """
        return self.propagate(check_X(self, X))

    # The engine's interface: what the training loop, the trace, gradcheck and the
    # scikit-learn adapters drive. X and Y are already checked (``check``); every layer keeps
    # its X, Z, A (and E after backpropagate), so a caller can read them off ``layers``.

    def propagate(
        self, X: Array, rng: np.random.Generator | None = None, reuse: bool = False
    ) -> Array:
        """A0 = X; Al = f_l(A(l-1) @ Wl + Bl) for each layer; dropout when ``rng`` is given.

        With ``reuse`` every Z and A is written into the layer's buffer (training).
        """
        A = X
        for layer in self.layers:
            A = layer.forward(A, rng, reuse)
        return A

    def backpropagate(self, Y: Array, scale: float | Array, need_dX: bool = False) -> Array | None:
        """EL = C'(O) * f'(ZL); El = (E(l+1) @ W(l+1).T) * f'(Zl); dWl = A(l-1).T @ El.

        Fills the flat gradient ``G`` (every dW and dB). Returns dX = E1 @ W1.T if asked
        (the first layer's buffer: copy it to keep it past the next backward pass).
        """
        out = self.layers[-1]
        E = out.buffer("E", len(Y))
        E = self.loss.error_into(out.Z, out.A, Y, out.activation, scale, out=E)
        dA = out.gradient(E, need_dX=len(self.layers) > 1 or need_dX)
        for layer in reversed(self.layers[:-1]):
            assert dA is not None
            dA = layer.backward(dA, need_dX=layer.index > 1 or need_dX)
        return dA

    def batch_scale(self, n: int, w: Array | None) -> float | Array:
        """1/n for a mean, 1 for a sum; with sample weights w, the column w/Σw or w."""
        if w is None:
            return 1.0 / n if self.reduction == "mean" else 1.0
        return w / w.sum() if self.reduction == "mean" else w

    def last_cost(self, Y: Array, scale: float | Array) -> float:
        """C of the last forward pass."""
        out = self.layers[-1]
        return self.loss.cost(out.Z, out.A, Y, out.activation, scale)

    def loss_and_gradient(
        self,
        X: Array,
        Y: Array,
        scale: float | Array,
        alpha: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> float:
        """C = cost + (α/2) Σ‖Wl‖²; fills G with dC/dP (dWl += α·Wl). X, Y already checked.

        Every layer's Z, A and E are written into its buffers (see Dense): one training
        step allocates nothing but what the cost needs.
        """
        self.propagate(X, rng, reuse=True)
        C = self.last_cost(Y, scale)
        self.backpropagate(Y, scale)
        if alpha:  # layer by layer: no temporaries the size of P
            C += 0.5 * alpha * sum(float(np.vdot(l.W, l.W)) for l in self.layers)
            for layer in self.layers:
                layer.dW += alpha * layer.W
        return C

    # ---- the public, checked entry points ------------------------------------------------

    def check(
        self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> tuple[Array, Array, float | Array]:
        """(X, Y, scale) checked for this network: X (n, i) and Y (n, o) of its dtype, and
        the scale of each row's cost (``batch_scale``). Raises ValueError naming what is wrong.
        """
        Xc = check_X(self, X)
        Yc = check_Y(self, Y, Xc.shape[0])
        w = check_sample_weight(sample_weight, Xc.shape[0], self.dtype)
        return Xc, Yc, self.batch_scale(Xc.shape[0], w)

    def cost(self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """C = Σ_i scale_i · c(O_i, Y_i): the mean (or summed) cost over the batch.

        Shapes: X (n, sizes[0]), Y (n, sizes[-1]) or integer labels (n,) -> float.
        """
        Xc, Yc, scale = self.check(X, Y, sample_weight)
        self.propagate(Xc)
        return self.last_cost(Yc, scale)

    def gradients(
        self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> list[tuple[Array, Array]]:
        """[(dW1, dB1), ...] with dWl = A(l-1).T @ El and dBl = Σ_rows El (copies).

        Shapes: each dWl like Wl, each dBl like Bl.
        """
        Xc, Yc, scale = self.check(X, Y, sample_weight)
        self.loss_and_gradient(Xc, Yc, scale)
        return [(layer.dW.copy(), layer.dB.copy()) for layer in self.layers]

    def input_gradient(self, X: ArrayLike, Y: ArrayLike) -> Array:
        """dX = E1 @ W1.T: the derivative of the cost with respect to the input X.

        Shapes: X (n, sizes[0]) -> dX (n, sizes[0]).
        """
        Xc, Yc, scale = self.check(X, Y)
        self.propagate(Xc)
        dX = self.backpropagate(Yc, scale, need_dX=True)
        assert dX is not None
        return dX.copy()  # the layer's buffer, which the next backward pass overwrites

    def trace(self, X: ArrayLike, Y: ArrayLike, learning_rate: float = 0.01) -> Trace:
        """Every named matrix of one forward and backward pass, and the update W − η·dW.

        ``tr["Zh"]`` is the array; ``print(tr.table())`` shows name, shape, equation and
        values. The weights are not changed. See :mod:`glassnet.trace`.
        """
        from glassnet.trace import trace

        return trace(self, X, Y, learning_rate)

    def explore(self, X: ArrayLike, Y: ArrayLike, learning_rate: float = 0.01) -> Any:
        """The explorer page of ``trace(X, Y)`` in an ``<iframe srcdoc>``, for a notebook."""
        return self.trace(X, Y, learning_rate).explore()

    def _repr_html_(self) -> str:
        """A static table of the layers, for notebooks."""
        from glassnet.explorer.page import network_table

        return network_table(self)

    def predict(self, X: ArrayLike) -> Array:
        """Predictions from O: class indices (argmax) for cross_entropy, 0/1 for
        binary_cross_entropy (O ≥ 0.5), and O itself for mse.

        Shapes: X (n, sizes[0]) -> (n,) labels, (n, o) 0/1, or O (n, o).
        """
        if any(k in self.metadata for k in ("preprocessing", "feature_scaling", "target_scaling")):
            raise ValueError(
                "this network was trained on preprocessed columns, which predict(X) would skip: "
                "use gn.load(path).predict(table) (a glassnet.tables.Model applies them)"
            )
        return self.loss.predict(self.forward(X))

    def fit(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        *,
        epochs: int = 10,
        batch_size: int | None = 32,
        optimizer: str | Optimizer = "adam",
        learning_rate: float | None = None,
        schedule: str | Schedule | None = None,
        shuffle: bool = True,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        validation_split: float = 0.0,
        alpha: float = 0.0,
        early_stopping: bool = False,
        patience: int = 10,
        min_delta: float = 0.0,
        callbacks: Iterable[Callable[[Network, History], Any]] = (),
        sample_weight: ArrayLike | None = None,
        verbose: bool | int = False,
        seed: int | None = None,
        distributed: str | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        checkpoint_every: int | str = 1,
        resume: str | os.PathLike[str] | None = None,
        resume_force: bool = False,
    ) -> History:
        """Train by minibatch gradient descent: P ← P − learning_rate · G (or an optimizer's
        rule), for ``epochs`` passes of ``batch_size`` rows; returns the History.

        ``optimizer`` (a name or an object; an object's state belongs to this network: a
        second fit continues it), ``learning_rate``, ``schedule`` (the rate per epoch),
        ``validation_data`` or ``validation_split``, ``alpha`` (L2 penalty),
        ``early_stopping`` with ``patience`` and ``min_delta``, ``callbacks``,
        ``sample_weight``, ``verbose``, ``seed`` (shuffling, split, dropout),
        ``distributed="mpi"``, ``checkpoint`` written every ``checkpoint_every`` (epochs, or
        ``"500 steps"``, ``"600 s"``), and ``resume`` from a checkpoint (refused for another
        run unless ``resume_force``). See :func:`glassnet.training.fit` for each in full.
        """
        from glassnet.training import fit

        return fit(
            self,
            X,
            Y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            learning_rate=learning_rate,
            schedule=schedule,
            shuffle=shuffle,
            validation_data=validation_data,
            validation_split=validation_split,
            alpha=alpha,
            early_stopping=early_stopping,
            patience=patience,
            min_delta=min_delta,
            callbacks=callbacks,
            sample_weight=sample_weight,
            verbose=verbose,
            seed=seed,
            distributed=distributed,
            checkpoint=checkpoint,
            checkpoint_every=checkpoint_every,
            resume=resume,
            resume_force=resume_force,
        )

    def save(self, path: str | os.PathLike[str], metadata: dict[str, Any] | None = None) -> Path:
        """Write the weights, architecture and ``metadata`` (default ``self.metadata``) to a
        safetensors file, atomically. See :func:`glassnet.saving.save`; read it back with
        ``gn.load(path)``.
        """
        from glassnet.saving import save

        return save(self, path, metadata)

    # ---- parameters ----------------------------------------------------------------------

    def params(self) -> list[tuple[str, Array]]:
        """[("layer1.W", W1), ("layer1.B", B1), ...]: views into the flat vector ``P``."""
        return [(f"{l.name}.{k}", m) for l in self.layers for k, m in (("W", l.W), ("B", l.B))]

    def grads(self) -> list[tuple[str, Array]]:
        """[("layer1.W", dW1), ("layer1.B", dB1), ...]: views into the flat vector ``G``."""
        return [(f"{l.name}.{k}", m) for l in self.layers for k, m in (("W", l.dW), ("B", l.dB))]

    @property
    def n_params(self) -> int:
        return int(self.P.size)

    @property
    def is_classifier(self) -> bool:
        return self.loss.classification

    def copy(self) -> Network:
        """An independent copy: same weights, same settings, its own flat vectors."""
        return self.astype(self.dtype.name)

    def astype(self, dtype: str) -> Network:
        """A copy computing in ``dtype`` ("float32" or "float64"), weights converted."""
        if np.dtype(dtype).name not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}: use 'float32' or 'float64'")
        new = copy.deepcopy(self)  # deep-copied views lose their base: bind them anew
        new.dtype = np.dtype(dtype)
        new.P, new.G = self.P.astype(dtype), np.zeros_like(self.P, dtype=dtype)
        new._bind_views()
        return new

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return (
            f"Network({self.sizes}, activation=[{acts}], "
            f"output_activation={self.output_activation.name!r}, loss={self.loss.name!r}, "
            f"reduction={self.reduction!r}, dtype={self.dtype.name!r}, "
            f"params={self.n_params})"
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        """After unpickling or deepcopy, make each W, B, dW, dB a view of P and G again
        (pickle copies every view on its own, so an update of P would no longer reach W)."""
        self.__dict__.update(state)
        self._bind_views()

    def _bind_views(self) -> None:
        """Each layer's W, B, dW, dB as views of P and G (see glassnet.parameters)."""
        for layer, (W, B), (dW, dB) in zip(
            self.layers,
            parameters.views(self.P, self.sizes),
            parameters.views(self.G, self.sizes),
            strict=True,
        ):
            layer.W, layer.B, layer.dW, layer.dB = W, B, dW, dB
            layer.clear_buffers()  # (they may be of another dtype than the new W)


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    try:
        out = [int(s) for s in sizes]
        ok = len(out) >= 2 and all(s >= 1 and s == s_ for s, s_ in zip(out, sizes, strict=True))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"sizes must list at least two positive integers (inputs, ..., outputs), got {sizes!r}"
        )
    return out


def _per_hidden_layer(what: str, value: Any, n_hidden: int) -> list[Any]:
    """One value per hidden layer: a single value is repeated, a list must have n_hidden."""
    if isinstance(value, (str, int, float, Activation)):
        return [value] * n_hidden
    values = list(value)
    if len(values) != n_hidden:
        raise ValueError(
            f"{what} lists {len(values)} values but the network has {n_hidden} hidden layers: "
            f"give one per hidden layer, or a single value for all"
        )
    return values
