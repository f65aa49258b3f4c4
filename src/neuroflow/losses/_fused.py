"""One-node forms of the hot losses: primitives with their vector-Jacobian products.

Regression losses of the error e = y_pred - y_true (squared, absolute, Huber, log-cosh)
average over the last axis in one node; cross-entropies of probabilities clip to
[epsilon, 1 - epsilon] like Keras and differentiate through that clip in one node.
Gradients reach y_true too when it requires one.
"""

from __future__ import annotations

import math

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor

__all__ = [
    "error_mean", "binary_crossentropy_probs", "categorical_crossentropy_probs",
    "sparse_categorical_crossentropy_probs",
]

_LOG2 = math.log(2.0)


def _error_value_and_slope(kind: str, e: np.ndarray, delta: float):
    if kind == "squared":
        return e * e, lambda: 2 * e
    if kind == "absolute":
        return np.abs(e), lambda: np.sign(e)
    if kind == "huber":
        a = np.abs(e)
        value = np.where(a <= delta, 0.5 * e * e, delta * a - 0.5 * delta * delta)
        return value.astype(e.dtype, copy=False), lambda: np.clip(e, -delta, delta)
    if kind == "log_cosh":
        value = e + np.logaddexp(0, -2 * e) - _LOG2
        return value.astype(e.dtype, copy=False), lambda: np.tanh(e)
    raise ValueError(f"error_mean: unknown kind {kind!r}")


def _error_mean_fwd(t, p, kind, delta):
    e = p - t
    k = e.shape[-1] if e.ndim else 1
    if kind == "squared" and e.ndim:
        out = np.add.reduce(np.square(e), axis=-1)
        if k != 1:  # a mean over one value is that value
            out *= 1.0 / k
        slope = None
    else:
        value, slope = _error_value_and_slope(kind, e, delta)
        out = value.mean(axis=-1) if e.ndim else value
    if type(out) is not np.ndarray or out.dtype != e.dtype:
        out = np.asarray(out, dtype=e.dtype)
    return out, (e, k, slope)


def _error_mean_vjp(g, res, needs):
    e, k, slope = res
    d = 2 * e if slope is None else slope()
    if not e.ndim:
        d *= g
    else:
        d *= g[..., None] if k == 1 else g[..., None] / k  # g / 1 is g
    return (-d if needs[0] else None, d if needs[1] else None)


ERROR_MEAN = Primitive("error_mean", _error_mean_fwd, _error_mean_vjp)


def error_mean(kind: str, y_true: Tensor, y_pred: Tensor, delta: float = 1.0) -> Tensor:
    """mean(f(y_pred - y_true), axis=-1) for f in 'squared', 'absolute', 'huber', 'log_cosh'."""
    if kind not in ("squared", "absolute", "huber", "log_cosh"):
        raise ValueError(f"error_mean: unknown kind {kind!r}")
    return ERROR_MEAN.bind(y_true, y_pred, kind=kind, delta=delta)


def _bounds(dtype) -> tuple[np.ndarray, np.ndarray]:
    eps = backend.epsilon()
    return np.asarray(eps, dtype=dtype), np.asarray(1.0 - eps, dtype=dtype)


def _bce_fwd(t, p):
    lo, hi = _bounds(p.dtype)
    q = np.clip(p, lo, hi)
    log_q, log_1q = np.log(q), np.log1p(-q)
    out = -(t * log_q + (1 - t) * log_1q)
    return out.astype(p.dtype, copy=False), (t, p, q, log_q, log_1q, lo, hi)


def _bce_vjp(g, res, needs):
    t, p, q, log_q, log_1q, lo, hi = res
    gp = gt = None
    if needs[1]:
        inside = (p >= lo) & (p <= hi)
        gp = g * ((1 - t) / (1 - q) - t / q) * inside
    if needs[0]:
        gt = g * (log_1q - log_q)
    return gt, gp


BINARY_CE_PROBS = Primitive("binary_crossentropy_probs", _bce_fwd, _bce_vjp)


def binary_crossentropy_probs(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Element-wise -(t log p + (1 - t) log(1 - p)) with p clipped to [eps, 1 - eps]."""
    return BINARY_CE_PROBS.bind(y_true, y_pred)


def _cce_fwd(t, p, axis):
    lo, hi = _bounds(p.dtype)
    s = p.sum(axis=axis, keepdims=True)
    q = p / s
    qc = np.clip(q, lo, hi)
    log_q = np.log(qc)
    out = -(t * log_q).sum(axis=axis)
    return out.astype(p.dtype, copy=False), (t, s, q, qc, log_q, lo, hi, axis)


def _cce_vjp(g, res, needs):
    t, s, q, qc, log_q, lo, hi, axis = res
    g = np.expand_dims(g, axis)
    gp = gt = None
    if needs[1]:
        u = -(t / qc) * ((q >= lo) & (q <= hi))
        gp = (u - (u * q).sum(axis=axis, keepdims=True)) / s * g
    if needs[0]:
        gt = -log_q * g
    return gt, gp


CATEGORICAL_CE_PROBS = Primitive("categorical_crossentropy_probs", _cce_fwd, _cce_vjp)


def categorical_crossentropy_probs(y_true: Tensor, y_pred: Tensor, axis: int = -1) -> Tensor:
    """-sum(t * log(clip(p / sum(p)))) over `axis`, as Keras computes it from probabilities."""
    return CATEGORICAL_CE_PROBS.bind(y_true, y_pred, axis=axis)


def _scce_fwd(labels, p):
    k = p.shape[-1]
    p2 = p.reshape(-1, k)
    idx = labels.reshape(-1).astype(np.intp, copy=False)
    rows = np.arange(idx.size)
    lo, hi = _bounds(p.dtype)
    s = p2.sum(axis=1)
    q = p2[rows, idx] / s
    qc = np.clip(q, lo, hi)
    out = (-np.log(qc)).reshape(p.shape[:-1])
    return out.astype(p.dtype, copy=False), (p.shape, rows, idx, s, q, qc, lo, hi)


def _scce_vjp(g, res, needs):
    shape, rows, idx, s, q, qc, lo, hi = res
    u = -(((q >= lo) & (q <= hi)) / qc) * g.reshape(-1)
    grad = np.broadcast_to((-u * q / s)[:, None], (len(idx), shape[-1])).astype(g.dtype)
    grad[rows, idx] += u / s
    return None, grad.reshape(shape)


SPARSE_CE_PROBS = Primitive("sparse_categorical_crossentropy_probs", _scce_fwd, _scce_vjp)


def sparse_categorical_crossentropy_probs(labels: np.ndarray, y_pred: Tensor) -> Tensor:
    """-log(clip(p[label] / sum(p))) over the last axis, for integer `labels`."""
    labels = labels if isinstance(labels, Tensor) else Tensor(np.asarray(labels))
    return SPARSE_CE_PROBS.bind(labels, y_pred)
