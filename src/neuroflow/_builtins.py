"""Files every family of built-in objects in the one registry (backend/_registry), and
the ONNX exporter behind `Model.export`.

The registry sits on the bottom floor and imports no family, and models sit below export;
this module, on the top floor with the facade, hands each lower floor what it serves once
everything is imported. The labels are Keras' `module` names, the ones a config carries.
"""

from __future__ import annotations

from neuroflow import (
    activations,
    constraints,
    export,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
)
from neuroflow.backend import _registry
from neuroflow.losses import functions as loss_functions
from neuroflow.models import functional
from neuroflow.models.model import register_exporter

__all__: list[str] = []

for _label, _base, _module in (
    ("keras.layers", layers.Layer, layers),
    ("keras.models", layers.Layer, models),
    ("keras.models.functional", layers.Layer, functional),
    ("keras.losses", losses.Loss, losses),
    ("keras.metrics", metrics.Metric, metrics),
    ("keras.optimizers", optimizers.Optimizer, optimizers),
    ("keras.optimizers.schedules", optimizers.schedules.LearningRateSchedule,
     optimizers.schedules),
    ("keras.initializers", initializers.Initializer, initializers),
    ("keras.regularizers", regularizers.Regularizer, regularizers),
    ("keras.constraints", constraints.Constraint, constraints),
):
    _registry.register_family(_label, _base, _module)

for _label, _module in (
    ("keras.losses.functions", loss_functions), ("keras.losses", losses),
    ("keras.metrics", metrics), ("keras.activations", activations),
):
    _registry.register_functions(_label, _module)

register_exporter(export.export_model)
