"""Loss functions that keras.metrics also exports (focal cross-entropies, Huber): the
per-sample values as NumPy arrays, as the other metric functions return them."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import losses
from neuroflow.metrics._utils import raw

__all__ = ["binary_focal_crossentropy", "categorical_focal_crossentropy", "huber"]


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> np.ndarray:
    """Per-sample binary focal cross-entropy (see `losses.binary_focal_crossentropy`)."""
    return losses.binary_focal_crossentropy(
        raw(y_true), raw(y_pred), apply_class_balancing=apply_class_balancing, alpha=alpha,
        gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis).data


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample categorical focal cross-entropy (see the loss of the same name)."""
    return losses.categorical_focal_crossentropy(
        raw(y_true), raw(y_pred), alpha=alpha, gamma=gamma, from_logits=from_logits,
        label_smoothing=label_smoothing, axis=axis).data


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> np.ndarray:
    """Per-sample Huber loss: quadratic up to `delta`, linear beyond."""
    return losses.huber(raw(y_true), raw(y_pred), delta=delta).data
