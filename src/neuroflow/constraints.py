"""Weight constraints, applied by the optimizer after each update."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend

__all__ = [
    "Constraint", "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm", "max_norm", "non_neg",
    "unit_norm", "min_max_norm", "get", "serialize", "deserialize",
]


class Constraint:
    """Maps a weight array to the closest array that satisfies the constraint."""

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        return cls(**config)


def _norms(w: np.ndarray, axis) -> np.ndarray:
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale so that the norm along `axis` is at most `max_value`."""

    def __init__(self, max_value: float = 2.0, axis: int = 0):
        self.max_value = float(max_value)
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (backend.epsilon() + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w):
        return np.maximum(w, 0).astype(w.dtype, copy=False)


class UnitNorm(Constraint):
    """Rescale to unit norm along `axis`."""

    def __init__(self, axis: int = 0):
        self.axis = axis

    def __call__(self, w):
        return (w / (backend.epsilon() + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep the norm along `axis` within [min_value, max_value] (blended by `rate`)."""

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: int = 0
    ):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = (
            self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return (w * (desired / (backend.epsilon() + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


_BY_NAME = {
    "max_norm": MaxNorm,
    "maxnorm": MaxNorm,
    "non_neg": NonNeg,
    "nonneg": NonNeg,
    "unit_norm": UnitNorm,
    "unitnorm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}
_CLASSES = {c.__name__: c for c in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}

# Keras' lowercase aliases of the classes
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm


def get(identifier: Any) -> Constraint | None:
    """A constraint from None, a name, a config dict, an instance or a callable."""
    if (
        identifier is None
        or isinstance(identifier, Constraint)
        or (callable(identifier) and not isinstance(identifier, (str, dict, type)))
    ):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower()) or _CLASSES.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown constraint {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return cls()
    if isinstance(identifier, dict):
        cls = _CLASSES.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown constraint class in config {identifier!r}")
        return cls.from_config(identifier.get("config", {}))
    raise TypeError(f"Could not interpret constraint identifier {identifier!r}")


def serialize(constraint: Constraint | None) -> dict | None:
    if constraint is None:
        return None
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Constraint:
    """Rebuild a constraint from `serialize()` output or from a name."""
    if isinstance(config, str) and custom_objects and config in custom_objects:
        return custom_objects[config]()
    if isinstance(config, dict) and custom_objects and config.get("class_name") in \
            custom_objects:
        return custom_objects[config["class_name"]].from_config(config.get("config", {}))
    if not isinstance(config, (str, dict)):
        raise ValueError("constraints.deserialize: expected a name or a dict with "
                         f"'class_name' and 'config', received {config!r}")
    return get(config)
