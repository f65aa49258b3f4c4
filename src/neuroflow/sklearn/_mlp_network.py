"""The arithmetic of MLPClassifier and MLPRegressor: parameters, forward pass, backprop.

Op for op the order scikit-learn computes in (same BLAS products on the same operands,
same in-place activations and derivatives, same dtype promotions), so that equal
weights, data and dtype give equal bits. The speed comes from doing less per step:
every buffer is allocated once per fit, products write through `out=`, and the
parameters and gradients each live in one flat vector (coefs then intercepts, the
packing scikit-learn hands to L-BFGS), so an optimizer update is a few calls per
cache-sized chunk whatever the depth, and the gradient's last elementwise steps (the
penalty, the division by the batch size) can wait for the update's chunks
(`finish_gradient`). Predictions keep their hidden activations in buffers kept
between calls (`ForwardScratch`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
from scipy.special import expit

from neuroflow.autodiff.nn_ops import KERNELS
from neuroflow.sklearn._mlp_losses import loss_function

__all__ = [
    "ACTIVATIONS", "Backprop", "ForwardScratch", "ParameterLayout", "forward_pass",
    "init_parameters", "take_rows",
]


def _identity(z: np.ndarray) -> None:
    """Leave `z` as it is."""


def _exp(z: np.ndarray) -> None:
    np.exp(z, out=z)


def _logistic(z: np.ndarray) -> None:
    expit(z, out=z)


def _tanh(z: np.ndarray) -> None:
    np.tanh(z, out=z)


_RELU = KERNELS["relu"]


def _relu(z: np.ndarray) -> None:
    _RELU.forward(z)  # in place, against kept zeros of z's shape (faster than the scalar)


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


class ForwardScratch:
    """Buffers for the hidden activations of predictions, kept between calls: a fresh
    array of a megabyte or more costs its page faults on every call, which for a small
    network is as much as the products. One caller at a time uses them (a concurrent
    call allocates its own); pickles and copies start without them."""

    max_bytes = 64 * 2**20  # larger hidden activations are allocated per call

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffers: list[np.ndarray] = []

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def acquire(self, size: int, dtype) -> list[np.ndarray] | None:
        """Two vectors of at least `size` elements of `dtype`, or None (in use, or too
        large to keep); give them back with `release`."""
        if size * np.dtype(dtype).itemsize * 2 > self.max_bytes:
            return None
        if not self._lock.acquire(blocking=False):
            return None
        buffers = self._buffers
        if not buffers or buffers[0].dtype != dtype or buffers[0].size < size:
            self._buffers = []
            try:
                buffers = self._buffers = [np.empty(size, dtype), np.empty(size, dtype)]
            except MemoryError:
                self._lock.release()
                raise
        return buffers

    def release(self) -> None:
        self._lock.release()


def forward_pass(X: np.ndarray, coefs: list[np.ndarray], intercepts: list[np.ndarray],
                 activation: str, out_activation: str,
                 scratch: ForwardScratch | None = None) -> np.ndarray:
    """The network's outputs for `X` (scikit-learn's prediction pass); the output is a
    new array, the hidden activations live in `scratch`'s buffers when it has them."""
    hidden = ACTIVATIONS[activation]
    n_rows, last = X.shape[0], len(coefs) - 1
    dtype = np.result_type(X.dtype, coefs[0].dtype)
    widths = [c.shape[1] for c in coefs[:-1]]
    buffers = (scratch.acquire(n_rows * max(widths), dtype)
               if scratch is not None and widths else None)
    try:
        z = X
        for i, (coef, intercept) in enumerate(zip(coefs, intercepts, strict=True)):
            if i == last or buffers is None:
                z = np.matmul(z, coef)
            else:
                out = buffers[i % 2][:n_rows * widths[i]].reshape(n_rows, widths[i])
                z = np.matmul(z, coef, out=out)
            z += intercept
            if i != last:
                hidden(z)
    finally:
        if buffers is not None:
            scratch.release()
    ACTIVATIONS[out_activation](z)
    return z


def take_rows(a: np.ndarray, rows: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`a[rows]` into `out`, for valid row indices. numpy's take into `out` with its
    default mode ('raise') goes through a temporary copy, so that `out` is untouched if
    an index fails; 'clip' writes directly (and for valid indices means the same)."""
    return np.take(a, rows, axis=0, out=out, mode="clip")


def _cast_buffer(shape: tuple, source_dtype, dtype) -> np.ndarray | None:
    """A C-ordered buffer for an operand numpy would cast to `dtype` before a product
    (None when the dtypes agree)."""
    return None if np.dtype(source_dtype) == dtype else np.empty(shape, dtype)


class _Rows:
    """The per-row buffers of a batch of `m` rows (views of the first `m` rows of the
    buffers a Backprop owns) and the casts of its operands; made once per batch size."""

    def __init__(self, owner: Backprop, m: int) -> None:
        act, grad = owner.act_dtype, owner.grad_dtype
        self.acts = [b[:m] for b in owner._activations]
        self.deltas = [b[:m] for b in owner._deltas]
        self.scratch = [b[:m] for b in owner._scratch]
        self.masks = [b[:m] for b in owner._masks]
        self.loss_scratch = owner._loss_scratch[:m]
        n_features = owner.layout.coef_shapes[0][0]
        self.x_cast = _cast_buffer((m, n_features), owner.x_dtype, act)
        # the transposed inputs of the weight-gradient products: X, then activations
        self.transposed_casts = [_cast_buffer((n_features, m), owner.x_dtype, grad)]
        self.transposed_casts += [_cast_buffer(a.shape[::-1], act, grad) for a in self.acts[:-1]]
        self.count = np.intp(m)  # numpy's mean divides by the count as an intp


class _Weights:
    """Views of one flat parameter vector as a step reads them, with the casts of the
    weights numpy would make before a product (refreshed by `refresh` every step)."""

    def __init__(self, owner: Backprop, flat: np.ndarray) -> None:
        act, grad = owner.act_dtype, owner.grad_dtype
        self.flat = flat
        coefs, self.intercepts = owner.layout.views(flat)
        self.raveled = [c.reshape(-1) for c in coefs]
        forward = [_cast_buffer(c.shape, c.dtype, act) for c in coefs]
        backward = [None] + [_cast_buffer(c.shape[::-1], c.dtype, grad) for c in coefs[1:]]
        self._casts = [(c, b) for c, b in zip(coefs, forward, strict=True) if b is not None]
        self._casts += [(c.T, b) for c, b in zip(coefs, backward, strict=True)
                        if b is not None]
        # the operands of X @ W (forward) and of delta @ W.T (backward), per layer
        self.forward = [c if b is None else b for c, b in zip(coefs, forward, strict=True)]
        self.backward = [c.T if b is None else b for c, b in zip(coefs, backward, strict=True)]

    def refresh(self) -> None:
        """Copy the current weights into their casts."""
        for source, target in self._casts:
            np.copyto(target, source)


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
        self._data_loss = loss_function(loss)
        self.alpha = alpha
        # numpy's promotions in scikit-learn's expressions: activations X @ W, deltas
        # (activations - y) and every gradient computed from them
        self.x_dtype = np.dtype(x_dtype)
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
        # a product with an inner dimension of one is an outer product: computed as
        # numpy's matmul computes it (0 + a * b), without the matmul's slow loop
        self._outer = [i > 0 and shape[1] == 1
                       for i, shape in enumerate(layout.coef_shapes)]
        self._rows: dict[int, _Rows] = {}
        self._bound: _Weights | None = None

    def batch(self, X: np.ndarray, y: np.ndarray, rows) -> tuple[np.ndarray, np.ndarray]:
        """Rows `rows` (a slice: views; indices: copies into the owned buffers)."""
        if isinstance(rows, slice):
            return X[rows], y[rows]
        m = len(rows)
        return take_rows(X, rows, self.x[:m]), take_rows(y, rows, self.y[:m])

    def _weights(self, flat: np.ndarray) -> _Weights:
        weights = self._bound
        if weights is None or weights.flat is not flat:
            weights = self._bound = _Weights(self, flat)
        weights.refresh()
        return weights

    def __call__(self, flat: np.ndarray, X: np.ndarray, y: np.ndarray, finish: bool = True):
        """scikit-learn's loss on (X, y), penalty included; fills `self.grad`. With
        `finish=False` the gradient is left unfinished (the products and sums before
        the penalty and the division by the batch size) for `finish_gradient`."""
        w = self._weights(flat)
        m = self._count = X.shape[0]
        rows = self._rows.get(m)
        if rows is None:
            rows = self._rows[m] = _Rows(self, m)
        acts, deltas = rows.acts, rows.deltas
        last = len(acts) - 1
        hidden = self.hidden

        z = X
        if rows.x_cast is not None:
            np.copyto(rows.x_cast, X)
            z = rows.x_cast
        for i, (coef, intercept, out) in enumerate(zip(w.forward, w.intercepts, acts,
                                                       strict=True)):
            z = np.matmul(z, coef, out=out)
            np.add(z, intercept, out=z)
            if i != last:
                hidden(z)
        self.out_activation(z)

        delta = np.subtract(z, y, out=deltas[last])
        loss = self._data_loss(y, z, delta, rows.loss_scratch, rows.count)
        values = 0
        for coef in w.raveled:
            values += np.dot(coef, coef)
        loss += (0.5 * self.alpha) * values / m

        coef_grads, intercept_grads = self._coef_grads, self._intercept_grads
        for i in range(last, -1, -1):
            a_t, cast = (acts[i - 1] if i else X).T, rows.transposed_casts[i]
            if cast is not None:
                np.copyto(cast, a_t)
                a_t = cast
            np.matmul(a_t, delta, out=coef_grads[i])
            np.add.reduce(delta, axis=0, out=intercept_grads[i])
            if i:
                below = deltas[i - 1]
                if self._outer[i]:
                    np.multiply(delta, w.backward[i], out=below)
                    np.add(below, 0.0, out=below)  # matmul's 0 + a * b: -0 becomes 0
                else:
                    np.matmul(delta, w.backward[i], out=below)
                self._derivative(acts[i - 1], below, rows.scratch[i - 1],
                                 rows.masks[i - 1])
                delta = below
        if finish:
            self.finish_gradient(0, self.layout.size)
        return loss

    def finish_gradient(self, start: int, stop: int) -> None:
        """Finish `grad[start:stop]` after a call with `finish=False`: scikit-learn's
        (product + alpha * W) / n and sum / n, elementwise, so any piece on its own."""
        grad = self.grad[start:stop]
        coefs_stop = min(stop, self.n_coefs)
        if self.alpha and start < coefs_stop:
            n = coefs_stop - start
            grad[:n] += np.multiply(self._bound.flat[start:coefs_stop], self.alpha,
                                    out=self._penalty[:n])
        np.true_divide(grad, self._count, out=grad)

    def _derivative(self, z: np.ndarray, delta: np.ndarray, scratch: np.ndarray,
                    mask: np.ndarray) -> None:
        """Multiply `delta` in place by the hidden activation's derivative at output `z`."""
        activation = self.activation
        if activation == "relu":
            # scikit-learn's delta[z == 0] = 0 as a product by z > 0: the same numbers
            # (a zero may come out as -0, which the sums and updates after it absorb)
            np.multiply(delta, np.greater(z, 0, out=mask), out=delta)
        elif activation == "tanh":
            np.square(z, out=scratch)
            delta *= np.subtract(1, scratch, out=scratch)
        elif activation == "logistic":
            delta *= z
            delta *= np.subtract(1, z, out=scratch)
