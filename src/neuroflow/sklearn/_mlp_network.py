"""The neuroflow network behind MLPClassifier and MLPRegressor: build, losses, one step.

The network is a neuroflow `Sequential` of `Dense` layers whose kernels and biases are
the estimator's `coefs_` and `intercepts_` (the very same arrays: the optimizer
updates them in place). Losses and the L2 penalty follow scikit-learn's definitions.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from neuroflow.autodiff import GradientTape, Tensor, math_ops, reduce_ops
from neuroflow.layers import Dense, InputLayer
from neuroflow.losses import functions as loss_functions
from neuroflow.models import Sequential

__all__ = [
    "DTYPE", "init_parameters", "build_network", "forward", "objective", "reported_loss",
    "train_step",
]

DTYPE = np.float32

# scikit-learn's activation names -> neuroflow's
_ACTIVATIONS = {
    "identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
    "softmax": "softmax", "exp": "exponential",
}


def init_parameters(layer_units: list[int], activation: str, rng: np.random.RandomState):
    """Glorot-uniform weights and biases drawn as scikit-learn draws them (same order)."""
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(DTYPE))
        intercepts.append(rng.uniform(-bound, bound, fan_out).astype(DTYPE))
    return coefs, intercepts


def build_network(coefs: list, intercepts: list, activation: str, out_activation: str):
    """A neuroflow Sequential holding copies of `coefs` and `intercepts`."""
    layers: list = [InputLayer(shape=(coefs[0].shape[0],))]
    for i, coef in enumerate(coefs):
        name = activation if i < len(coefs) - 1 else out_activation
        layers.append(Dense(coef.shape[1], activation=_ACTIVATIONS[name]))
    network = Sequential(layers)
    for layer, coef, intercept in zip(network.layers, coefs, intercepts, strict=True):
        layer.kernel.assign(coef)
        layer.bias.assign(intercept)
    return network


def forward(network, X: np.ndarray) -> np.ndarray:
    """The network's outputs for `X` in float64 (float32 weights, float64 arithmetic), so
    that a row's prediction does not depend on the other rows of the batch."""
    x = Tensor(np.asarray(X, dtype=np.float64))
    for layer in network.layers:
        x = layer.call(x)
    return x.data


def objective(loss: str, y_true: np.ndarray, y_pred):
    """The differentiable data term whose gradient is scikit-learn's `(p - y) / n`.

    Sums over the outputs and averages over the samples.
    """
    n_outputs = y_pred.shape[1]
    if loss == "log_loss":
        return reduce_ops.mean(loss_functions.categorical_crossentropy(y_true, y_pred))
    if loss == "binary_log_loss":
        per_sample = loss_functions.binary_crossentropy(y_true, y_pred)
        return reduce_ops.mean(per_sample) * float(n_outputs)
    if loss == "squared_error":
        return reduce_ops.mean(loss_functions.mean_squared_error(y_true, y_pred)) * (
            0.5 * n_outputs
        )
    if loss == "poisson":
        # the gradient of exp(z) - y z with respect to z is p - y
        terms = math_ops.subtract(y_pred, math_ops.multiply(y_true, math_ops.log(y_pred)))
        return reduce_ops.mean(reduce_ops.sum(terms, axis=1))
    raise ValueError(f"unknown loss {loss!r}")


def reported_loss(loss: str, value: float, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """scikit-learn's value of the loss (`loss_`) from the objective's value."""
    if loss == "squared_error":
        return value / y_pred.shape[1]
    if loss == "poisson":
        return float(np.mean(xlogy(y_true, y_true / y_pred) - y_true + y_pred, axis=0).sum())
    return value


def train_step(network, variables, optimizer, loss: str, alpha: float, x, y) -> float:
    """One gradient step on a batch; returns scikit-learn's loss on it (penalty included)."""
    with GradientTape() as tape:
        y_pred = network(x, training=True)
        data_term = objective(loss, y, y_pred)
    grads = [g.data for g in tape.gradient(data_term, variables)]
    value = reported_loss(loss, float(data_term.data), y, y_pred.data)
    if alpha:
        n_samples = x.shape[0]
        squares = 0.0
        for i in range(0, len(variables), 2):  # kernels; biases are not penalized
            w = variables[i].data
            squares += float(np.dot(w.ravel(), w.ravel()))
            grads[i] = grads[i] + (alpha / n_samples) * w
        value += 0.5 * alpha * squares / n_samples
    optimizer.apply(grads, variables)
    return value
