"""The part of glassnet's scikit-learn adapters that the classifier and regressor share:
parameters and their checks, the network, fit, and prediction without side effects."""

from __future__ import annotations

import os
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, is_classifier
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from glassnet._typing import Array
from glassnet.activations import ACTIVATIONS, Activation, get_activation
from glassnet.losses import Huber, Loss
from glassnet.network import Network
from glassnet.sklearn.fit import fit_lbfgs, fit_stochastic
from glassnet.sklearn.solvers import initialize

# metadata of a table-trained model file (glassnet train): what it does to the rows before
# the network sees them; this estimator cannot apply it (see ``load``)
PREPROCESSING_KEYS = ("preprocessing", "feature_scaling", "target_scaling")
_ACTIVATION_NAMES = {"identity", "logistic", "tanh", "relu", *ACTIVATIONS}
# scikit-learn's names for the output activations, and glassnet's
_OUT = {"identity": "identity", "logistic": "sigmoid", "softmax": "softmax", "exp": "exp"}


def _check_range(X: Array, dtype: str) -> None:
    """Finite values that overflow ``dtype`` would reach the network as inf: say so."""
    big = np.finfo(dtype).max
    if X.size and np.abs(X).max() > big:
        raise ValueError(
            f"X holds values up to {np.abs(X).max():.3g}, beyond {dtype}'s range ({big:.3g}): "
            "scale the features (e.g. StandardScaler) or pass dtype='float64'"
        )


def _same_shape(name: str, value: Any, shape: tuple[int, ...]) -> Array:
    A = np.asarray(value)
    if A.shape != shape:
        raise ValueError(f"{name} is {shape}, but the new value is {A.shape}")
    return A


_NOT_PLAIN = object()


def _plain(value: Any) -> Any:
    """``value`` as JSON (tuples become lists), or _NOT_PLAIN (activation objects, callbacks)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else _NOT_PLAIN  # JSON has no inf
    if isinstance(value, list | tuple):
        items = [_plain(v) for v in value]
        return _NOT_PLAIN if any(v is _NOT_PLAIN for v in items) else items
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        items_d = {k: _plain(v) for k, v in value.items()}
        return _NOT_PLAIN if any(v is _NOT_PLAIN for v in items_d.values()) else items_d
    return _NOT_PLAIN


def stochastic(est: Any) -> bool:
    """partial_fit exists only for the stochastic solvers, as in scikit-learn."""
    if est.solver not in ("sgd", "adam"):
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. {est.solver} is not "
            "stochastic."
        )
    return True


class BaseMLP(BaseEstimator):  # type: ignore[misc]
    """What the classifier and the regressor share: the network, fit and partial_fit."""

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012 (scikit-learn's idiom)
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(_ACTIVATION_NAMES), "array-like", Activation],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "early_stopping_metric": [StrOptions({"score", "loss"})],
        "callbacks": [list, tuple, None],
        "dtype": [StrOptions({"float32", "float64"}), None],
        "distributed": [StrOptions({"mpi"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: Any = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        dropout: Any = 0.0,
        early_stopping_metric: str = "score",
        callbacks: Any = None,
        dtype: str | None = None,
        distributed: str | None = None,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.early_stopping_metric = early_stopping_metric
        self.callbacks = callbacks
        self.dtype = dtype
        self.distributed = distributed

    # ---- what the subclasses say --------------------------------------------------------

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        raise NotImplementedError

    def _targets(self, y: Any) -> Array:
        """y as the (n, o) target matrix Y of the network."""
        raise NotImplementedError

    def _output(self) -> tuple[str, str | Loss]:
        """(out_activation_ in scikit-learn's words, the glassnet loss)."""
        raise NotImplementedError

    def _score(self, X: Array, y: Any, sample_weight: Any = None) -> float:
        raise NotImplementedError

    # ---- the network ---------------------------------------------------------------------

    @property
    def coefs_(self) -> list[Array]:
        """[W1, W2, ...]: views of the network's weights, W_l of shape (fan_in, fan_out)."""
        return [layer.W for layer in self._network().layers]

    @coefs_.setter
    def coefs_(self, values: list[Any]) -> None:
        """Write new weights into the network (its flat vector), shape for shape."""
        for layer, W in zip(self._network().layers, values, strict=True):
            layer.W[...] = _same_shape(f"{layer.name}.W", W, layer.W.shape)

    @property
    def intercepts_(self) -> list[Array]:
        """[b1, b2, ...]: views of the network's bias rows B_l, as 1-D arrays (fan_out,)."""
        return [layer.B.reshape(-1) for layer in self._network().layers]

    @intercepts_.setter
    def intercepts_(self, values: list[Any]) -> None:
        for layer, b in zip(self._network().layers, values, strict=True):
            layer.B[...] = _same_shape(f"{layer.name}.B", b, (layer.fan_out,))

    def _network(self) -> Network:
        try:
            return self.network_
        except AttributeError:
            raise AttributeError(
                f"this {type(self).__name__} is not fitted yet: call fit first"
            ) from None

    def to_network(self) -> Network:
        """A copy of the trained glassnet Network (for trace, explain, save and export).

        Its ``metadata`` dict says what a model file needs to rebuild this estimator with
        ``from_network``: ``task``, ``class_labels``, ``feature_names`` and, under
        ``"sklearn"``, the estimator's name and its JSON-representable parameters.
        """
        check_is_fitted(self)
        net = self._network().copy()
        net.metadata.update(self._metadata())
        return net

    def _metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"task": "classification" if is_classifier(self) else "regression"}
        if hasattr(self, "feature_names_in_"):
            meta["feature_names"] = [str(name) for name in self.feature_names_in_]
        labels = self.classes_.tolist() if hasattr(self, "classes_") else None
        if labels is not None and all(isinstance(x, str | int | float | bool) for x in labels):
            meta["class_labels"] = labels
        params = {k: _plain(v) for k, v in self.get_params().items()}
        meta["sklearn"] = {
            "estimator": type(self).__name__,
            "params": {k: v for k, v in params.items() if v is not _NOT_PLAIN},
        }
        return meta

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the trained estimator to ``path`` in glassnet's model format (safetensors
        weights + JSON metadata, never pickle), atomically. ``cls.load(path)`` reads it back.
        """
        from glassnet.saving import save

        return save(self.to_network(), path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Any:
        """The fitted estimator saved at ``path`` (by ``save``, or any glassnet model file that
        records what ``from_network`` needs); every check of ``glassnet.load`` applies.

        A model trained on a table (``glassnet train``) carries its preprocessing (metadata
        ``"preprocessing"``, or ``"feature_scaling"`` / ``"target_scaling"`` in older files):
        this estimator would predict on unscaled rows, so it refuses such a file and names
        ``gn.load(path)``, which applies the preprocessing.
        """
        from glassnet.saving import load

        loaded = load(path)
        meta = getattr(loaded, "metadata", None) or {}
        found = [key for key in PREPROCESSING_KEYS if key in meta]
        if found or not isinstance(loaded, Network):
            what = f"its preprocessing ({', '.join(found)})" if found else "its preprocessing"
            raise ValueError(
                f"{path} is a model trained on a table, and {cls.__name__} cannot apply "
                f"{what} to the rows it is given: load it with gn.load(path), which does"
            )
        return cls.from_network(loaded)

    @classmethod
    def from_network(
        cls, network: Network, classes: Any = None, feature_names: Any = None, **params: Any
    ) -> Any:
        """A fitted estimator that predicts with (a copy of) ``network``: the inverse of
        ``to_network()``. ``classes``, ``feature_names`` and the constructor's ``params``
        default to what ``network.metadata`` records (``to_network()`` writes them there);
        a classifier's network without ``class_labels`` needs ``classes``.
        """
        meta = network.metadata
        saved = meta.get("sklearn", {})
        if saved.get("estimator") == cls.__name__:
            params = {**saved.get("params", {}), **params}
        classes = meta.get("class_labels") if classes is None else classes
        feature_names = meta.get("feature_names") if feature_names is None else feature_names
        est = cls(**params)
        net = network.copy()
        est.network_ = net
        est.n_features_in_ = net.sizes[0]
        if feature_names is not None:
            est.feature_names_in_ = np.asarray(feature_names, dtype=object)
        est.n_layers_ = len(net.sizes)
        est.n_outputs_ = net.sizes[-1]
        names = {v: k for k, v in _OUT.items()}
        est.out_activation_ = names.get(net.output_activation.name, net.output_activation.name)
        est.n_iter_ = est.t_ = 0
        est._reset_records()
        if getattr(est, "loss", None) == "huber":  # a model file keeps the name, not delta
            net.loss = Huber(est.huber_delta)
        if isinstance(est, ClassifierMixin):
            if classes is None:
                raise ValueError(f"{cls.__name__}.from_network needs the classes (classes_)")
            est._label_binarizer = LabelBinarizer()
            if est.out_activation_ == "logistic" and est.n_outputs_ > 1:  # multilabel
                est._label_binarizer.fit(np.eye(est.n_outputs_, dtype=int))
            else:
                est._label_binarizer.fit(np.asarray(classes))
            est.classes_ = est._label_binarizer.classes_
        return est

    def _hidden_activations(self, n_hidden: int) -> list[str | Activation]:
        act = self.activation
        acts = [act] * n_hidden if isinstance(act, str | Activation) else list(act)
        if len(acts) != n_hidden:
            raise ValueError(
                f"activation lists {len(acts)} functions but hidden_layer_sizes has {n_hidden} "
                "hidden layers: give one per hidden layer, or a single name for all"
            )
        for a in acts:
            get_activation(a)  # an unknown name fails here, before anything is built
        return acts

    def _initialize(
        self,
        Y: Array,
        layer_units: list[int],
        rs: np.random.RandomState,
        dtype: str | None = None,
    ) -> None:
        """Build the network (in ``dtype``; default: ``self.dtype``, else float64) and set
        scikit-learn's fitted attributes for a first fit."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_, loss = self._output()
        hidden = self._hidden_activations(len(layer_units) - 2)
        self.network_ = Network(
            layer_units,
            activation=hidden,
            output_activation=_OUT[self.out_activation_],
            loss=loss,
            dtype=dtype or self.dtype or "float64",
            seed=0,  # the weights are drawn below from random_state, as scikit-learn does
            dropout=self.dropout,
        )
        # scikit-learn draws every layer's weights with factor 2 when activation="logistic";
        # with a list, each hidden layer follows its own activation, the output all of them
        if isinstance(self.activation, str | Activation):
            logistic = [get_activation(self.activation).name == "sigmoid"] * len(layer_units)
        else:
            logistic = [get_activation(a).name == "sigmoid" for a in hidden]
            logistic.append(all(logistic))
        initialize(self.network_, rs, logistic[: len(layer_units) - 1])
        self._reset_records()

    def _reset_records(self) -> None:
        """scikit-learn's per-fit records: loss curve, validation scores, best loss."""
        self._best_P = self.network_.P.copy()
        for name in ("_optimizer", "_validation", "_no_improvement_count"):
            self.__dict__.pop(name, None)
        if self.solver != "lbfgs":
            self.loss_curve_: list[float] = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_: list[float] | None = []
                self.validation_loss_curve_: list[float] | None = []
                self.best_validation_score_: float | None = -np.inf
                self.best_validation_loss_: float | None = np.inf
                self.best_loss_: float | None = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = self.validation_loss_curve_ = None
                self.best_validation_score_ = self.best_validation_loss_ = None

    # ---- fit -----------------------------------------------------------------------------

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Any:
        self._validate_params()
        sizes = self.hidden_layer_sizes
        hidden = [sizes] if not hasattr(sizes, "__iter__") else list(sizes)
        if any(int(h) <= 0 for h in hidden):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {hidden}.")
        first_pass = not hasattr(self, "network_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if hasattr(X, "toarray"):  # sparse input: the network works on dense matrices
            X = X.toarray()
        dtype = self._compute_dtype(X) if first_pass else self.network_.dtype.name
        _check_range(X, dtype)
        w = self._sample_weight(sample_weight, X, y, incremental)
        Y = self._targets(y)
        rs = check_random_state(self.random_state)
        if first_pass:
            self._initialize(Y, [X.shape[1], *map(int, hidden), Y.shape[1]], rs, dtype)
        if self.solver == "lbfgs":
            fit_lbfgs(self, X, Y, w)
        else:
            fit_stochastic(self, X, Y, y, w, incremental, rs)
        for layer in self.network_.layers:  # the last batch's matrices are not the model
            layer.X = layer.Z = layer.A = layer.E = np.empty((0, 0), dtype=layer.W.dtype)
            layer.mask = None
        if not np.isfinite(self.network_.P).all():
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may"
                " contain large values and need to be preprocessed."
            )
        return self

    def _compute_dtype(self, X: Array) -> str:
        """scikit-learn's rule unless ``dtype`` says otherwise: float32 input stays float32,
        anything else (validate_data made it float64) computes in float64."""
        return self.dtype if self.dtype is not None else np.dtype(X.dtype).name

    def _sample_weight(self, sample_weight: Any, X: Array, y: Any, incremental: bool) -> Any:
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        return sample_weight

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Fit the model to data matrix X and target(s) y (one weight per row, optionally).

        Shapes: X (n, features); y (n,) or (n, outputs); sample_weight (n,).
        """
        return self._fit(X, y, sample_weight, incremental=False)

    # ---- predict -------------------------------------------------------------------------

    def _forward(self, X: Any, check_input: bool = True) -> Array:
        """O = f_L(... f_1(X @ W1 + B1) ... @ WL + BL), keeping nothing in the layers (so
        that threads may predict at once). Shapes: X (n, features) -> O (n, outputs)."""
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        if hasattr(X, "toarray"):
            X = X.toarray()
        net = self._network()
        A = np.asarray(X, dtype=net.dtype)
        for layer in net.layers:
            A = layer.activation.f(A @ layer.W + layer.B)
        return A

    def _score_with_function(self, X: Any, y: Any, sample_weight: Any, score: Any) -> float:
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging model's huge outputs
            value = float(score(y, y_pred, sample_weight=sample_weight))
        return value if np.isfinite(value) else np.nan

    def _predict(self, X: Any, check_input: bool = True) -> Any:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
