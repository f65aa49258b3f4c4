"""Overlap losses (Keras 3): Dice and Tversky, one minus a soft overlap score of the
predicted and true masks, for segmentation-like targets where the positives are rare.
Built from `neuroflow.ops`, so gradients flow to `y_pred`."""

from __future__ import annotations

from typing import Any

from neuroflow import backend, ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.losses.classes import _DEFAULT, _BuiltinLoss

__all__ = ["dice", "tversky", "Dice", "Tversky"]


def dice(y_true: Any, y_pred: Any, axis: Any = None) -> Tensor:
    """1 - 2|t.p| / (|t| + |p| + epsilon), summed over `axis` (None: every axis)."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + backend.epsilon()
    return 1.0 - ops.divide(2.0 * intersection, total)


def tversky(y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5,
            axis: Any = None) -> Tensor:
    """1 - TP / (TP + alpha FP + beta FN + epsilon) with soft counts over `axis`
    (Keras 3 counts FP as `(1 - y_pred) * y_true` and FN as `y_pred * (1 - y_true)`);
    alpha = beta = 0.5 is the Dice loss."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    tp = ops.sum(y_true * y_pred, axis=axis)
    fp = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - ops.divide(tp, tp + fp * alpha + fn * beta + backend.epsilon())


class Dice(_BuiltinLoss):
    """The Dice loss, `1 - 2|t.p| / (|t| + |p|)` over `axis` (None: the whole batch)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "dice", axis: Any = None,
                 dtype: Any = None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)


class Tversky(_BuiltinLoss):
    """The Tversky loss: Dice with false positives weighted `alpha` and false negatives
    `beta`."""

    def __init__(self, alpha: float = 0.5, beta: float = 0.5,
                 reduction: str | None = _DEFAULT, name: str = "tversky", axis: Any = None,
                 dtype: Any = None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype,
                         alpha=float(alpha), beta=float(beta), axis=axis)
