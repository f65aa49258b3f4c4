"""F-beta and F1 scores (Keras 3) of multi-label or one-hot predictions, per class or
averaged ('micro' over all counts, 'macro' over classes, 'weighted' by class support)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.metrics._utils import raw
from neuroflow.metrics.metric import Metric

__all__ = ["FBetaScore", "F1Score"]

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """`(1 + beta**2) * precision * recall / (beta**2 * precision + recall)` of 2-D
    labels and scores; a score counts as positive above `threshold`, or, when
    `threshold` is None, where it is its row's largest."""

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score", dtype: Any = None):
        super().__init__(dtype=dtype, name=name)
        if average not in _AVERAGES:
            raise ValueError(f"{type(self).__name__}: average must be one of {_AVERAGES}, "
                             f"received {average!r}")
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"{type(self).__name__}: beta must be a number > 0, received "
                             f"{beta!r}")
        if threshold is not None and not 0.0 < float(threshold) <= 1.0:
            raise ValueError(f"{type(self).__name__}: threshold must be in (0, 1] or None, "
                             f"received {threshold!r}")
        self.average = average
        self.beta = float(beta)
        self.threshold = threshold
        self._counts: dict[str, Any] = {}

    def _build(self, num_classes: int) -> None:
        shape = () if self.average == "micro" else (num_classes,)
        for key in ("true_positives", "false_positives", "false_negatives",
                    "intermediate_weights"):
            self._counts[key] = self.add_variable(shape, name=key)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = raw(y_true, np.float64), raw(y_pred, np.float64)
        if t.ndim != 2 or p.shape != t.shape:
            raise ValueError(f"{type(self).__name__}: expected y_true and y_pred of the same "
                             f"shape (batch, classes), received {t.shape} and {p.shape}")
        if not self._counts:
            self._build(t.shape[1])
        if self.threshold is None:
            p = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            p = p > self.threshold
        p = p.astype(np.float64)
        w = None if sample_weight is None else raw(sample_weight, np.float64).reshape(-1, 1)
        axis = None if self.average == "micro" else 0

        def total(v):
            return (v if w is None else v * w).sum(axis=axis)

        for key, value in (("true_positives", p * t), ("false_positives", p * (1 - t)),
                           ("false_negatives", (1 - p) * t), ("intermediate_weights", t)):
            self._counts[key].data += total(value)

    def result(self) -> Any:
        if not self._counts:
            return self._value(0.0)
        eps = backend.epsilon()
        tp, fp, fn, support = (self._counts[k].data.astype(np.float64) for k in (
            "true_positives", "false_positives", "false_negatives", "intermediate_weights"))
        precision, recall = tp / (tp + fp + eps), tp / (tp + fn + eps)
        b2 = self.beta ** 2
        score = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            score = (score * support / (support.sum() + eps)).sum()
        elif self.average is not None:
            score = score.mean()
        return self._value(score)

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F-beta score with beta = 1: the harmonic mean of precision and recall."""

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
