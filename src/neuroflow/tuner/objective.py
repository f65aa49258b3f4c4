"""Objective: the metric a search optimizes and whether higher is better."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["Objective", "get_objective"]

_MAX_WORDS = ("acc", "accuracy", "auc", "precision", "recall", "f1", "r2", "iou",
              "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
              "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
              "f1_score", "fbeta_score", "r2_score")
_MIN_HINTS = ("loss", "error", "crossentropy", "mse", "mae", "mape", "msle", "hinge",
              "divergence", "poisson", "cosh")


class Objective:
    """A metric name and a direction, 'min' or 'max'."""

    def __init__(self, name: str, direction: str):
        if not isinstance(name, str) or not name:
            raise TypeError(f"Objective: name must be a non-empty string, received {name!r}")
        if direction not in ("min", "max"):
            raise ValueError(f"Objective {name!r}: direction must be 'min' or 'max', "
                             f"received {direction!r}")
        self.name = name
        self.direction = direction

    @property
    def optuna_direction(self) -> str:
        return "maximize" if self.direction == "max" else "minimize"

    def better(self, a: float, b: float | None) -> bool:
        """Whether score `a` beats `b` (anything beats None or NaN)."""
        if b is None or math.isnan(b):
            return not math.isnan(a)
        return a > b if self.direction == "max" else a < b

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Objective) and other.name == self.name
                and other.direction == self.direction)

    def __hash__(self) -> int:
        return hash((self.name, self.direction))

    def __repr__(self) -> str:
        return f"Objective(name={self.name!r}, direction={self.direction!r})"


def _infer_direction(name: str) -> str:
    base = name[4:] if name.startswith("val_") else name
    if base in _MAX_WORDS:
        return "max"
    if any(hint in base for hint in _MIN_HINTS):
        return "min"
    raise ValueError(
        f"Could not infer whether to maximize or minimize the objective {name!r}; pass "
        f"Objective({name!r}, direction='max') or direction='min'"
    )


def get_objective(objective: Any) -> Objective:
    """An Objective from a metric name, an Objective, or None ('val_loss')."""
    if objective is None:
        objective = "val_loss"
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        return Objective(objective, _infer_direction(objective))
    if isinstance(objective, (list, tuple)):
        raise ValueError("neuroflow.tuner optimizes a single objective: pass one metric name "
                         f"or Objective, received {objective!r}")
    raise TypeError(f"objective must be a metric name or an Objective, received {objective!r}")
