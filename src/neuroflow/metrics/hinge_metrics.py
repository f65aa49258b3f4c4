"""Hinge metrics: means of the hinge, squared hinge and categorical hinge losses."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import losses
from neuroflow.metrics._utils import raw
from neuroflow.metrics.reduction_metrics import BuiltinMeanMetric

__all__ = ["hinge", "squared_hinge", "categorical_hinge", "Hinge", "SquaredHinge",
           "CategoricalHinge"]


def hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample hinge loss, as a NumPy array."""
    return losses.hinge(raw(y_true), raw(y_pred)).data


def squared_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample squared hinge loss, as a NumPy array."""
    return losses.squared_hinge(raw(y_true), raw(y_pred)).data


def categorical_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """Per-sample categorical hinge loss, as a NumPy array."""
    return losses.categorical_hinge(raw(y_true), raw(y_pred)).data


class Hinge(BuiltinMeanMetric):
    """Mean hinge loss."""

    def __init__(self, name: str = "hinge", dtype: Any = None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(BuiltinMeanMetric):
    """Mean squared hinge loss."""

    def __init__(self, name: str = "squared_hinge", dtype: Any = None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(BuiltinMeanMetric):
    """Mean categorical hinge loss."""

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
