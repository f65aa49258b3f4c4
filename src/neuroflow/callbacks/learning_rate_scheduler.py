"""LearningRateScheduler and the learning-rate helpers shared with ReduceLROnPlateau."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable

import numpy as np

from neuroflow.callbacks.callback import Callback

__all__ = ["LearningRateScheduler", "get_learning_rate", "set_learning_rate"]


def _optimizer(model, owner: str):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{owner}: the model has no optimizer with a learning_rate; "
                         "compile it first")
    return optimizer


def get_learning_rate(model, owner: str) -> float:
    """The optimizer's current learning rate as a float."""
    lr = _optimizer(model, owner).learning_rate
    return float(np.asarray(getattr(lr, "data", lr)))


def set_learning_rate(model, value: float, owner: str) -> None:
    """Set the optimizer's learning rate (it must not be a schedule)."""
    optimizer = _optimizer(model, owner)
    try:
        optimizer.learning_rate = float(value)
    except TypeError as err:
        raise TypeError(f"{owner}: {err}") from err


class LearningRateScheduler(Callback):
    """At the start of each epoch set the rate to `schedule(epoch, lr)` (or `schedule(epoch)`).

    The rate used is added to the epoch logs as 'learning_rate'.
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be a function, received "
                            f"{type(schedule).__name__}")
        self.schedule = schedule
        self.verbose = verbose
        try:
            params = inspect.signature(schedule).parameters
            self._two_args = len(params) >= 2 or any(
                p.kind == p.VAR_POSITIONAL for p in params.values())
        except (TypeError, ValueError):
            self._two_args = True

    def on_epoch_begin(self, epoch, logs=None):
        owner = "LearningRateScheduler"
        lr = get_learning_rate(self.model, owner)
        new = self.schedule(epoch, lr) if self._two_args else self.schedule(epoch)
        new = float(np.asarray(getattr(new, "data", new)))
        if not np.isfinite(new):
            raise ValueError(f"{owner}: the schedule returned {new} at epoch {epoch}; it must "
                             "return a finite float")
        set_learning_rate(self.model, new, owner)
        if self.verbose:
            sys.stdout.write(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning "
                             f"rate to {new}.\n")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model, "LearningRateScheduler")
