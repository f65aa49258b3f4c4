"""Correlation metrics (Keras 3): per-sample Pearson and concordance correlation along
`axis`, averaged over the samples."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.metrics._utils import aligned
from neuroflow.metrics.reduction_metrics import BuiltinMeanMetric

__all__ = ["pearson_correlation", "concordance_correlation", "PearsonCorrelation",
           "ConcordanceCorrelation"]


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Pearson's r of y_true and y_pred along `axis` (one value per sample)."""
    t, p = aligned(y_true, y_pred, "pearson_correlation")
    dtype = np.result_type(p.dtype, np.float32) if p.dtype.kind == "f" else backend.floatx()
    t, p = t.astype(np.float64), p.astype(np.float64)
    t = t - t.mean(axis=axis, keepdims=True)
    p = p - p.mean(axis=axis, keepdims=True)
    t = t / t.std(axis=axis, keepdims=True)
    p = p / p.std(axis=axis, keepdims=True)
    return (t * p).mean(axis=axis).astype(dtype)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Lin's concordance correlation along `axis`:
    2 cov / (var_t + var_p + (mean_t - mean_p)**2) (one value per sample)."""
    t, p = aligned(y_true, y_pred, "concordance_correlation")
    dtype = np.result_type(p.dtype, np.float32) if p.dtype.kind == "f" else backend.floatx()
    t, p = t.astype(np.float64), p.astype(np.float64)
    mt, mp = t.mean(axis=axis, keepdims=True), p.mean(axis=axis, keepdims=True)
    cov = ((t - mt) * (p - mp)).mean(axis=axis)
    norm = t.var(axis=axis) + p.var(axis=axis) + np.squeeze(mt - mp, axis=axis) ** 2
    return (2 * cov / (norm + backend.epsilon())).astype(dtype)


class PearsonCorrelation(BuiltinMeanMetric):
    """The mean over samples of Pearson's r along `axis`."""

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(BuiltinMeanMetric):
    """The mean over samples of the concordance correlation along `axis`."""

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None,
                 axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
