"""scikit-learn's MLP losses (the value reported in `loss_curve_`), in its op order.

Every loss pairs with its canonical output activation (identity, exp, logistic,
softmax), so its gradient with respect to the last layer's pre-activation is the
delta `y_pred - y_true` that backprop starts from; only the value is computed here.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

__all__ = ["data_loss"]


def _squared_error(y_true, y_pred, delta, scratch):
    # (y_true - y_pred) ** 2 is delta ** 2 bit for bit: negation is exact
    return 0.5 * np.square(delta, out=scratch).mean(axis=0).mean()


def _poisson(y_true, y_pred, delta, scratch):
    return (xlogy(y_true, y_true / y_pred) - y_true + y_pred).mean(axis=0).sum()


def _log_loss(y_true, y_prob, delta, scratch):
    eps = np.finfo(y_prob.dtype).eps
    y_prob = np.clip(y_prob, eps, 1 - eps)
    return -xlogy(y_true, y_prob).mean(axis=0).sum()


def _binary_log_loss(y_true, y_prob, delta, scratch):
    eps = np.finfo(y_prob.dtype).eps
    y_prob = np.clip(y_prob, eps, 1 - eps)
    return -(xlogy(y_true, y_prob) + xlogy(1 - y_true, 1 - y_prob)).mean(axis=0).sum()


_LOSSES = {
    "squared_error": _squared_error, "poisson": _poisson, "log_loss": _log_loss,
    "binary_log_loss": _binary_log_loss,
}


def data_loss(name: str, y_true: np.ndarray, y_pred: np.ndarray, delta: np.ndarray,
              scratch: np.ndarray):
    """The loss `name` of `y_pred` against `y_true`, averaged over the rows.

    `delta` is `y_pred - y_true`; `scratch` an array of its shape and dtype to write in.
    """
    return _LOSSES[name](y_true, y_pred, delta, scratch)
