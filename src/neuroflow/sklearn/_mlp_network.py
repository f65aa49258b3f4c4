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
    `grad`, laid out as the parameters) and reads the weights from the flat vector it
    is given, so L-BFGS can hand it any point. Where scikit-learn's operands have
    different dtypes (float32 activations against float64 targets), numpy would cast
    one to a C-ordered copy before the product: that copy is made here, into a kept
    buffer, so the product is the same BLAS call on the same bits.
    """

    def __init__(self, layout: ParameterLayout, activation: str, out_activation: str,
                 loss: str, alpha: float, batch_size: int, x_dtype, param_dtype,
                 y_dtype, n_outputs: int) -> None:
        self.layout = layout
        self.activation = activation
        self.hidden = ACTIVATIONS[activation]
        self.out_activation = ACTIVATIONS[out_activation]
        self.loss = loss
        self.alpha = alpha
        # numpy's promotions in scikit-learn's expressions: activations X @ W, deltas
        # (activations - y) and every gradient computed from them
        self.act_dtype = np.result_type(x_dtype, param_dtype)
        self.grad_dtype = np.result_type(self.act_dtype, y_dtype)
        self.n_coefs = layout.intercept_spans[0][0]
        self.x = np.empty((batch_size, layout.coef_shapes[0][0]), dtype=x_dtype)
        self.y = np.empty((batch_size, n_outputs), dtype=y_dtype)
        units = [shape[1] for shape in layout.coef_shapes]
        self._activations = [np.empty((batch_size, u), self.act_dtype) for u in units]
        self._deltas = [np.empty((batch_size, u), self.grad_dtype) for u in units]
        self._scratch = [np.empty((batch_size, u), self.act_dtype) for u in units]
        self._masks = [np.empty((batch_size, u), bool) for u in units]
        self._loss_scratch = np.empty((batch_size, n_outputs), self.grad_dtype)
        self._penalty = np.empty(self.n_coefs, dtype=param_dtype)
        self.grad = np.empty(layout.size, dtype=self.grad_dtype)
        self._coef_grads, self._intercept_grads = layout.views(self.grad)
        self._slots = [(f"f{i}", f"g{i}", f"d{i}") for i in range(len(units))]
        self._rows: dict[int, tuple] = {}
        self._casts: dict[tuple, np.ndarray] = {}
        self._params: tuple = (None, None, None)

    def batch(self, X: np.ndarray, y: np.ndarray, rows) -> tuple[np.ndarray, np.ndarray]:
        """Rows `rows` (a slice: views; indices: copies into the owned buffers)."""
        if isinstance(rows, slice):
            return X[rows], y[rows]
        m = len(rows)
        return (np.take(X, rows, axis=0, out=self.x[:m]),
                np.take(y, rows, axis=0, out=self.y[:m]))

    def _views(self, m: int) -> tuple:
        """The first `m` rows of every per-row buffer (made once per batch size)."""
        views = self._rows.get(m)
        if views is None:
            views = self._rows[m] = tuple(
                [b[:m] for b in buffers] for buffers in
                (self._activations, self._deltas, self._scratch, self._masks)
            ) + (self._loss_scratch[:m],)
        return views

    def _weights(self, flat: np.ndarray) -> tuple[list, list]:
        if self._params[0] is not flat:
            self._params = (flat, *self.layout.views(flat))
        return self._params[1], self._params[2]

    def _matmul(self, a: np.ndarray, b: np.ndarray, out: np.ndarray, slot: str):
        """`a @ b` into `out`, operands of another dtype than `out` cast as numpy would."""
        if a.dtype != out.dtype:
            a = self._cast(a, out.dtype, slot + "a")
        if b.dtype != out.dtype:
            b = self._cast(b, out.dtype, slot + "b")
        return np.matmul(a, b, out=out)

    def _cast(self, x: np.ndarray, dtype, slot: str) -> np.ndarray:
        buffer = self._casts.get((slot, x.shape))
        if buffer is None:
            buffer = self._casts[slot, x.shape] = np.empty(x.shape, dtype)
        np.copyto(buffer, x)
        return buffer

    def __call__(self, flat: np.ndarray, X: np.ndarray, y: np.ndarray):
        """scikit-learn's loss on (X, y), penalty included; fills `self.grad`."""
        coefs, intercepts = self._weights(flat)
        m = X.shape[0]
        acts, deltas, scratch, masks, loss_scratch = self._views(m)
        last = len(coefs) - 1
        inputs = [X, *acts[:-1]]
        for i in range(last + 1):
            z = self._matmul(inputs[i], coefs[i], acts[i], self._slots[i][0])
            np.add(z, intercepts[i], out=z)
            if i != last:
                self.hidden(z)
        self.out_activation(acts[last])

        delta = np.subtract(acts[last], y, out=deltas[last])
        loss = data_loss(self.loss, y, acts[last], delta, loss_scratch)
        values = 0
        for coef in coefs:
            w = coef.ravel()
            values += np.dot(w, w)
        loss += (0.5 * self.alpha) * values / m

        for i in range(last, -1, -1):
            slots = self._slots[i]
            self._matmul(inputs[i].T, delta, self._coef_grads[i], slots[1])
            np.add.reduce(delta, axis=0, out=self._intercept_grads[i])
            if i:
                delta_below = self._matmul(delta, coefs[i].T, deltas[i - 1], slots[2])
                self._derivative(acts[i - 1], delta_below, scratch[i - 1], masks[i - 1])
                delta = delta_below
        # scikit-learn's (product + alpha * W) / n and sum / n, every layer in one go
        if self.alpha:
            coef_grads = self.grad[:self.n_coefs]
            coef_grads += np.multiply(flat[:self.n_coefs], self.alpha, out=self._penalty)
        np.true_divide(self.grad, m, out=self.grad)
        return loss

    def _derivative(self, z: np.ndarray, delta: np.ndarray, scratch: np.ndarray,
                    mask: np.ndarray) -> None:
        """Multiply `delta` in place by the hidden activation's derivative at output `z`."""
        if self.activation == "relu":
            # scikit-learn's delta[z == 0] = 0 as a product by z > 0: the same numbers
            # (a zero may come out as -0, which the sums and updates after it absorb)
            np.multiply(delta, np.greater(z, 0, out=mask), out=delta)
        elif self.activation == "tanh":
            np.square(z, out=scratch)
            delta *= np.subtract(1, scratch, out=scratch)
        elif self.activation == "logistic":
            delta *= z
            delta *= np.subtract(1, z, out=scratch)
