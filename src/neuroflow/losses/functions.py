"""Loss functions with Keras names: `fn(y_true, y_pred) -> Tensor` of per-sample losses.

Regression losses average over the last axis, so targets of shape (n, k) give n
values. `y_true` is a constant (array or Tensor); gradients flow to `y_pred`.

Cross-entropies with `from_logits=False` use the logits that a softmax or sigmoid
output remembers (`y_pred._keras_logits`) when there are some: the fused ops of
`nn_ops` are then exact and fast. Plain probabilities are clipped to
[epsilon, 1 - epsilon] as Keras does.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff import math_ops, nn_ops, reduce_ops, shape_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.losses import _fused
from neuroflow.losses.loss import as_prediction, as_target, squeeze_or_expand_to_same_rank

__all__ = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity", "hinge",
    "squared_hinge", "categorical_hinge", "kl_divergence", "poisson", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy",
    "mse", "mae", "mape", "msle", "logcosh", "kld", "kullback_leibler_divergence",
]


# ---- shared checks --------------------------------------------------------------------
def _same_shape(y_true: Any, y_pred: Any, name: str) -> tuple[Tensor, Tensor]:
    """Both as float tensors of y_pred's dtype, ranks aligned, shapes checked."""
    y_pred = as_prediction(y_pred)
    y_true = as_target(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true and y_pred must have the same shape, received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}"
        )
    return y_true, y_pred


def _check_smoothing(label_smoothing: float, name: str) -> float:
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(
            f"{name}: expected label_smoothing in [0, 1], received {label_smoothing!r}"
        )
    return float(label_smoothing)


def _eps() -> float:
    return backend.epsilon()


# ---- regression -----------------------------------------------------------------------
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean(square(y_true - y_pred), axis=-1)."""
    t, p = _same_shape(y_true, y_pred, "mean_squared_error")
    return _fused.error_mean("squared", t, p)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean(abs(y_true - y_pred), axis=-1)."""
    t, p = _same_shape(y_true, y_pred, "mean_absolute_error")
    return _fused.error_mean("absolute", t, p)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)."""
    t, p = _same_shape(y_true, y_pred, "mean_absolute_percentage_error")
    scale = math_ops.maximum(math_ops.abs(t), _eps())
    ratio = math_ops.abs(math_ops.divide(math_ops.subtract(t, p), scale))
    return math_ops.multiply(reduce_ops.mean(ratio, axis=-1), 100.0)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean(square(log(1 + max(y_pred, eps)) - log(1 + max(y_true, eps))), axis=-1)."""
    t, p = _same_shape(y_true, y_pred, "mean_squared_logarithmic_error")
    first = math_ops.log1p(math_ops.maximum(p, _eps()))
    second = math_ops.log1p(math_ops.maximum(t, _eps()))
    return reduce_ops.mean(math_ops.square(math_ops.subtract(first, second)), axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """mean of 0.5 e^2 where |e| <= delta, else delta (|e| - delta / 2), over the last axis."""
    if not float(delta) > 0:
        raise ValueError(f"huber: expected delta > 0, received {delta!r}")
    t, p = _same_shape(y_true, y_pred, "huber")
    return _fused.error_mean("huber", t, p, float(delta))


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed without overflow."""
    t, p = _same_shape(y_true, y_pred, "log_cosh")
    return _fused.error_mean("log_cosh", t, p)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    squares = reduce_ops.sum(math_ops.square(x), axis=axis, keepdims=True)
    return math_ops.divide(x, math_ops.sqrt(math_ops.maximum(squares, _eps() ** 2)))


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 when they align."""
    t, p = _same_shape(y_true, y_pred, "cosine_similarity")
    both = math_ops.multiply(_l2_normalize(t, axis), _l2_normalize(p, axis))
    return math_ops.negative(reduce_ops.sum(both, axis=axis))


# ---- hinge ----------------------------------------------------------------------------
def _signed_labels(t: Tensor) -> Tensor:
    """Labels in {0, 1} become {-1, 1}; others are left as they are."""
    d = t.data
    if np.all((d == 0) | (d == 1)):
        return math_ops.subtract(math_ops.multiply(t, 2.0), 1.0)
    return t


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(maximum(1 - y_true * y_pred, 0), axis=-1); 0/1 labels become -1/1."""
    t, p = _same_shape(y_true, y_pred, "hinge")
    margin = math_ops.subtract(1.0, math_ops.multiply(_signed_labels(t), p))
    return reduce_ops.mean(math_ops.maximum(margin, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1); 0/1 labels become -1/1."""
    t, p = _same_shape(y_true, y_pred, "squared_hinge")
    margin = math_ops.subtract(1.0, math_ops.multiply(_signed_labels(t), p))
    return reduce_ops.mean(math_ops.square(math_ops.maximum(margin, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) over the last axis."""
    t, p = _same_shape(y_true, y_pred, "categorical_hinge")
    pos = reduce_ops.sum(math_ops.multiply(t, p), axis=-1)
    neg = reduce_ops.max(math_ops.multiply(math_ops.subtract(1.0, t), p), axis=-1)
    return math_ops.maximum(math_ops.add(math_ops.subtract(neg, pos), 1.0), 0.0)


# ---- probabilistic --------------------------------------------------------------------
def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1]."""
    t, p = _same_shape(y_true, y_pred, "kl_divergence")
    t = math_ops.clip(t, _eps(), 1.0)
    p = math_ops.clip(p, _eps(), 1.0)
    return reduce_ops.sum(math_ops.multiply(t, math_ops.log(math_ops.divide(t, p))), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    t, p = _same_shape(y_true, y_pred, "poisson")
    log_p = math_ops.log(math_ops.add(p, _eps()))
    return reduce_ops.mean(math_ops.subtract(p, math_ops.multiply(t, log_p)), axis=-1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """mean over `axis` of -(t log p + (1 - t) log(1 - p)); labels smoothed towards 0.5."""
    smoothing = _check_smoothing(label_smoothing, "binary_crossentropy")
    p = as_prediction(y_pred)
    logits = None if from_logits else p._keras_logits
    t = as_target(y_true, p.dtype)
    if smoothing:
        t = math_ops.add(math_ops.multiply(t, 1.0 - smoothing), 0.5 * smoothing)
    source = p if logits is None else logits
    t, source = squeeze_or_expand_to_same_rank(t, source)
    if t.shape != source.shape:
        raise ValueError(
            "binary_crossentropy: y_true and y_pred must have the same shape, received "
            f"y_true.shape={t.shape} and y_pred.shape={source.shape}"
        )
    if from_logits or logits is not None:
        per_element = nn_ops.sigmoid_cross_entropy(source, t)
    else:
        per_element = _fused.binary_crossentropy_probs(t, source)
    return reduce_ops.mean(per_element, axis=axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """-sum(y_true * log(y_pred)) over `axis`, for one-hot (or soft) labels."""
    smoothing = _check_smoothing(label_smoothing, "categorical_crossentropy")
    p = as_prediction(y_pred)
    if p.ndim == 0:
        raise ValueError("categorical_crossentropy: expected y_pred with a class axis, "
                         "received a scalar")
    t = as_target(y_true, p.dtype)
    if t.shape != p.shape:
        hint = ""
        if t.ndim == p.ndim - 1 or (t.ndim == p.ndim and t.shape[-1] == 1):
            hint = "; for integer class labels use sparse_categorical_crossentropy"
        raise ValueError(
            "categorical_crossentropy: y_true (one-hot labels) and y_pred must have the same "
            f"shape, received y_true.shape={t.shape} and y_pred.shape={p.shape}{hint}"
        )
    ax = axis % p.ndim
    if p.shape[ax] == 1:
        warnings.warn(
            "categorical_crossentropy: y_pred has a single class along the class axis "
            f"(shape {p.shape}), so the loss is always 0; use binary_crossentropy for two "
            "classes", stacklevel=2,
        )
    if smoothing:
        t = math_ops.add(math_ops.multiply(t, 1.0 - smoothing), smoothing / p.shape[ax])
    if from_logits:
        return nn_ops.softmax_cross_entropy(p, t, axis=ax)
    logits = p._keras_logits
    if logits is not None and ax == p.ndim - 1:
        return nn_ops.softmax_cross_entropy(logits, t, axis=ax)
    return _fused.categorical_crossentropy_probs(t, p, axis=ax)


def _check_label_range(labels: np.ndarray, k: int, name: str) -> None:
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        bad = np.unique(labels[(labels < 0) | (labels >= k)])
        shown = ", ".join(str(v) for v in bad[:10].tolist()) + (", ..." if bad.size > 10 else "")
        raise ValueError(
            f"{name}: labels must be integers in [0, {k}) since y_pred has {k} classes, "
            f"received out-of-range label values [{shown}]"
        )


def _class_labels(y_true: Any, lead: tuple[int, ...], k: int, ignore_class: int | None,
                  name: str, check_range: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer labels of shape `lead`, checked against `k` classes, and the valid mask."""
    labels = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true)
    if labels.shape != lead:
        if labels.shape == lead + (1,):
            labels = labels.reshape(lead)
        else:
            raise ValueError(
                f"{name}: expected integer class labels of shape {lead} or {lead + (1,)} for "
                f"y_pred of shape {lead + (k,)}, received y_true.shape={labels.shape}; for "
                "one-hot labels use categorical_crossentropy"
            )
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind != "f" or not np.all(np.mod(labels, 1) == 0):
            raise ValueError(
                f"{name}: expected integer class labels, received values of dtype "
                f"{labels.dtype} that are not all whole numbers"
            )
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    if check_range:
        _check_label_range(labels, k, name)
    return labels, valid


def sparse_categorical_crossentropy_with_mask(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None,
    axis: int = -1,
) -> tuple[Tensor, np.ndarray | None]:
    """Per-sample sparse cross-entropy and the mask of samples not equal to `ignore_class`."""
    name = "sparse_categorical_crossentropy"
    p = as_prediction(y_pred)
    if p.ndim == 0:
        raise ValueError(f"{name}: expected y_pred with a class axis, received a scalar")
    logits = None if from_logits else p._keras_logits
    ax = axis % p.ndim
    if ax != p.ndim - 1:
        order = tuple(i for i in range(p.ndim) if i != ax) + (ax,)
        p, logits = shape_ops.transpose(p, order), None
    k = p.shape[-1]
    fused = from_logits or logits is not None
    # The fused op checks the range itself; ours only words the error when it fails.
    labels, valid = _class_labels(y_true, p.shape[:-1], k, ignore_class, name,
                                  check_range=not fused)
    if fused:
        try:
            out = nn_ops.sparse_softmax_cross_entropy(p if from_logits else logits, labels)
        except ValueError:
            _check_label_range(labels, k, name)
            raise
    else:
        out = _fused.sparse_categorical_crossentropy_probs(labels, p)
    if valid is not None:
        out = math_ops.multiply(out, valid.astype(out.dtype))
    return out, valid


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> Tensor:
    """-log(y_pred[label]) per sample, for integer labels of shape (n,) or (n, 1).

    Samples whose label equals `ignore_class` get a loss of 0.
    """
    return sparse_categorical_crossentropy_with_mask(
        y_true, y_pred, from_logits=from_logits, ignore_class=ignore_class, axis=axis
    )[0]


mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
logcosh = log_cosh
kld = kl_divergence
kullback_leibler_divergence = kl_divergence
