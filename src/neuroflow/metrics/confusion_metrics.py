"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall and AUC.

A prediction counts as positive at threshold t when `y_pred > t`; a label is positive
when it is non-zero. Counts at many thresholds come from one histogram per batch
(`np.searchsorted` + `np.bincount`), so the cost per batch is O(n log T + T).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.losses.loss import squeeze_or_expand_to_same_rank
from neuroflow.metrics._utils import raw
from neuroflow.metrics.metric import Metric

__all__ = [
    "confusion_counts", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    "Precision", "Recall", "AUC",
]

NEG_INF = -1e10


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(np.broadcast_shapes(a.shape, b.shape)), where=b != 0)


def _parse_thresholds(thresholds: Any, default: float, who: str) -> list[float]:
    if thresholds is None:
        return [default]
    values = [thresholds] if np.ndim(thresholds) == 0 else list(np.asarray(thresholds).ravel())
    if not values:
        raise ValueError(f"{who}: expected at least one threshold, received {thresholds!r}")
    for v in values:
        if not 0.0 <= float(v) <= 1.0:
            raise ValueError(
                f"{who}: thresholds must lie in [0, 1], received thresholds={thresholds!r}"
            )
    return [float(v) for v in values]


def _weights(sample_weight: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    if sample_weight is None:
        return None
    sw = raw(sample_weight, np.float64)
    ref = np.empty(shape, dtype=bool)
    _, sw = squeeze_or_expand_to_same_rank(ref, sw)
    try:
        return np.broadcast_to(sw, shape)
    except ValueError:
        raise ValueError(
            f"sample_weight of shape {np.shape(sample_weight)} cannot be broadcast to "
            f"predictions of shape {shape}"
        ) from None


def confusion_counts(y_true: Any, y_pred: Any, thresholds: Any, sample_weight: Any = None,
                     multi_label: bool = False,
                     label_weights: Any = None) -> dict[str, np.ndarray]:
    """Weighted 'tp', 'fp', 'tn', 'fn' at each threshold (shape (T,), or (T, labels)).

    `y_true` and `y_pred` must have the same shape once ranks are aligned; with
    `multi_label` the last axis holds the labels, counted separately.
    """
    t, p = squeeze_or_expand_to_same_rank(raw(y_true), raw(y_pred))
    if t.shape != p.shape:
        raise ValueError(
            "confusion metrics: y_true and y_pred must have the same shape, received "
            f"y_true.shape={t.shape} and y_pred.shape={p.shape}"
        )
    thr = np.asarray(thresholds, dtype=np.float64).ravel()
    order = np.argsort(thr, kind="stable")
    sorted_thr = thr[order]
    n_thr = thr.size
    w = _weights(sample_weight, p.shape)
    if label_weights is not None and not multi_label:
        lw = np.broadcast_to(np.asarray(label_weights, dtype=np.float64), p.shape)
        w = lw if w is None else w * lw
    positive = t != 0
    if multi_label:
        n_labels = p.shape[-1] if p.ndim else 1
        p2 = p.reshape(-1, n_labels)
        bins = np.searchsorted(sorted_thr, p2, side="left")
        bins = (bins + np.arange(n_labels) * (n_thr + 1)).ravel()
        size, shape = n_labels * (n_thr + 1), (n_labels, n_thr + 1)
    else:
        bins = np.searchsorted(sorted_thr, p.ravel(), side="left")
        size, shape = n_thr + 1, (n_thr + 1,)
    pos = positive.ravel()
    wf = None if w is None else w.ravel()
    hist_pos = np.bincount(bins[pos], None if wf is None else wf[pos], minlength=size)
    hist_neg = np.bincount(bins[~pos], None if wf is None else wf[~pos], minlength=size)
    hist_pos, hist_neg = hist_pos.reshape(shape), hist_neg.reshape(shape)
    below_pos = np.cumsum(hist_pos, axis=-1)[..., :n_thr]  # label positive, pred <= t
    below_neg = np.cumsum(hist_neg, axis=-1)[..., :n_thr]
    counts = {
        "fn": below_pos, "tp": hist_pos.sum(axis=-1, keepdims=True) - below_pos,
        "tn": below_neg, "fp": hist_neg.sum(axis=-1, keepdims=True) - below_neg,
    }
    unsorted = {}
    for key, value in counts.items():
        value = value.T if multi_label else value
        out = np.empty_like(value, dtype=np.float64)
        out[order] = value
        unsorted[key] = out
    return unsorted


def _filter_top_k(p: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest values of the last axis; the rest become NEG_INF."""
    if k >= p.shape[-1]:
        return p
    idx = np.argpartition(-p, k - 1, axis=-1)[..., :k]
    out = np.full_like(p, NEG_INF)
    np.put_along_axis(out, idx, np.take_along_axis(p, idx, axis=-1), axis=-1)
    return out


class _ThresholdMetric(Metric):
    """Shared by the count, precision and recall metrics: thresholds, top_k, class_id."""

    _counts: tuple[str, ...] = ()

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(dtype=dtype, name=name)
        who = type(self).__name__
        if top_k is not None and (not isinstance(top_k, (int, np.integer)) or top_k < 1):
            raise ValueError(f"{who}: expected top_k to be a positive integer, received {top_k!r}")
        if class_id is not None and (not isinstance(class_id, (int, np.integer)) or class_id < 0):
            raise ValueError(
                f"{who}: expected class_id to be a non-negative integer, received {class_id!r}"
            )
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = NEG_INF if top_k is not None else 0.5
        self.thresholds = _parse_thresholds(thresholds, default, who)
        for key in self._counts:
            setattr(self, key, self.add_variable(shape=(len(self.thresholds),), name=key))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = raw(y_true), raw(y_pred)
        p, t = squeeze_or_expand_to_same_rank(p, t)
        if self.top_k is not None:
            p = _filter_top_k(p, self.top_k)
        if self.class_id is not None:
            if p.ndim == 0 or self.class_id >= p.shape[-1]:
                raise ValueError(
                    f"{type(self).__name__}: class_id={self.class_id} is out of range for "
                    f"predictions of shape {p.shape}"
                )
            t = t[..., self.class_id:self.class_id + 1]
            p = p[..., self.class_id:self.class_id + 1]
        counts = confusion_counts(t, p, self.thresholds, sample_weight)
        for key in self._counts:
            getattr(self, key).data += counts[_SHORT[key]]

    def _single(self, value: np.ndarray) -> Any:
        return self._value(value[0] if len(self.thresholds) == 1 else value)

    def get_config(self) -> dict:
        config = super().get_config()
        thresholds = self.init_thresholds
        if isinstance(thresholds, np.ndarray):
            thresholds = thresholds.tolist()
        config.update(thresholds=thresholds, top_k=self.top_k, class_id=self.class_id)
        return config


_SHORT = {"true_positives": "tp", "false_positives": "fp", "true_negatives": "tn",
          "false_negatives": "fn"}


class _Count(_ThresholdMetric):
    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(thresholds=thresholds, name=name, dtype=dtype)

    def result(self) -> Any:
        return self._single(getattr(self, self._counts[0]).data)

    def get_config(self) -> dict:
        config = Metric.get_config(self)
        config["thresholds"] = self.init_thresholds
        return config


class TruePositives(_Count):
    """Weighted count of positive labels predicted positive (y_pred > threshold)."""

    _counts = ("true_positives",)


class FalsePositives(_Count):
    """Weighted count of negative labels predicted positive."""

    _counts = ("false_positives",)


class TrueNegatives(_Count):
    """Weighted count of negative labels predicted negative."""

    _counts = ("true_negatives",)


class FalseNegatives(_Count):
    """Weighted count of positive labels predicted negative."""

    _counts = ("false_negatives",)


class Precision(_ThresholdMetric):
    """TP / (TP + FP) at each threshold (0.5 by default; one result per threshold).

    `top_k` keeps only the k highest predictions per sample as positive; `class_id`
    restricts the metric to one column of multi-class or multi-label outputs.
    """

    _counts = ("true_positives", "false_positives")

    def result(self) -> Any:
        tp, fp = self.true_positives.data, self.false_positives.data
        return self._single(_divide_no_nan(tp, tp + fp))


class Recall(_ThresholdMetric):
    """TP / (TP + FN) at each threshold (0.5 by default; one result per threshold)."""

    _counts = ("true_positives", "false_negatives")

    def result(self) -> Any:
        tp, fn = self.true_positives.data, self.false_negatives.data
        return self._single(_divide_no_nan(tp, tp + fn))


_CURVES = ("ROC", "PR")
_SUMMATIONS = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    Args:
        num_thresholds: thresholds spread evenly over [0, 1] (default 200).
        curve: 'ROC' (default) or 'PR'.
        summation_method: 'interpolation' (trapezoids; Davis & Goadrich for PR),
            'minoring' or 'majoring' (left/right Riemann sums).
        thresholds: explicit thresholds in [0, 1] instead of evenly spaced ones.
        multi_label: treat the last axis as independent labels and average their AUCs
            (weighted by `label_weights`); otherwise every value counts as one sample.
        from_logits: apply a sigmoid to predictions first.
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False):
        super().__init__(dtype=dtype, name=name)
        if not isinstance(curve, str) or curve.upper() not in _CURVES:
            raise ValueError(f"AUC: expected curve to be one of {_CURVES}, received {curve!r}")
        if not isinstance(summation_method, str) or summation_method.lower() not in _SUMMATIONS:
            raise ValueError(
                f"AUC: expected summation_method to be one of {_SUMMATIONS}, received "
                f"{summation_method!r}"
            )
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_parse_thresholds(thresholds, 0.5, "AUC"))
            num_thresholds = len(inner) + 2
        else:
            if not isinstance(num_thresholds, (int, np.integer)) or num_thresholds <= 1:
                raise ValueError(
                    f"AUC: expected num_thresholds > 1, received num_thresholds={num_thresholds!r}"
                )
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = backend.epsilon()
        self.num_thresholds = int(num_thresholds)
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.from_logits = bool(from_logits)
        if label_weights is not None:
            label_weights = np.asarray(label_weights, dtype=np.float64)
            if np.any(label_weights < 0):
                raise ValueError(
                    f"AUC: label_weights must be non-negative, received {label_weights.tolist()}"
                )
        self.label_weights = label_weights
        self._built = False
        if not self.multi_label or num_labels is not None:
            self._build(num_labels)

    def _build(self, num_labels: int | None) -> None:
        shape = (self.num_thresholds,) if not self.multi_label else (self.num_thresholds,
                                                                     int(num_labels))
        self.num_labels = num_labels
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        p = raw(y_pred, np.float64)
        if self.from_logits:
            p = 0.5 * (1.0 + np.tanh(0.5 * p))
        if not self._built:
            self._build(p.shape[-1] if p.ndim else 1)
        counts = confusion_counts(
            y_true, p, self.thresholds, sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )
        self.true_positives.data += counts["tp"]
        self.false_positives.data += counts["fp"]
        self.true_negatives.data += counts["tn"]
        self.false_negatives.data += counts["fn"]

    def _by_label_mean(self, per_threshold: np.ndarray) -> float:
        by_label = per_threshold.sum(axis=0)
        if not self.multi_label:
            return float(by_label)
        if self.label_weights is None:
            return float(by_label.mean())
        return float(_divide_no_nan((by_label * self.label_weights).sum(),
                                    self.label_weights.sum()))

    def _interpolate_pr_auc(self, tp, fp, fn) -> float:
        """PR AUC interpolating precision linearly in TP between thresholds (Davis & Goadrich)."""
        dtp = tp[:-1] - tp[1:]
        predicted = tp + fp
        dp = predicted[:-1] - predicted[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = np.where(both, _divide_no_nan(predicted[:-1], np.maximum(predicted[1:], 0)), 1.0)
        increment = _divide_no_nan(slope * (dtp + intercept * np.log(ratio)),
                                   np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label_mean(increment)

    def result(self) -> Any:
        if not self._built:
            return self._value(0.0)
        tp = self.true_positives.data.astype(np.float64)
        fp = self.false_positives.data.astype(np.float64)
        tn = self.true_negatives.data.astype(np.float64)
        fn = self.false_negatives.data.astype(np.float64)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._value(self._interpolate_pr_auc(tp, fp, fn))
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._value(self._by_label_mean((x[:-1] - x[1:]) * heights))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            num_thresholds=self.num_thresholds, curve=self.curve,
            summation_method=self.summation_method, multi_label=self.multi_label,
            num_labels=self.num_labels,
            label_weights=None if self.label_weights is None else self.label_weights.tolist(),
            from_logits=self.from_logits,
        )
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
