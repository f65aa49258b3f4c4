"""What `compile` turns its loss, loss_weights and metrics arguments into.

`CompileLoss` maps one loss per model output (given once, as a list, or as a dict keyed
by output name) and sums them with their weights; `CompileMetrics` holds the metric
objects of every output and names them as Keras does (`accuracy` for one output,
`<output>_accuracy` for several).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import losses as losses_module
from neuroflow import metrics as metrics_module
from neuroflow.autodiff import math_ops
from neuroflow.autodiff.tensor import Tensor

__all__ = ["CompileLoss", "CompileMetrics", "as_list"]


def as_list(structure: Any, names: list[str], what: str) -> list:
    """Per-output values from a single value, a list in output order or a dict by name."""
    n = len(names)
    if isinstance(structure, dict):
        unknown = sorted(set(structure) - set(names))
        if unknown:
            raise ValueError(
                f"compile: {what} names unknown output(s) {unknown}; "
                f"the model's outputs are {names}"
            )
        return [structure.get(name) for name in names]
    if isinstance(structure, (list, tuple)):
        if len(structure) != n:
            raise ValueError(
                f"compile: {what} has {len(structure)} entries but the model has "
                f"{n} output(s) {names}"
            )
        return list(structure)
    return [structure] * n


def _resolve_loss(identifier: Any):
    if identifier is None:
        return None
    loss = losses_module.get(identifier)
    if isinstance(loss, losses_module.Loss):
        return loss
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", "loss")
    return losses_module.LossFunctionWrapper(loss, name=name)


class CompileLoss:
    """The compiled loss: a weighted sum of one loss per output."""

    def __init__(self, loss: Any, loss_weights: Any, output_names: list[str]):
        self.output_names = list(output_names)
        self.identifiers = as_list(loss, self.output_names, "loss")
        self.losses = [_resolve_loss(i) for i in self.identifiers]
        weights = (
            as_list(loss_weights, self.output_names, "loss_weights")
            if loss_weights is not None
            else [1.0] * len(self.output_names)
        )
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.multi = len(self.output_names) > 1
        self.trackers = (
            [metrics_module.Mean(name=f"{n}_loss") for n in self.output_names] if self.multi else []
        )
        self.last_terms: list[tuple[int, Tensor, int]] = []  # (output, loss, rows) per term

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        if not self.multi:
            loss = self.losses[0]
            if loss is None:
                raise ValueError("compile: no loss was given for the model's output")
            value = loss(_single(y_true), _single(y_pred), sample_weight=sample_weight)
            return value if self.weights[0] == 1.0 else math_ops.multiply(value, self.weights[0])
        trues, preds, sws = split_per_output(y_true, y_pred, sample_weight, self.output_names)
        total = None
        self.last_terms = []
        for i, (loss, w) in enumerate(zip(self.losses, self.weights, strict=False)):
            if loss is None or trues[i] is None:
                continue
            value = loss(trues[i], preds[i], sample_weight=sws[i])
            self.last_terms.append((i, value, len(trues[i])))
            self.trackers[i].update_state(float(value.data), sample_weight=len(trues[i]))
            term = value if w == 1.0 else math_ops.multiply(value, w)
            total = term if total is None else math_ops.add(total, term)
        if total is None:
            raise ValueError("compile: none of the model's outputs has both a loss and a target")
        return total

    def reset(self) -> None:
        for t in self.trackers:
            t.reset_state()

    def results(self) -> dict:
        return {t.name: float(t.result()) for t in self.trackers}


def _single(x: Any) -> Any:
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    if isinstance(x, dict) and len(x) == 1:
        return next(iter(x.values()))
    return x


def _per_output(x: Any, names: list[str], what: str) -> list:
    if x is None:
        return [None] * len(names)
    if isinstance(x, dict):
        missing = [n for n in names if n not in x]
        unknown = sorted(set(x) - set(names))
        if unknown:
            raise ValueError(
                f"{what} names unknown output(s) {unknown}; the model's outputs are {names}"
            )
        if len(missing) == len(names):
            raise ValueError(f"{what} has none of the model's outputs {names}")
        return [x.get(n) for n in names]
    if isinstance(x, (list, tuple)):
        if len(x) != len(names):
            raise ValueError(
                f"{what}: expected {len(names)} arrays (one per output {names}), received {len(x)}"
            )
        return list(x)
    return [x] * len(names)


def split_per_output(y_true: Any, y_pred: Any, sample_weight: Any, names: list[str]) -> tuple:
    """Targets, predictions and sample weights as one list entry per output."""
    trues = _per_output(y_true, names, "y")
    preds = _per_output(y_pred, names, "predictions")
    if isinstance(sample_weight, (list, dict)):
        sws = _per_output(sample_weight, names, "sample_weight")
    else:
        sws = [sample_weight] * len(names)
    return trues, preds, sws


def _metric_object(identifier: Any, loss: Any, y_true: Any, y_pred: Any):
    if isinstance(identifier, str) and identifier in ("accuracy", "acc", "crossentropy", "ce"):
        metric = (
            metrics_module.resolve_accuracy(loss, np.shape(y_true), tuple(y_pred.shape))
            if identifier in ("accuracy", "acc")
            else metrics_module.resolve_crossentropy(loss, np.shape(y_true), tuple(y_pred.shape))
        )
        metric.name = identifier
        return metric
    if isinstance(identifier, metrics_module.Metric):
        return identifier
    obj = metrics_module.get(identifier)
    if isinstance(obj, metrics_module.Metric):
        if isinstance(identifier, str):
            obj.name = identifier
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", "metric")
    return metrics_module.MeanMetricWrapper(obj, name=name)


class CompileMetrics:
    """The compiled metrics of every output, built from the first batch's shapes."""

    def __init__(
        self, metrics: Any, weighted_metrics: Any, output_names: list[str], loss_identifiers: list
    ):
        self.output_names = list(output_names)
        self.multi = len(self.output_names) > 1
        self.spec = self._per_output_spec(metrics)
        self.weighted_spec = self._per_output_spec(weighted_metrics)
        self.loss_identifiers = loss_identifiers
        self.metrics: list[list] = []
        self.weighted: list[list] = []
        self.built = False
        self.name = "compile_metrics"
        self.has_metrics = any(self.spec) or any(self.weighted_spec)

    def _per_output_spec(self, metrics: Any) -> list[list]:
        n = len(self.output_names)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            per = as_list(metrics, self.output_names, "metrics")
            return [
                [] if m is None else (list(m) if isinstance(m, (list, tuple)) else [m]) for m in per
            ]
        if isinstance(metrics, (list, tuple)):
            if (
                self.multi
                and metrics
                and all(isinstance(m, (list, tuple)) or m is None for m in metrics)
            ):
                per = as_list(list(metrics), self.output_names, "metrics")
                return [[] if m is None else list(m) for m in per]
            return [list(metrics) for _ in range(n)]
        return [[metrics] for _ in range(n)]

    def build(self, y_true: Any, y_pred: Any) -> None:
        trues = _per_output(y_true, self.output_names, "y") if self.multi else [_single(y_true)]
        preds = (
            _per_output(y_pred, self.output_names, "predictions")
            if self.multi
            else [_single(y_pred)]
        )

        def make(spec, prefix_weighted: bool):
            out = []
            for i, ids in enumerate(spec):
                objs = []
                for ident in ids:
                    m = _metric_object(ident, self.loss_identifiers[i], trues[i], preds[i])
                    if self.multi:
                        m.name = f"{self.output_names[i]}_{m.name}"
                    if prefix_weighted:
                        m.name = f"weighted_{m.name}"
                    objs.append(m)
                out.append(objs)
            return out

        self.metrics = make(self.spec, False)
        self.weighted = make(self.weighted_spec, True)
        self.built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        if self.multi:
            trues, preds, sws = split_per_output(y_true, y_pred, sample_weight,
                                                 self.output_names)
        else:
            trues, preds, sws = [_single(y_true)], [_single(y_pred)], [sample_weight]
        for i in range(len(self.output_names)):
            if trues[i] is None:
                continue
            yp = preds[i].data if isinstance(preds[i], Tensor) else preds[i]
            for m in self.metrics[i]:
                m.update_state(trues[i], yp)
            for m in self.weighted[i]:
                m.update_state(trues[i], yp, sample_weight=sws[i])

    def all_metrics(self) -> list:
        return [m for group in (self.metrics, self.weighted) for ms in group for m in ms]

    def reset_state(self) -> None:
        for m in self.all_metrics():
            m.reset_state()

    def result(self) -> dict:
        return {m.name: float(m.result()) for m in self.all_metrics()}
