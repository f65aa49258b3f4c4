"""Metrics read off a sweep of thresholds (Keras 3): the best precision at a given
recall, the best recall at a given precision, sensitivity at a specificity and the
reverse. Counts at `num_thresholds` evenly spaced thresholds come from
`confusion_counts`; the answer is the largest dependent value among thresholds that
meet the constraint (0 when none does)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.losses.loss import squeeze_or_expand_to_same_rank
from neuroflow.metrics._utils import raw
from neuroflow.metrics.confusion_metrics import _divide_no_nan, confusion_counts
from neuroflow.metrics.metric import Metric

__all__ = ["PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
           "SpecificityAtSensitivity"]


class _AtThreshold(Metric):
    _constraint = ""  # the constructor argument: recall, precision, ...

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None):
        super().__init__(dtype=dtype, name=name)
        who, arg = type(self).__name__, self._constraint
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not 0.0 <= value <= 1.0:
            raise ValueError(f"{who}: {arg} must be a number in [0, 1], received {value!r}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) \
                or num_thresholds <= 0:
            raise ValueError(f"{who}: num_thresholds must be an integer > 0, received "
                             f"{num_thresholds!r}")
        self.value = float(value)
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
        for key in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, key, self.add_variable((len(self.thresholds),), name=key))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = raw(y_true), raw(y_pred)
        p, t = squeeze_or_expand_to_same_rank(p, t)
        if self.class_id is not None:
            if p.ndim == 0 or not 0 <= self.class_id < p.shape[-1]:
                raise ValueError(f"{type(self).__name__}: class_id={self.class_id} is out of "
                                 f"range for predictions of shape {p.shape}")
            t, p = t[..., self.class_id], p[..., self.class_id]
            if sample_weight is not None and np.ndim(sample_weight) == np.ndim(y_pred):
                sample_weight = raw(sample_weight)[..., self.class_id]
        counts = confusion_counts(t, p, self.thresholds, sample_weight)
        for key, short in (("true_positives", "tp"), ("false_positives", "fp"),
                           ("true_negatives", "tn"), ("false_negatives", "fn")):
            getattr(self, key).data += counts[short]

    def _rates(self) -> dict[str, np.ndarray]:
        tp, fp, tn, fn = (getattr(self, k).data.astype(np.float64) for k in (
            "true_positives", "false_positives", "true_negatives", "false_negatives"))
        return {"recall": _divide_no_nan(tp, tp + fn), "precision": _divide_no_nan(tp, tp + fp),
                "specificity": _divide_no_nan(tn, tn + fp)}

    def _best(self, constrained: str, dependent: str) -> Any:
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return self._value(np.max(np.where(feasible, rates[dependent], 0.0), initial=0.0))

    def get_config(self) -> dict:
        return {**super().get_config(), self._constraint: self.value,
                "num_thresholds": self.num_thresholds, "class_id": self.class_id}


class PrecisionAtRecall(_AtThreshold):
    """The best precision among thresholds whose recall is at least `recall`."""

    _constraint = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        return self._best("recall", "precision")


class RecallAtPrecision(_AtThreshold):
    """The best recall among thresholds whose precision is at least `precision`."""

    _constraint = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        return self._best("precision", "recall")


class SensitivityAtSpecificity(_AtThreshold):
    """The best sensitivity (recall) among thresholds whose specificity is at least
    `specificity`."""

    _constraint = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> Any:
        return self._best("specificity", "recall")


class SpecificityAtSensitivity(_AtThreshold):
    """The best specificity among thresholds whose sensitivity (recall) is at least
    `sensitivity`."""

    _constraint = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def _rates(self) -> dict[str, np.ndarray]:
        rates = super()._rates()
        rates["sensitivity"] = rates["recall"]
        return rates

    def result(self) -> Any:
        return self._best("sensitivity", "specificity")
