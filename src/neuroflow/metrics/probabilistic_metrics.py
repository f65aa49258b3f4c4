"""Probabilistic metrics: means of the cross-entropies, KL divergence and Poisson loss."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import losses
from neuroflow.metrics._utils import raw
from neuroflow.metrics.reduction_metrics import BuiltinMeanMetric

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "kl_divergence", "poisson", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson",
]


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample binary cross-entropy, as a NumPy array."""
    return losses.binary_crossentropy(raw(y_true), raw(y_pred), from_logits=from_logits,
                                      label_smoothing=label_smoothing, axis=axis).data


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> np.ndarray:
    """Per-sample categorical cross-entropy (one-hot labels), as a NumPy array."""
    return losses.categorical_crossentropy(raw(y_true), raw(y_pred), from_logits=from_logits,
                                           label_smoothing=label_smoothing, axis=axis).data


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    axis: int = -1) -> np.ndarray:
    """Per-sample cross-entropy for integer labels, as a NumPy array."""
    return losses.sparse_categorical_crossentropy(raw(y_true), raw(y_pred),
                                                  from_logits=from_logits, axis=axis).data


def kl_divergence(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample Kullback-Leibler divergence, as a NumPy array."""
    return losses.kl_divergence(raw(y_true), raw(y_pred)).data


def poisson(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample Poisson loss, as a NumPy array."""
    return losses.poisson(raw(y_true), raw(y_pred)).data


class BinaryCrossentropy(BuiltinMeanMetric):
    """Mean binary cross-entropy of 0/1 labels and probabilities (or logits)."""

    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing))
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)


class CategoricalCrossentropy(BuiltinMeanMetric):
    """Mean categorical cross-entropy of one-hot labels and probabilities (or logits)."""

    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing),
                         axis=axis)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis


class SparseCategoricalCrossentropy(BuiltinMeanMetric):
    """Mean cross-entropy of integer labels and probabilities (or logits)."""

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, axis: int = -1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=bool(from_logits), axis=axis)
        self.from_logits = bool(from_logits)
        self.axis = axis


class KLDivergence(BuiltinMeanMetric):
    """Mean Kullback-Leibler divergence of y_true from y_pred."""

    def __init__(self, name: str = "kl_divergence", dtype: Any = None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(BuiltinMeanMetric):
    """Mean Poisson loss."""

    def __init__(self, name: str = "poisson", dtype: Any = None):
        super().__init__(poisson, name=name, dtype=dtype)
