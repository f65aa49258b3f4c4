"""ReduceLROnPlateau: lower the learning rate when a monitored value stops improving."""

from __future__ import annotations

import sys

from neuroflow.callbacks._monitor import improved, monitor_value, resolve_mode
from neuroflow.callbacks.callback import Callback
from neuroflow.callbacks.learning_rate_scheduler import get_learning_rate, set_learning_rate

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(Callback):
    """Multiply the rate by `factor` after `patience` epochs without improvement.

    Args:
        monitor: the log value to watch (default 'val_loss').
        factor: the multiplier, in (0, 1).
        patience: epochs without improvement before reducing.
        mode: 'auto', 'min' or 'max'.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate never goes below this.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 verbose: int = 0, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:  # tf.keras 1/2 name of min_delta
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        if not 0.0 < factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), received {factor!r}")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = int(patience)
        self.verbose = verbose
        self.mode = resolve_mode(mode, monitor, "ReduceLROnPlateau")
        self.min_delta = float(min_delta)
        self.cooldown = int(cooldown)
        self.min_lr = float(min_lr)
        self._reset()

    def _reset(self) -> None:
        self.best = None
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        owner = "ReduceLROnPlateau"
        logs = logs if logs is not None else {}
        logs["learning_rate"] = get_learning_rate(self.model, owner)
        current = monitor_value(logs, self.monitor, owner)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if improved(current, self.best, self.mode, self.min_delta):
            self.best = current
            self.wait = 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            old = get_learning_rate(self.model, owner)
            if old > self.min_lr:
                new = max(old * self.factor, self.min_lr)
                set_learning_rate(self.model, new, owner)
                if self.verbose:
                    sys.stdout.write(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing "
                                     f"learning rate to {new}.\n")
                self.cooldown_counter = self.cooldown
                self.wait = 0
