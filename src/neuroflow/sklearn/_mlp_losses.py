"""scikit-learn's MLP losses (the value reported in `loss_curve_`), in its op order.

Every loss pairs with its canonical output activation (identity, exp, logistic,
softmax), so its gradient with respect to the last layer's pre-activation is the
delta `y_pred - y_true` that backprop starts from; only the value is computed here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import xlogy

__all__ = ["loss_function"]


def _squared_error(y_true, y_pred, delta, scratch, count):
    # (y_true - y_pred) ** 2 is delta ** 2 bit for bit: negation is exact; then numpy's
    # mean(axis=0).mean() as its own steps (a sum, then a division by the intp count,
    # in place for the array and through the scalar's type for the scalar)
    column_sums = np.add.reduce(np.square(delta, out=scratch), axis=0)
    column_means = np.true_divide(column_sums, count, out=column_sums, casting="unsafe")
    total = np.add.reduce(column_means)
    return 0.5 * total.dtype.type(total / np.intp(column_means.shape[0]))


def _poisson(y_true, y_pred, delta, scratch, count):
    return (xlogy(y_true, y_true / y_pred) - y_true + y_pred).mean(axis=0).sum()


def _log_loss(y_true, y_prob, delta, scratch, count):
    eps = np.finfo(y_prob.dtype).eps
    y_prob = np.clip(y_prob, eps, 1 - eps)
    return -xlogy(y_true, y_prob).mean(axis=0).sum()


def _binary_log_loss(y_true, y_prob, delta, scratch, count):
    eps = np.finfo(y_prob.dtype).eps
    y_prob = np.clip(y_prob, eps, 1 - eps)
    return -(xlogy(y_true, y_prob) + xlogy(1 - y_true, 1 - y_prob)).mean(axis=0).sum()


_LOSSES = {
    "squared_error": _squared_error, "poisson": _poisson, "log_loss": _log_loss,
    "binary_log_loss": _binary_log_loss,
}


def loss_function(name: str) -> Callable:
    """The loss `name` as `f(y_true, y_pred, delta, scratch, count)`: averaged over the
    `count` rows, `delta` being `y_pred - y_true` and `scratch` an array of its shape and
    dtype to write in."""
    return _LOSSES[name]
