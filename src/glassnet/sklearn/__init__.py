"""Drop-in replacements for scikit-learn's MLPClassifier and MLPRegressor.

Change one import line::

    from glassnet.sklearn import MLPClassifier   # was: from sklearn.neural_network import ...

The constructor parameters, their defaults and meanings, the fitted attributes
(``coefs_``, ``intercepts_``, ``loss_curve_``, ``n_iter_``, ``classes_``, ...), the
convergence warnings and the early-stopping rules are scikit-learn 1.9's. Underneath is a
glassnet :class:`~glassnet.network.Network` (``to_network()``), trained one epoch at a time by
``Network.fit``. Beyond scikit-learn: ``class_weight``, ``activation`` as a list (one per
hidden layer, any glassnet activation), ``dropout``, a robust regression loss (``"huber"``),
``validation_loss_curve_`` and early stopping on the validation loss
(``early_stopping_metric="loss"``), ``callbacks``, ``partial_fit`` with early stopping, and
``dtype`` (scikit-learn's rule by default: float32 input stays float32, anything else
float64; ``dtype="float32"`` opts in to float32 speed). See docs/sklearn.md.

>>> from glassnet.sklearn import MLPClassifier
>>> from sklearn.datasets import load_iris
>>> X, y = load_iris(return_X_y=True)
>>> clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X, y)
>>> clf.score(X, y) > 0.95
True

Layout: ``estimators`` (the two estimators), ``base`` (what they share: parameters, the
network, fit, predict), ``fit`` (scikit-learn's epoch loop and L-BFGS call) and ``solvers``
(scikit-learn's update rules and initialisation on glassnet's flat vectors).
"""

from glassnet.sklearn.estimators import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
