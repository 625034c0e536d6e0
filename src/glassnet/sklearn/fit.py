"""The training loops of the scikit-learn adapters: scikit-learn's bookkeeping around
``Network.fit`` (one epoch per call) for sgd and adam, and scipy's L-BFGS for lbfgs.

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
    callbacks = list(est.callbacks or ())

    est.n_iter_ = 0
    for _ in range(est.max_iter):
        history = net.fit(
            X,
            Y,
            epochs=1,
            batch_size=batch_size,
            optimizer=opt,
            shuffle=est.shuffle,
            alpha=alpha,
            sample_weight=w,
            seed=int(rs.randint(np.iinfo(np.int32).max)),  # shuffling and dropout
            distributed=est.distributed,
        )
        if history.epochs == 0:  # the cost diverged: Network.fit warned and kept the weights
            break
        if history.stop_reason and history.stop_reason.startswith("interrupted"):
            warnings.warn("Training interrupted by user.", stacklevel=4)
            break
        est.n_iter_ += 1
        est.loss_ = history.loss[-1]
        est.t_ += n
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        _update_no_improvement_count(est, val)
        if est.solver == "sgd" and est.learning_rate == "invscaling":
            opt.learning_rate = est.learning_rate_init / (est.t_ + 1) ** est.power_t
        stop = any(cb(est) is True for cb in callbacks)

        if est._no_improvement_count > est.n_iter_no_change:
            what = "Validation score" if est.early_stopping else "Training loss"
            if est.early_stopping and est.early_stopping_metric == "loss":
                what = "Validation loss"
            msg = (
                f"{what} did not improve more than tol={est.tol:f} for "
                f"{est.n_iter_no_change} consecutive epochs."
            )
            adaptive = est.solver == "sgd" and est.learning_rate == "adaptive"
            if adaptive and opt.learning_rate > 1e-6:
                opt.learning_rate /= 5.0
                est._no_improvement_count = 0
                if est.verbose:
                    print(f"{msg} Setting learning rate to {opt.learning_rate:f}")
            else:
                if est.verbose:
                    print(f"{msg} Stopping.")
                if incremental and est.early_stopping:
                    net.P[...] = est._best_P
                    est.early_stopped_ = True
                break
        if stop or incremental:
            break
        if est.n_iter_ == est.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
    if est.early_stopping and not incremental:
        net.P[...] = est._best_P  # restore the best weights


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
