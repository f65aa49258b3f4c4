"""EarlyStopping: stop training when a monitored value stops improving."""

from __future__ import annotations

import sys

from neuroflow.callbacks._monitor import improved, monitor_value, resolve_mode
from neuroflow.callbacks.callback import Callback

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    Args:
        monitor: the log value to watch (default 'val_loss').
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        mode: 'auto', 'min' or 'max'.
        baseline: a value the monitor must beat; until it does, epochs count as no
            improvement.
        restore_best_weights: at the end of training, put back the weights of the best
            epoch, whether or not patience ran out.
        start_from_epoch: epochs to wait before watching at all (warm-up).
        verbose: 1 prints when training stops and when weights are restored.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        super().__init__()
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be a non-negative integer, "
                             f"received {patience!r}")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = patience
        self.verbose = verbose
        self.mode = resolve_mode(mode, monitor, "EarlyStopping")
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.start_from_epoch:
            return
        current = monitor_value(logs, self.monitor, "EarlyStopping")
        if current is None:
            return
        self.wait += 1
        if improved(current, self.best, self.mode, self.min_delta):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or improved(current, self.baseline, self.mode,
                                                 self.min_delta):
                self.wait = 0
                return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            sys.stdout.write(f"Epoch {self.stopped_epoch + 1}: early stopping\n")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                sys.stdout.write("Restoring model weights from the end of the best epoch: "
                                 f"{self.best_epoch + 1}.\n")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> float | None:
        """The monitored value in `logs` (None, with a warning, when absent)."""
        return monitor_value(logs, self.monitor, "EarlyStopping")
