"""MLPClassifier and MLPRegressor: scikit-learn's estimators on a glassnet Network.

The package docstring (``glassnet.sklearn``) says what they keep of scikit-learn and what they
add; the shared machinery is in ``glassnet.sklearn.base``.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from glassnet._typing import Array
from glassnet.losses import Huber, Loss
from glassnet.sklearn.base import BaseMLP, stochastic

__all__ = ["MLPClassifier", "MLPRegressor"]


class MLPClassifier(ClassifierMixin, BaseMLP):  # type: ignore[misc]
    """Multi-layer perceptron classifier: scikit-learn's MLPClassifier on a glassnet Network.

    Binary and multilabel targets get sigmoid outputs and binary cross-entropy, multiclass
    targets softmax and cross-entropy. Parameters as scikit-learn's, plus ``class_weight``
    (None, "balanced" or {label: weight}), ``dropout``, ``early_stopping_metric``,
    ``callbacks`` and ``dtype``; see docs/sklearn.md.
    """

    _parameter_constraints = {  # noqa: RUF012
        **BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    loss = "log_loss"  # as scikit-learn's MLPClassifier.loss (not a parameter)

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
        class_weight: Any = None,
        dropout: Any = 0.0,
        early_stopping_metric: str = "score",
        callbacks: Any = None,
        dtype: str | None = None,
        distributed: str | None = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            early_stopping_metric=early_stopping_metric,
            callbacks=callbacks,
            dtype=dtype,
            distributed=distributed,
        )
        self.class_weight = class_weight

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and set(classes) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in the "
                    f"previous call to fit. Previously got {self.classes_}, `y` has {classes}"
                )
            if not set(classes) <= set(self.classes_):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, y

    def _targets(self, y: Any) -> Array:
        return np.asarray(self._label_binarizer.transform(y), dtype=np.float64)

    def _output(self) -> tuple[str, str | Loss]:
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax", "cross_entropy"
        return "logistic", "binary_cross_entropy"

    def _sample_weight(self, sample_weight: Any, X: Array, y: Any, incremental: bool) -> Any:
        w = super()._sample_weight(sample_weight, X, y, incremental)
        cw = self.class_weight
        if cw is None:
            return w
        if cw == "balanced":
            if incremental:
                raise ValueError(
                    "class_weight='balanced' needs the whole data set, which partial_fit "
                    "does not see: give a dict {label: weight} instead"
                )
            weights = compute_sample_weight("balanced", y)
        elif np.ndim(y) == 1:
            weights = np.array([float(cw.get(label, 1.0)) for label in y])
        else:
            raise ValueError("class_weight as a dict is not supported for multilabel y")
        return weights if w is None else w * weights

    def _score(self, X: Array, y: Any, sample_weight: Any = None) -> float:
        return self._score_with_function(X, y, sample_weight, accuracy_score)

    def _predict(self, X: Any, check_input: bool = True) -> Any:
        y_pred = self._forward(X, check_input)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def predict(self, X: Any) -> Any:
        """The predicted classes. Shapes: X (n, features) -> (n,) or (n, classes)."""
        check_is_fitted(self)
        return self._predict(X)

    @available_if(stochastic)  # type: ignore[untyped-decorator]
    def partial_fit(
        self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None
    ) -> MLPClassifier:
        """One epoch over (X, y). The first call needs ``classes`` (all labels to expect).

        With ``early_stopping=True`` the first call sets aside ``validation_fraction`` of
        its rows as the validation set of all calls; see docs/sklearn.md.
        """
        first = not hasattr(self, "classes_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if (
            classes is not None
            and hasattr(self, "classes_")
            and not np.array_equal(self.classes_, unique_labels(classes))
        ):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to "
                f"partial_fit, was: {self.classes_!r}"
            )
        if first:
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        return self._fit(X, y, sample_weight, incremental=True)

    def predict_proba(self, X: Any) -> Array:
        """Probability of each class (columns in the order of ``classes_``).

        Shapes: X (n, features) -> (n, classes).
        """
        check_is_fitted(self)
        y_pred = self._forward(X)
        if self.n_outputs_ == 1:
            return np.hstack([1 - y_pred, y_pred])
        return y_pred

    def predict_log_proba(self, X: Any) -> Array:
        """log(predict_proba(X))."""
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):  # type: ignore[misc]
    """Multi-layer perceptron regressor: scikit-learn's MLPRegressor on a glassnet Network.

    ``loss``: ``"squared_error"`` (C = ½·mean‖O − Y‖², as scikit-learn), ``"poisson"``
    (half the Poisson deviance with an exp output, as scikit-learn; y ≥ 0) or ``"huber"``
    (quadratic within ``huber_delta`` of the target, linear beyond: robust to outliers).
    """

    _parameter_constraints = {  # noqa: RUF012
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson", "huber"})],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        loss: str = "squared_error",
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
        huber_delta: float = 1.0,
        dropout: Any = 0.0,
        early_stopping_metric: str = "score",
        callbacks: Any = None,
        dtype: str | None = None,
        distributed: str | None = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dropout=dropout,
            early_stopping_metric=early_stopping_metric,
            callbacks=callbacks,
            dtype=dtype,
            distributed=distributed,
        )
        self.loss = loss
        self.huber_delta = huber_delta

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> Any:
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _targets(self, y: Any) -> Array:
        Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError("loss='poisson' needs non-negative targets y (counts or rates)")
        return Y

    def _output(self) -> tuple[str, str | Loss]:
        if self.loss == "poisson":
            return "exp", "poisson"
        return "identity", Huber(self.huber_delta) if self.loss == "huber" else "mse"

    def _score(self, X: Array, y: Any, sample_weight: Any = None) -> float:
        return self._score_with_function(X, y, sample_weight, r2_score)

    def _predict(self, X: Any, check_input: bool = True) -> Any:
        y_pred = self._forward(X, check_input)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def predict(self, X: Any) -> Any:
        """The predicted values. Shapes: X (n, features) -> (n,) or (n, outputs)."""
        check_is_fitted(self)
        return self._predict(X)

    @available_if(stochastic)  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over (X, y); with ``early_stopping=True`` see MLPClassifier.partial_fit."""
        return self._fit(X, y, sample_weight, incremental=True)
