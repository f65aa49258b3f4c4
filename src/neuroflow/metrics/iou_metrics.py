"""Intersection-over-union metrics (Keras 3): a weighted confusion matrix over the
batches, then TP / (TP + FP + FN) per class, averaged over the target classes that
occur. IoU and MeanIoU take class indices (or scores with sparse_*=False), OneHot* take
one-hot labels, BinaryIoU thresholds probabilities.

As in Keras, the confusion matrix is of `dtype`, "int32" by default, so float sample
weights are truncated (with a warning); pass dtype="float32" to weight by fractions.
The result is a float."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.metrics._utils import raw
from neuroflow.metrics.metric import Metric

__all__ = ["IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]


class _IoUBase(Metric):
    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(dtype=dtype or "int32", name=name)
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 1:
            raise ValueError(f"{type(self).__name__}: num_classes must be a positive integer, "
                             f"received {num_classes!r}")
        self.num_classes = int(num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = bool(sparse_y_true)
        self.sparse_y_pred = bool(sparse_y_pred)
        self.axis = axis
        self.total_cm = self.add_variable((self.num_classes, self.num_classes),
                                          name="total_confusion_matrix")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = raw(y_true), raw(y_pred)
        if not self.sparse_y_true:
            t = np.argmax(t, axis=self.axis)
        if not self.sparse_y_pred:
            p = np.argmax(p, axis=self.axis)
        t, p = t.reshape(-1).astype(np.float64), p.reshape(-1).astype(np.float64)
        if t.shape != p.shape:
            raise ValueError(f"{type(self).__name__}: y_true and y_pred hold {t.size} and "
                             f"{p.size} labels; expected one predicted label per true one")
        cm_dtype = self.total_cm.dtype
        if sample_weight is None:
            w = np.ones(t.shape, dtype=cm_dtype)
        else:
            w = raw(sample_weight)
            if w.dtype.kind == "f" and np.dtype(cm_dtype).kind in "iu":
                warnings.warn(f"{type(self).__name__}: float sample weights are truncated "
                              f"to the metric's dtype {self.dtype}; pass dtype='float32' to "
                              "weight by fractions", stacklevel=2)
            w = np.broadcast_to(w.reshape(-1).astype(cm_dtype), t.shape)
        keep = (t >= 0) & (t < self.num_classes) & (p >= 0) & (p < self.num_classes)
        if self.ignore_class is not None:
            keep &= t != self.ignore_class
        cm = np.zeros((self.num_classes, self.num_classes), dtype=cm_dtype)
        np.add.at(cm, (t[keep].astype(np.int64), p[keep].astype(np.int64)), w[keep])
        self.total_cm.data += cm

    def _iou(self, target_class_ids: list[int]) -> Any:
        cm = self.total_cm.data.astype(np.float64)
        tp = np.diag(cm)
        denominator = (cm.sum(axis=0) + cm.sum(axis=1) - tp)[target_class_ids]
        valid = denominator > 1e-9
        iou = np.where(valid, tp[target_class_ids] / (denominator + backend.epsilon()), 0.0)
        return np.asarray(iou.sum() / (valid.sum() + backend.epsilon()),
                          dtype=backend.floatx())[()]

    def result(self) -> Any:
        return self._iou(list(range(self.num_classes)))

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


def _class_ids(ids: Any, num_classes: int, who: str) -> list[int]:
    ids = [int(i) for i in (ids if isinstance(ids, (list, tuple)) else [ids])]
    if not ids or any(not 0 <= i < num_classes for i in ids):
        raise ValueError(f"{who}: target_class_ids must be class indices in [0, "
                         f"{num_classes}), received {ids!r}")
    return ids


class IoU(_IoUBase):
    """Mean IoU over `target_class_ids` (classes never seen nor predicted are left out)."""

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        self.target_class_ids = _class_ids(target_class_ids, self.num_classes,
                                           type(self).__name__)

    def result(self) -> Any:
        return self._iou(self.target_class_ids)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class MeanIoU(_IoUBase):
    """IoU averaged over every class (that occurs in the labels or predictions)."""


class BinaryIoU(IoU):
    """IoU of 0/1 labels and probabilities, a prediction counting as 1 when
    `y_pred >= threshold`; `target_class_ids` [0, 1] averages both classes."""

    def __init__(self, target_class_ids: Any = (0, 1), threshold: float = 0.5,
                 name: str | None = None, dtype: Any = None):
        super().__init__(2, list(target_class_ids) if isinstance(target_class_ids, tuple)
                         else target_class_ids, name=name, dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        super().update_state(y_true, (raw(y_pred) >= self.threshold).astype(np.float64),
                             sample_weight)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype,
                "target_class_ids": self.target_class_ids, "threshold": self.threshold}


class OneHotIoU(IoU):
    """IoU over `target_class_ids` of one-hot labels and class scores."""

    def __init__(self, num_classes: int, target_class_ids: Any, name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None, sparse_y_pred: bool = False,
                 axis: int = -1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("sparse_y_true")
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU of one-hot labels and class scores."""

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("sparse_y_true")
        return config
