"""Accuracy metrics: per-sample match functions (NumPy) and their mean metrics."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.metrics._utils import aligned, raw
from neuroflow.metrics.reduction_metrics import BuiltinMeanMetric

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "Accuracy",
    "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
]


def _floats(matches: np.ndarray) -> np.ndarray:
    return matches.astype(backend.floatx())


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where y_pred equals y_true exactly, else 0.0."""
    t, p = aligned(y_true, y_pred, "accuracy")
    return _floats(t == p)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1.0 where (y_pred > threshold) equals the 0/1 label, else 0.0."""
    t, p = aligned(y_true, y_pred, "binary_accuracy")
    return _floats(t == (p > threshold))


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where argmax(y_pred) equals argmax(y_true) (one-hot labels), per sample."""
    t, p = raw(y_true), raw(y_pred)
    if t.shape != p.shape:
        hint = "; for integer labels use sparse_categorical_accuracy" \
            if t.ndim == p.ndim - 1 or (t.ndim == p.ndim and t.shape[-1] == 1) else ""
        raise ValueError(
            "categorical_accuracy: y_true (one-hot labels) and y_pred must have the same shape, "
            f"received y_true.shape={t.shape} and y_pred.shape={p.shape}{hint}"
        )
    return _floats(t.argmax(axis=-1) == p.argmax(axis=-1))


def _labels(y_true: Any, y_pred: np.ndarray, name: str) -> np.ndarray:
    t = raw(y_true)
    lead = y_pred.shape[:-1]
    if t.shape == lead + (1,):
        t = t.reshape(lead)
    if t.shape != lead:
        raise ValueError(
            f"{name}: expected integer labels of shape {lead} or {lead + (1,)} for y_pred of "
            f"shape {y_pred.shape}, received y_true.shape={t.shape}"
        )
    return t


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1.0 where argmax(y_pred) equals the integer label, per sample."""
    p = raw(y_pred)
    t = _labels(y_true, p, "sparse_categorical_accuracy")
    return _floats(t == p.argmax(axis=-1))


def _in_top_k(labels: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    """Whether each label's score is among the k largest (ties count as inside)."""
    n_classes = p.shape[-1]
    p2 = p.reshape(-1, n_classes)
    idx = labels.reshape(-1).astype(np.intp)
    valid = (idx >= 0) & (idx < n_classes)
    target = p2[np.arange(idx.size), np.where(valid, idx, 0)]
    higher = (p2 > target[:, None]).sum(axis=1)
    return ((higher < k) & valid).reshape(labels.shape)


def _check_k(k: int, name: str) -> int:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"{name}: expected k to be a positive integer, received {k!r}")
    return int(k)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1.0 where the true class (one-hot) is among the k highest predictions."""
    k = _check_k(k, "top_k_categorical_accuracy")
    t, p = raw(y_true), raw(y_pred)
    if t.shape != p.shape:
        raise ValueError(
            "top_k_categorical_accuracy: y_true (one-hot labels) and y_pred must have the same "
            f"shape, received y_true.shape={t.shape} and y_pred.shape={p.shape}"
        )
    return _floats(_in_top_k(t.argmax(axis=-1), p, k))


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> np.ndarray:
    """1.0 where the integer label is among the k highest predictions.

    With `from_sorted_ids=True`, y_pred holds class ids sorted by decreasing score.
    """
    k = _check_k(k, "sparse_top_k_categorical_accuracy")
    p = raw(y_pred)
    t = _labels(y_true, p, "sparse_top_k_categorical_accuracy")
    if from_sorted_ids:
        return _floats((p[..., :k] == t[..., None]).any(axis=-1))
    return _floats(_in_top_k(t, p, k))


class Accuracy(BuiltinMeanMetric):
    """How often predictions equal labels exactly."""

    def __init__(self, name: str = "accuracy", dtype: Any = None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(BuiltinMeanMetric):
    """How often (y_pred > threshold) matches 0/1 labels (threshold 0.5)."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=float(threshold))
        self.threshold = float(threshold)


class CategoricalAccuracy(BuiltinMeanMetric):
    """How often argmax(y_pred) matches one-hot labels."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(BuiltinMeanMetric):
    """How often argmax(y_pred) matches integer labels."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(BuiltinMeanMetric):
    """How often the one-hot label is among the `k` (default 5) highest predictions."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None):
        k = _check_k(k, "TopKCategoricalAccuracy")
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(BuiltinMeanMetric):
    """How often the integer label is among the `k` (default 5) highest predictions."""

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None, from_sorted_ids: bool = False):
        k = _check_k(k, "SparseTopKCategoricalAccuracy")
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=bool(from_sorted_ids))
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)
