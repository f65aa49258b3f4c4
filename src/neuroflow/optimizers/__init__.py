"""Optimizers (SGD, Adam, ...) and learning-rate schedules, with the Keras 3 API."""

from __future__ import annotations

import inspect
from typing import Any

from neuroflow.backend._registry import resolve, serialize_instance
from neuroflow.optimizers import schedules
from neuroflow.optimizers.adadelta import Adadelta
from neuroflow.optimizers.adafactor import Adafactor
from neuroflow.optimizers.adagrad import Adagrad
from neuroflow.optimizers.adam import Adam, AdamW
from neuroflow.optimizers.adamax import Adamax
from neuroflow.optimizers.base import Optimizer
from neuroflow.optimizers.ftrl import Ftrl
from neuroflow.optimizers.lamb import Lamb
from neuroflow.optimizers.lion import Lion
from neuroflow.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from neuroflow.optimizers.muon import Muon
from neuroflow.optimizers.nadam import Nadam
from neuroflow.optimizers.rmsprop import RMSprop
from neuroflow.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from neuroflow.optimizers.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "Nadam", "RMSprop", "Adagrad", "Adadelta",
    "Adamax", "Lion", "Ftrl", "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW", "MultiOptimizer",
    "OptimizerMap", "schedules", "get", "serialize", "deserialize",
]

ALL_OBJECTS: dict[str, type[Optimizer]] = {
    cls.__name__.lower(): cls
    for cls in (SGD, Adam, AdamW, Nadam, RMSprop, Adagrad, Adadelta, Adamax, Lion, Ftrl, Lamb,
                Adafactor, Muon, ScheduleFreeAdamW, MultiOptimizer)
}


def serialize(optimizer: Optimizer) -> dict:
    """`{"class_name", "config", ...}` for an optimizer instance."""
    return serialize_instance(optimizer, Optimizer, "keras.optimizers", "optimizers.serialize")


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Optimizer:
    """Rebuild an optimizer from `serialize()` output or from a name (case-insensitive)."""
    table: dict[str, Any] = {**ALL_OBJECTS, **(custom_objects or {})}
    if isinstance(config, str):
        return resolve(config, table, "optimizer")()
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "optimizers.deserialize: expected a name or a dict with 'class_name' and "
            f"'config', received {config!r}"
        )
    cls = resolve(config["class_name"], table, "optimizer")
    inner = dict(config.get("config") or {})
    if issubclass(cls, Optimizer):
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name ('adam', case-insensitive), a config dict, an instance
    or an Optimizer class."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
