"""The Circle loss (Sun et al., 2020; Keras 3) for metric learning: integer class
labels and L2-normalized embeddings; pairs of the same class are pulled together, pairs
of different classes pushed apart, each weighted by how far it is from its optimum.
Samples whose loss is 0 do not count in the batch average (Keras' mask)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.losses.classes import _DEFAULT, _BuiltinLoss

__all__ = ["circle", "Circle"]

# Stands for -inf in the log-sum-exp over the pairs a mask leaves out: a row with no pair
# at all then gives a loss of exactly 0 (as Keras), never inf - inf = nan.
_NO_PAIR = -1e30


def _pair_masks(query: np.ndarray, keys: np.ndarray, remove_diagonal: bool):
    positive = query.reshape(-1, 1) == keys.reshape(1, -1)
    if remove_diagonal:
        positive &= ~np.eye(positive.shape[0], positive.shape[1], dtype=bool)
    return positive, ~(query.reshape(-1, 1) == keys.reshape(1, -1))


def _labels(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x).astype(np.int64).ravel()


def circle(y_true: Any, y_pred: Any, ref_labels: Any = None, ref_embeddings: Any = None,
           remove_diagonal: bool = True, gamma: float = 80, margin: float = 0.4) -> Tensor:
    """Per-sample Circle loss of embeddings `y_pred` (batch, dim) with labels `y_true`
    against reference embeddings and labels (default: the batch itself)."""
    y_pred = ops.convert_to_tensor(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(f"circle: expected embeddings of shape (batch, dim), received "
                         f"y_pred.shape={tuple(y_pred.shape)}")
    labels = _labels(y_true)
    refs = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref = labels if ref_labels is None else _labels(ref_labels)
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(refs)), 0.0)
    positive, negative = _pair_masks(labels, ref, remove_diagonal)
    pos_w = ops.maximum((margin + distances) * positive.astype(y_pred.dtype), 0.0)
    neg_w = ops.maximum((1.0 + margin - distances) * negative.astype(y_pred.dtype), 0.0)
    pos = -gamma * pos_w * (margin - distances)
    neg = gamma * neg_w * ((1.0 - margin) - distances)
    p_loss = ops.logsumexp(ops.where(positive, pos, _NO_PAIR), axis=1)
    n_loss = ops.logsumexp(ops.where(negative, neg, _NO_PAIR), axis=1)
    return ops.softplus(p_loss + n_loss)


class Circle(_BuiltinLoss):
    """Circle loss of integer labels and (L2-normalized) embeddings; `gamma` scales the
    similarities, `margin` sets the optima (1 - margin apart for negatives)."""

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction: str | None = _DEFAULT, name: str = "circle", dtype: Any = None):
        super().__init__(circle, reduction=reduction, name=name, dtype=dtype,
                         gamma=float(gamma), margin=float(margin),
                         remove_diagonal=bool(remove_diagonal))

    @property
    def _raw_labels(self) -> bool:  # labels stay integers
        return True

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return circle(y_true, y_pred, **self._fn_kwargs)

    def _values_and_mask(self, y_true: Any, y_pred: Tensor):
        values = self.call(y_true, y_pred)
        return values, values.data > 0
