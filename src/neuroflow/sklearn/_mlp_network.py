"""The arithmetic of MLPClassifier and MLPRegressor: parameters, forward pass, backprop.

Op for op the order scikit-learn computes in (same BLAS products on the same operands,
same in-place activations and derivatives, same dtype promotions), so that equal
weights, data and dtype give equal bits. The speed comes from doing less per step:
every buffer is allocated once per fit, products write through `out=`, and the
parameters and gradients each live in one flat vector (coefs then intercepts, the
packing scikit-learn hands to L-BFGS), so an optimizer update is a few whole-vector
calls whatever the depth.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import expit

from neuroflow.sklearn._mlp_losses import data_loss

__all__ = [
    "ACTIVATIONS", "Backprop", "ParameterLayout", "forward_pass", "init_parameters",
]


def _identity(z: np.ndarray) -> None:
    """Leave `z` as it is."""


def _exp(z: np.ndarray) -> None:
    np.exp(z, out=z)


def _logistic(z: np.ndarray) -> None:
    expit(z, out=z)


def _tanh(z: np.ndarray) -> None:
    np.tanh(z, out=z)


def _relu(z: np.ndarray) -> None:
    np.maximum(z, 0, out=z)


def _softmax(z: np.ndarray) -> None:
    shifted = z - z.max(axis=1)[:, np.newaxis]
    np.exp(shifted, out=z)
    z /= z.sum(axis=1)[:, np.newaxis]


# in-place activations, by scikit-learn's names
ACTIVATIONS: dict[str, Callable[[np.ndarray], None]] = {
    "identity": _identity, "exp": _exp, "logistic": _logistic, "tanh": _tanh,
    "relu": _relu, "softmax": _softmax,
}


def _matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`a @ b` (scikit-learn's product) into `out`; mixed dtypes go through numpy's own
    promotion and a copy, so the bits are those of the plain product."""
    if a.dtype == out.dtype and b.dtype == out.dtype:
        return np.matmul(a, b, out=out)
    out[...] = a @ b
    return out


def init_parameters(layer_units: list[int], activation: str, rng: np.random.RandomState,
                    dtype) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Glorot-uniform weights and biases, drawn in float64 in scikit-learn's order (each
    layer's weights, then its biases) and cast to `dtype`."""
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype, copy=False))
        intercepts.append(rng.uniform(-bound, bound, fan_out).astype(dtype, copy=False))
    return coefs, intercepts


class ParameterLayout:
    """Where each layer's weights and biases sit in one flat vector: every weight matrix
    row-major, then every bias vector (scikit-learn's `_pack` order)."""

    def __init__(self, layer_units: list[int]) -> None:
        self.coef_shapes = list(zip(layer_units[:-1], layer_units[1:], strict=True))
        self.coef_spans, self.intercept_spans, start = [], [], 0
        for fan_in, fan_out in self.coef_shapes:
            self.coef_spans.append((start, start + fan_in * fan_out))
            start += fan_in * fan_out
        for _, fan_out in self.coef_shapes:
            self.intercept_spans.append((start, start + fan_out))
            start += fan_out
        self.size = start

    def views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Weight matrices and bias vectors that are views of `flat`."""
        coefs = [flat[a:b].reshape(shape)
                 for (a, b), shape in zip(self.coef_spans, self.coef_shapes, strict=True)]
        intercepts = [flat[a:b] for a, b in self.intercept_spans]
        return coefs, intercepts

    def pack(self, coefs: list[np.ndarray], intercepts: list[np.ndarray]) -> np.ndarray:
        """A new flat vector holding `coefs` and `intercepts` (their common dtype)."""
        flat = np.empty(self.size, dtype=np.result_type(*coefs, *intercepts))
        views = self.views(flat)
        for target, source in zip([*views[0], *views[1]], [*coefs, *intercepts], strict=True):
            target[...] = source
        return flat


def forward_pass(X: np.ndarray, coefs: list[np.ndarray], intercepts: list[np.ndarray],
                 activation: str, out_activation: str) -> np.ndarray:
    """The network's outputs for `X` (scikit-learn's prediction pass, new arrays)."""
    hidden = ACTIVATIONS[activation]
    z = X
    last = len(coefs) - 1
    for i, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
        z = z @ coef
        z += intercept
        if i != last:
            hidden(z)
    ACTIVATIONS[out_activation](z)
    return z


class Backprop:
    """Loss and gradients of one network on batches of up to `batch_size` rows.

    Owns every buffer a step needs (activations, deltas, scratch, the flat gradient
    `grad` laid out as the parameters); `__call__` reads the weights from the views it
    is given, so L-BFGS can hand it any flat vector.
    """

    def __init__(self, layout: ParameterLayout, activation: str, out_activation: str,
                 loss: str, alpha: float, batch_size: int, x_dtype, param_dtype,
                 y_dtype, n_outputs: int) -> None:
        self.layout = layout
        self.hidden = ACTIVATIONS[activation]
        self.activation = activation
        self.out_activation = ACTIVATIONS[out_activation]
        self.loss = loss
        self.alpha = alpha
        # numpy's promotions in scikit-learn's expressions: activations X @ W, deltas
        # (activations - y) and everything computed from them
        act_dtype = np.result_type(x_dtype, param_dtype)
        self.grad_dtype = np.result_type(act_dtype, y_dtype)
        units = [shape[1] for shape in layout.coef_shapes]
        self.x = np.empty((batch_size, layout.coef_shapes[0][0]), dtype=x_dtype)
        self.y = np.empty((batch_size, n_outputs), dtype=y_dtype)
        self.activations = [np.empty((batch_size, u), dtype=act_dtype) for u in units]
        self.deltas = [np.empty((batch_size, u), dtype=self.grad_dtype) for u in units]
        self.scratch = [np.empty((batch_size, u), dtype=act_dtype) for u in units]
        self.masks = [np.empty((batch_size, u), dtype=bool) for u in units]
        self.loss_scratch = np.empty((batch_size, n_outputs), dtype=self.grad_dtype)
        self.penalty = [np.empty(shape, dtype=param_dtype) for shape in layout.coef_shapes]
        self.grad = np.empty(layout.size, dtype=self.grad_dtype)
        self.coef_grads, self.intercept_grads = layout.views(self.grad)

    def batch(self, X: np.ndarray, y: np.ndarray, rows) -> tuple[np.ndarray, np.ndarray]:
        """Rows `rows` (a slice: views; indices: copies into the owned buffers)."""
        if isinstance(rows, slice):
            return X[rows], y[rows]
        m = len(rows)
        return (np.take(X, rows, axis=0, out=self.x[:m]),
                np.take(y, rows, axis=0, out=self.y[:m]))

    def __call__(self, coefs: list[np.ndarray], intercepts: list[np.ndarray],
                 X: np.ndarray, y: np.ndarray):
        """scikit-learn's loss on (X, y), penalty included; fills `self.grad`."""
        m = X.shape[0]
        last = len(coefs) - 1
        acts = [a[:m] for a in self.activations]
        inputs = [X, *acts[:-1]]
        for i in range(last + 1):
            _matmul(inputs[i], coefs[i], acts[i])
            acts[i] += intercepts[i]
            if i != last:
                self.hidden(acts[i])
        self.out_activation(acts[last])

        delta = np.subtract(acts[last], y, out=self.deltas[last][:m])
        loss = data_loss(self.loss, y, acts[last], delta, self.loss_scratch[:m])
        values = 0
        for coef in coefs:
            flat = coef.ravel()
            values += np.dot(flat, flat)
        loss += (0.5 * self.alpha) * values / m

        self._layer_gradients(last, m, inputs[last], delta, coefs[last])
        for i in range(last, 0, -1):
            delta_below = _matmul(delta, coefs[i].T, self.deltas[i - 1][:m])
            self._derivative(acts[i - 1], delta_below, i - 1, m)
            delta = delta_below
            self._layer_gradients(i - 1, m, inputs[i - 1], delta, coefs[i - 1])
        return loss

    def _layer_gradients(self, i: int, m: int, inputs: np.ndarray, delta: np.ndarray,
                         coef: np.ndarray) -> None:
        coef_grad = _matmul(inputs.T, delta, self.coef_grads[i])
        if self.alpha:
            coef_grad += np.multiply(coef, self.alpha, out=self.penalty[i])
        coef_grad /= m
        intercept_grad = np.sum(delta, axis=0, out=self.intercept_grads[i])
        intercept_grad /= m

    def _derivative(self, z: np.ndarray, delta: np.ndarray, i: int, m: int) -> None:
        """Multiply `delta` in place by the hidden activation's derivative at output `z`."""
        if self.activation == "relu":
            np.copyto(delta, 0, where=np.equal(z, 0, out=self.masks[i][:m]))
        elif self.activation == "tanh":
            scratch = np.square(z, out=self.scratch[i][:m])
            delta *= np.subtract(1, scratch, out=scratch)
        elif self.activation == "logistic":
            delta *= z
            delta *= np.subtract(1, z, out=self.scratch[i][:m])
