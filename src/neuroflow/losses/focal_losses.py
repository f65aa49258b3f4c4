"""Losses for imbalanced or noisy labels (Keras 3): binary and categorical focal
cross-entropy, which down-weight the examples a model already gets right, and the
generalized cross-entropy, which is robust to mislabelled examples. Built from
`neuroflow.ops`, so gradients flow to `y_pred`."""

from __future__ import annotations

import warnings
from typing import Any

from neuroflow import backend, ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.losses.classes import _DEFAULT, _BuiltinLoss
from neuroflow.losses.functions import _check_smoothing

__all__ = [
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy", "BinaryFocalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy",
]


def _axis(axis: Any, name: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"{name}: axis must be an int, received axis={axis!r}")
    return axis


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> Tensor:
    """mean over `axis` of `(1 - p_t)**gamma * bce`, with p_t the probability given to
    the true label; with `apply_class_balancing`, positives are weighted `alpha` and
    negatives `1 - alpha`."""
    smoothing = _check_smoothing(label_smoothing, "binary_focal_crossentropy")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if smoothing:
        y_true = y_true * (1.0 - smoothing) + 0.5 * smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=_axis(axis, "binary_focal_crossentropy"))


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """sum over `axis` of `-alpha * (1 - p)**gamma * y_true * log(p)`, with `p` the
    predictions renormalized to sum to 1 and clipped to [epsilon, 1 - epsilon]."""
    name = "categorical_focal_crossentropy"
    axis = _axis(axis, name)
    smoothing = _check_smoothing(label_smoothing, name)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{name}: y_true (one-hot labels) and y_pred must have the same "
                         f"shape, received y_true.shape={tuple(y_true.shape)} and "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    if y_pred.shape[-1] == 1:
        warnings.warn(f"{name}: expected y_pred of shape (batch_size, num_classes) with "
                      f"num_classes > 1, received {tuple(y_pred.shape)}; use "
                      "binary_focal_crossentropy for two classes", SyntaxWarning,
                      stacklevel=2)
    if smoothing:
        y_true = y_true * (1.0 - smoothing) + smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = backend.epsilon()
    output = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    cce = -y_true * ops.log(output)
    return ops.sum(alpha * ops.power(1.0 - output, gamma) * cce, axis=axis)


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> Tensor:
    """`(1 - p**q) / q` with p the probability of the integer label `y_true`: the
    cross-entropy as q -> 0, the (noise-robust) mean absolute error at q = 1."""
    if not 0.0 < float(q) <= 1.0:
        raise ValueError(f"categorical_generalized_cross_entropy: q must be in (0, 1], "
                         f"received q={q!r}")
    y_pred = ops.convert_to_tensor(y_pred)
    k = y_pred.shape[-1]
    labels = ops.cast(y_true, "int64")
    one_hot = ops.cast(ops.one_hot(labels, k), y_pred.dtype)
    if tuple(one_hot.shape) != tuple(y_pred.shape):
        raise ValueError("categorical_generalized_cross_entropy: expected integer labels of "
                         f"shape {tuple(y_pred.shape)[:-1]}, received "
                         f"{tuple(ops.shape(y_true))}")
    p = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(p, q)) / q


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary cross-entropy scaled by `(1 - p_t)**gamma` (Lin et al., 2017): easy,
    well-classified examples count less. `apply_class_balancing` weights positives by
    `alpha`."""

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = _DEFAULT,
                 name: str = "binary_focal_crossentropy", dtype: Any = None):
        _check_smoothing(label_smoothing, "BinaryFocalCrossentropy")
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, apply_class_balancing=bool(apply_class_balancing),
                         alpha=float(alpha), gamma=float(gamma), from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical cross-entropy scaled by `alpha * (1 - p)**gamma`, for one-hot labels
    of imbalanced classes."""

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _DEFAULT, name: str = "categorical_focal_crossentropy",
                 dtype: Any = None):
        _check_smoothing(label_smoothing, "CategoricalFocalCrossentropy")
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=float(alpha), gamma=float(gamma),
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing),
                         axis=axis)


class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018) of integer labels: `q` near 0
    behaves like cross-entropy, `q = 1` like MAE, which noisy labels hurt less."""

    def __init__(self, q: float = 0.5, reduction: str | None = _DEFAULT,
                 name: str = "categorical_generalized_cross_entropy", dtype: Any = None):
        if not 0.0 < float(q) <= 1.0:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: q must be in (0, 1], "
                             f"received q={q!r}")
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction,
                         name=name, dtype=dtype, q=float(q))

    @property
    def _raw_labels(self) -> bool:  # integer labels stay integers
        return True
