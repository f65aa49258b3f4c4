"""Regression metrics: means of the regression losses, RMSE and cosine similarity."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import losses
from neuroflow.metrics._utils import aligned, raw
from neuroflow.metrics.reduction_metrics import BuiltinMeanMetric, Mean

__all__ = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "cosine_similarity", "log_cosh", "mse", "mae", "mape",
    "msle", "logcosh", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "CosineSimilarity", "LogCoshError",
]


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """mean(square(y_true - y_pred), axis=-1), as a NumPy array."""
    return losses.mean_squared_error(raw(y_true), raw(y_pred)).data


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """mean(abs(y_true - y_pred), axis=-1), as a NumPy array."""
    return losses.mean_absolute_error(raw(y_true), raw(y_pred)).data


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """100 * mean(abs((y_true - y_pred) / y_true), axis=-1), as a NumPy array."""
    return losses.mean_absolute_percentage_error(raw(y_true), raw(y_pred)).data


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """mean(square(log1p(y_true) - log1p(y_pred)), axis=-1), as a NumPy array."""
    return losses.mean_squared_logarithmic_error(raw(y_true), raw(y_pred)).data


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Cosine of the angle between y_true and y_pred along `axis` (1 when aligned)."""
    return -losses.cosine_similarity(raw(y_true), raw(y_pred), axis=axis).data


def log_cosh(y_true: Any, y_pred: Any) -> np.ndarray:
    """mean(log(cosh(y_pred - y_true)), axis=-1), as a NumPy array."""
    return losses.log_cosh(raw(y_true), raw(y_pred)).data


mse = mean_squared_error
mae = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
logcosh = log_cosh


class MeanSquaredError(BuiltinMeanMetric):
    """Mean of squared errors."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(BuiltinMeanMetric):
    """Mean of absolute errors."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(BuiltinMeanMetric):
    """Mean of absolute errors relative to the targets, in percent."""

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(BuiltinMeanMetric):
    """Mean of squared differences of log1p(targets) and log1p(predictions)."""

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class CosineSimilarity(BuiltinMeanMetric):
    """Mean cosine similarity of targets and predictions along `axis`."""

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class LogCoshError(BuiltinMeanMetric):
    """Mean of log(cosh(prediction error))."""

    def __init__(self, name: str = "logcosh", dtype: Any = None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of squared errors over everything seen."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = aligned(y_true, y_pred, "root_mean_squared_error")
        error = p - t.astype(p.dtype, copy=False)
        super().update_state(error * error, sample_weight=sample_weight)

    def result(self) -> Any:
        count = self.count.data
        return self._value(np.sqrt(self.total.data / count) if count else 0.0)
