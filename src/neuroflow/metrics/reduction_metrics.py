"""Reduction metrics: `Sum`, `Mean` and `MeanMetricWrapper` around a per-sample function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.metrics._utils import raw, reduce_to_samplewise_values
from neuroflow.metrics.metric import Metric

__all__ = ["Sum", "Mean", "MeanMetricWrapper"]


class Sum(Metric):
    """The (weighted) sum of every value seen."""

    def __init__(self, name: str = "sum", dtype: Any = None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum, self._dtype)
        self.total.data += values.sum()

    def result(self) -> Any:
        return self._value(self.total.data)


class Mean(Metric):
    """The (weighted) mean of every value seen: total / count.

    Values with more than one axis are first averaged per sample; `sample_weight`
    weights samples (a scalar weight with a scalar value counts as that many samples).
    """

    def __init__(self, name: str = "mean", dtype: Any = None):
        super().__init__(dtype=dtype, name=name)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        if type(values) is float and type(sample_weight) is int:  # the loss tracker's call
            self.total.data += values * sample_weight
            self.count.data += sample_weight
            return
        if isinstance(sample_weight, (int, float)) and np.ndim(values) == 0:
            self.total.data += float(raw(values)) * sample_weight
            self.count.data += sample_weight
            return
        values, sw = reduce_to_samplewise_values(values, sample_weight, np.mean, self._dtype)
        self.total.data += values.sum()
        if sw is not None:
            self.count.data += sw.sum()
        else:
            self.count.data += values.shape[0] if values.ndim else 1

    def result(self) -> Any:
        count = self.count.data
        return self._value(self.total.data / count if count else 0.0)


class MeanMetricWrapper(Mean):
    """The mean over samples of `fn(y_true, y_pred, **kwargs)` (per-sample values).

    `fn` receives NumPy arrays (tensors are read through `.data`) and may return an
    array or a Tensor. The name defaults to the function's name.
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(
                f"MeanMetricWrapper: expected a callable fn(y_true, y_pred), received {fn!r}"
            )
        super().__init__(name=name or getattr(fn, "__name__", None) or "mean_metric_wrapper",
                         dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        values = self._fn(raw(y_true), raw(y_pred), **self._fn_kwargs)
        super().update_state(raw(values), sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            from neuroflow.metrics import FUNCTIONS

            if fn not in FUNCTIONS:
                raise ValueError(
                    f"MeanMetricWrapper.from_config: unknown metric function {fn!r}; pass it "
                    "through custom_objects of metrics.deserialize"
                )
            fn = FUNCTIONS[fn]
        return cls(fn, **config)


class BuiltinMeanMetric(MeanMetricWrapper):
    """A wrapper whose function is fixed by the class; its config holds only arguments."""

    def get_config(self) -> dict:
        config = Metric.get_config(self)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        return cls(**config)
