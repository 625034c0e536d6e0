"""The training loops of the scikit-learn adapters: scikit-learn's bookkeeping around
``Network.fit`` (its callback and schedule, ``_EpochRule``) for sgd and adam, and scipy's
L-BFGS for lbfgs.

The per-epoch rules are scikit-learn 1.9's: the training loss must fall by ``tol`` (or the
validation score rise by ``tol`` with early stopping) within ``n_iter_no_change`` epochs;
``learning_rate="adaptive"`` divides the SGD rate by 5 instead of stopping, and
``"invscaling"`` sets it to ``learning_rate_init / (t + 1) ** power_t`` after each epoch,
with t the number of samples seen. ``est`` is the estimator (``glassnet.sklearn``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from glassnet._typing import Array
from glassnet.optimizers import Optimizer
from glassnet.schedules import Schedule
from glassnet.sklearn.solvers import SklearnAdam, SklearnSGD, minimize_lbfgs, warn_lbfgs


def fit_lbfgs(est: Any, X: Array, Y: Array, w: Array | None) -> None:
    """Minimise scikit-learn's objective C = Σ_i (w_i/Σw)·c_i + alpha/(2Σw)·Σ‖Wl‖²."""
    if est.distributed is not None:
        raise ValueError(
            "distributed='mpi' trains by minibatches: use solver='adam' or 'sgd' (lbfgs runs "
            "in one process)"
        )
    net = est.network_
    Xc, Yc, scale = net.check(X, Y, w)
    sw_sum = X.shape[0] if w is None else float(np.sum(w))
    callbacks = list(est.callbacks or ())

    def each_iteration(C: float) -> bool:
        est.n_iter_ += 1
        est.loss_ = C
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {C:.8f}")
        return any(cb(est) is True for cb in callbacks)

    est.n_iter_ = 0
    options = {"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol}
    n_iter, est.loss_, status = minimize_lbfgs(
        net, Xc, Yc, scale, est.alpha / sw_sum, options, each_iteration
    )
    warn_lbfgs(status, n_iter, est.max_iter)
    est.n_iter_ = min(n_iter, est.max_iter)


def _optimizer(est: Any) -> Optimizer:
    if est.solver == "sgd":
        return SklearnSGD(est.learning_rate_init, est.momentum, est.nesterovs_momentum)
    return SklearnAdam(est.learning_rate_init, betas=(est.beta_1, est.beta_2), eps=est.epsilon)


def _split(
    est: Any, X: Array, Y: Array, y: Any, w: Array | None, rs: Any, incremental: bool
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Hold out ``validation_fraction`` of the rows, stratified for a single-output
    classifier (as scikit-learn); returns (X, Y, w) to train on and (X, Y, y, w) to validate."""
    # scikit-learn stratifies on its binarized y, a bool column, and so do we
    stratify = Y.astype(bool) if is_classifier(est) and Y.shape[1] == 1 else None
    arrays = [X, Y, y] if w is None else [X, Y, y, w]
    parts = train_test_split(
        *arrays,
        random_state=rs,
        test_size=est.validation_fraction,
        stratify=None if incremental else stratify,
    )
    train, val = parts[0::2], parts[1::2]
    if val[0].shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' or the size of "
            "your dataset."
        )
    if w is None:
        return (*train[:2], None), (*val, None)
    return (train[0], train[1], train[3]), tuple(val)


def fit_stochastic(
    est: Any,
    X: Array,
    Y: Array,
    y: Any,
    w: Array | None,
    incremental: bool,
    rs: np.random.RandomState,
) -> None:
    """Epochs of ``Network.fit`` until scikit-learn's stopping rule, or max_iter (one epoch
    for partial_fit)."""
    net = est.network_
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = _optimizer(est)
    opt = est._optimizer
    X = np.ascontiguousarray(X, dtype=net.dtype)
    Y = np.ascontiguousarray(Y, dtype=net.dtype)
    val: tuple[Any, ...] | None = None
    if est.early_stopping:
        if incremental and hasattr(est, "_validation"):
            val = est._validation  # partial_fit keeps the rows set aside on its first call
        else:
            (X, Y, w), val = _split(est, X, Y, y, w, rs, incremental)
            est._validation = val
    n = X.shape[0]
    if est.batch_size == "auto":
        batch_size = min(200, n)
    else:
        if est.batch_size > n:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                "clipped",
                stacklevel=4,
            )
        batch_size = int(np.clip(est.batch_size, 1, n))
    # scikit-learn adds (alpha / 2Σw_batch)·Σ‖W‖² to each batch's cost; Network.fit takes one
    # alpha for all batches: (alpha / batch_size) scaled by n / Σw, exact for full batches.
    sw_sum = float(np.sum(w)) if w is not None and np.sum(w) > 0 else n
    alpha = est.alpha * n / (sw_sum * batch_size)
    epochs = 1 if incremental else est.max_iter
    est.n_iter_ = 0
    rule = _EpochRule(est, val, n, incremental)
    history = net.fit(
        X,
        Y,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=opt,
        schedule=rule,  # the rate the rule set (invscaling, adaptive) for the next epoch
        shuffle=est.shuffle,
        alpha=alpha,
        sample_weight=w,
        seed=int(rs.randint(np.iinfo(np.int32).max)),  # shuffling and dropout
        distributed=est.distributed,
        callbacks=[rule.after_epoch],
    )
    opt.learning_rate = rule.rate  # (fit puts back the rate it started with)
    if history.stop_reason and history.stop_reason.startswith("interrupted"):
        warnings.warn("Training interrupted by user.", stacklevel=4)
    elif not rule.stopped and not incremental and est.n_iter_ == est.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
            "optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=4,
        )
    if est.early_stopping and not incremental:
        net.P[...] = est._best_P  # restore the best weights


class _EpochRule(Schedule):
    """scikit-learn's bookkeeping after each epoch of one ``Network.fit`` (its callback),
    and the learning rate of the next epoch (its schedule): one fit for all the epochs, so
    the data are checked and the loop set up once, not once per epoch (which cost ~15% of
    a fit of digits)."""

    def __init__(self, est: Any, val: tuple[Any, ...] | None, n: int, incremental: bool) -> None:
        self.est, self.val, self.n, self.incremental = est, val, n, incremental
        self.rate = est._optimizer.learning_rate
        self.callbacks = list(est.callbacks or ())
        self.stopped = False  # by the rule or a callback, before max_iter

    def __call__(self, epoch: int, lr0: float) -> float:
        return self.rate

    def __repr__(self) -> str:
        return "scikit-learn's learning_rate rule"

    def after_epoch(self, net: Any, history: Any) -> bool:
        """The epoch's loss into the estimator; True to stop training."""
        est = self.est
        est.n_iter_ += 1
        est.loss_ = history.loss[-1]
        est.t_ += self.n
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        _update_no_improvement_count(est, self.val)
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            self.rate = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        stop = any(cb(est) is True for cb in self.callbacks)
        if est._no_improvement_count > est.n_iter_no_change:
            stop = self._no_improvement() or stop
        self.stopped = stop
        return stop

    def _no_improvement(self) -> bool:
        """Divide an adaptive SGD rate by 5, else stop (True)."""
        est = self.est
        what = "Validation score" if est.early_stopping else "Training loss"
        if est.early_stopping and est.early_stopping_metric == "loss":
            what = "Validation loss"
        msg = (
            f"{what} did not improve more than tol={est.tol:f} for "
            f"{est.n_iter_no_change} consecutive epochs."
        )
        adaptive = est.solver == "sgd" and est.learning_rate == "adaptive"
        if adaptive and self.rate > 1e-6:
            self.rate /= 5.0
            est._no_improvement_count = 0
            if est.verbose:
                print(f"{msg} Setting learning rate to {self.rate:f}")
            return False
        if est.verbose:
            print(f"{msg} Stopping.")
        if self.incremental and est.early_stopping:
            est.network_.P[...] = est._best_P
            est.early_stopped_ = True
        return True


def _update_no_improvement_count(est: Any, val: tuple[Any, ...] | None) -> None:
    """scikit-learn's count of epochs without improvement by tol, and the best weights."""
    if val is None:
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        est.best_loss_ = min(est.best_loss_, est.loss_curve_[-1])
        return
    net = est.network_
    Xv, Yv, yv, wv = val
    score = est._score(Xv, yv, sample_weight=wv)
    loss = net.cost(Xv, Yv, wv if wv is not None and np.sum(wv) > 0 else None)
    est.validation_scores_.append(score)
    est.validation_loss_curve_.append(loss)
    if est.verbose:
        print(f"Validation score: {score:f}")
    if est.early_stopping_metric == "score":
        worse = score < est.best_validation_score_ + est.tol
        better = score > est.best_validation_score_
    else:
        worse = loss > est.best_validation_loss_ - est.tol
        better = loss < est.best_validation_loss_
    est._no_improvement_count = est._no_improvement_count + 1 if worse else 0
    if better:
        est._best_P = net.P.copy()
    est.best_validation_score_ = max(est.best_validation_score_, score)
    est.best_validation_loss_ = min(est.best_validation_loss_, loss)
