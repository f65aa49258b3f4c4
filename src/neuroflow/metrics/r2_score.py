"""R2Score (Keras 3): the coefficient of determination, accumulated over batches as
weighted sums per output, aggregated over outputs, optionally adjusted for the number of
regressors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from neuroflow.losses.loss import squeeze_or_expand_to_same_rank
from neuroflow.metrics._utils import raw
from neuroflow.metrics.metric import Metric

__all__ = ["R2Score"]

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """`1 - SS_res / SS_tot` per output of 2-D targets (batch, outputs), then averaged
    ('uniform_average'), weighted by each output's variance ('variance_weighted_average')
    or per output (None). `num_regressors` > 0 gives the adjusted R2."""

    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str = "r2_score", dtype: Any = None):
        super().__init__(dtype=dtype, name=name)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(f"R2Score: class_aggregation must be one of {_AGGREGATIONS}, "
                             f"received {class_aggregation!r}")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, int) \
                or num_regressors < 0:
            raise ValueError(f"R2Score: num_regressors must be an integer >= 0, received "
                             f"{num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), dtype="int64", name="num_samples")
        self._sums: dict[str, Any] = {}

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = squeeze_or_expand_to_same_rank(raw(y_true, np.float64), raw(y_pred, np.float64))
        if t.ndim != 2 or t.shape != p.shape:
            raise ValueError(f"R2Score: expected y_true and y_pred of the same shape "
                             f"(batch, outputs), received {t.shape} and {p.shape}")
        if not self._sums:
            for key in ("squared_sum", "sum", "total_mse", "count"):
                self._sums[key] = self.add_variable((t.shape[1],), name=key)
        w = np.ones(()) if sample_weight is None else raw(sample_weight, np.float64)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, t.shape)
        for key, value in (("sum", t * w), ("squared_sum", t * t * w),
                           ("total_mse", (t - p) ** 2 * w), ("count", w)):
            self._sums[key].data += value.sum(axis=0)
        self.num_samples.data += t.size

    def result(self) -> Any:
        if not self._sums:
            return self._value(0.0)
        s = {k: v.data.astype(np.float64) for k, v in self._sums.items()}
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s["sum"] / s["count"]
            total = s["squared_sum"] - s["sum"] * mean
            raw_scores = 1 - s["total_mse"] / total
        raw_scores = np.where(np.isinf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            score = raw_scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw_scores).sum() / total.sum()
        else:
            score = raw_scores
        n, k = int(self.num_samples.data), self.num_regressors
        if k and k >= n - 1:
            warnings.warn("R2Score: as many or more regressors than data points minus one; "
                          "falling back to the plain R2 score", stacklevel=2)
        elif k:
            score = 1 - (1 - score) * (n - 1) / (n - k - 1)
        return self._value(score)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
