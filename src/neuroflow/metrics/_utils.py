"""NumPy helpers shared by the metrics: raw arrays, rank alignment, sample weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Tensor
from neuroflow.losses.loss import squeeze_or_expand_to_same_rank

__all__ = ["raw", "aligned", "reduce_to_samplewise_values"]


def raw(x: Any, dtype: Any = None) -> np.ndarray:
    """The NumPy array behind `x` (a Tensor's `.data`, never a graph node)."""
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=dtype)


def aligned(y_true: Any, y_pred: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Both as arrays with ranks aligned (Keras rules) and equal shapes, else ValueError."""
    t, p = squeeze_or_expand_to_same_rank(raw(y_true), raw(y_pred))
    if t.shape != p.shape:
        raise ValueError(
            f"{name}: y_true and y_pred must have the same shape, received "
            f"y_true.shape={t.shape} and y_pred.shape={p.shape}"
        )
    return t, p


def reduce_to_samplewise_values(values: Any, sample_weight: Any, reduce_fn: Callable,
                                dtype: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Weight `values` and reduce them to one value per sample, as Keras' Mean does."""
    values = raw(values, dtype)
    if sample_weight is None:
        if values.ndim > 1:
            values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
        return values, None
    sw = raw(sample_weight, dtype)
    values, sw = squeeze_or_expand_to_same_rank(values, sw)
    if values.ndim > sw.ndim:
        values = reduce_fn(values, axis=tuple(range(sw.ndim, values.ndim)))
    try:
        sw = np.broadcast_to(sw, values.shape)
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {sw.shape} cannot be broadcast to values of shape "
            f"{values.shape}"
        ) from None
    values = values * sw
    if sw.ndim > 1:
        sw = reduce_fn(sw, axis=tuple(range(1, sw.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sw
