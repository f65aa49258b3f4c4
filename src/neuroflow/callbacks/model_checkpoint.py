"""ModelCheckpoint: save the model (or its weights) during training."""

from __future__ import annotations

import os
import sys
from typing import Any

from neuroflow.callbacks._monitor import improved, monitor_value, resolve_mode
from neuroflow.callbacks.callback import Callback
from neuroflow.saving.saving_api import check_weights_path, model_format

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    """Save the model every epoch (or every `save_freq` batches), or only when it improves.

    Args:
        filepath: where to save; may hold `{epoch:02d}`, `{batch}` and log names such as
            `{val_loss:.2f}`. Ends with `.keras` or `.h5` (whole model) or, with
            `save_weights_only=True`, `.weights.h5`; tf.keras 2 names without an
            extension are accepted too.
        monitor: the log value that decides what is best (default 'val_loss').
        save_best_only: save only when `monitor` improves on the best seen so far.
        save_weights_only: save only the weights (`model.save_weights`).
        mode: 'auto', 'min' or 'max': the direction in which `monitor` improves.
        save_freq: 'epoch', or an integer: save every that many batches.
        initial_value_threshold: the value `monitor` must beat for the first save.
        period: tf.keras 2 spelling: save every `period` epochs.
        verbose: 1 prints a line for each save.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: Any = "epoch",
                 initial_value_threshold: float | None = None, period: int | None = None,
                 options: Any = None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = resolve_mode(mode, monitor, "ModelCheckpoint")
        if save_freq != "epoch" and (isinstance(save_freq, bool)
                                     or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError("ModelCheckpoint: save_freq must be 'epoch' or a positive "
                             f"integer number of batches, received {save_freq!r}")
        if period is not None and (not isinstance(period, int) or period < 1):
            raise ValueError(f"ModelCheckpoint: period must be a positive integer, received "
                             f"{period!r}")
        self.save_freq = save_freq
        if save_freq != "epoch":  # a batch hook only when batches matter (fit's hot path)
            self.on_train_batch_end = self._on_train_batch_end
        self.period = period or 1
        self.best = initial_value_threshold
        self._batches_seen = 0
        self._epoch = 0
        check_name = check_weights_path if save_weights_only else model_format
        try:
            check_name(self.filepath)
        except ValueError as err:
            raise ValueError(f"ModelCheckpoint: {err}") from None

    def on_train_begin(self, logs=None):
        self._batches_seen = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, None, logs)

    def _format(self, epoch: int, batch: int | None, logs: dict | None) -> str:
        values = dict(logs or {})
        try:
            return self.filepath.format(epoch=epoch + 1, batch=batch, **values)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint: the file name {self.filepath!r} uses {err}, which is not "
                f"in the logs (available: epoch, batch, {', '.join(sorted(values))})"
            ) from err

    def _save(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        path = self._format(epoch, batch, logs)
        if self.save_best_only:
            current = monitor_value(logs, self.monitor, "ModelCheckpoint")
            if current is None:
                return
            if not improved(current, self.best, self.mode):
                if self.verbose:
                    sys.stdout.write(f"\nEpoch {epoch + 1}: {self.monitor} did not improve "
                                     f"from {self.best:.5f}\n")
                return
            if self.verbose:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                sys.stdout.write(f"\nEpoch {epoch + 1}: {self.monitor} improved from "
                                 f"{previous} to {current:.5f}, saving model to {path}\n")
            self.best = current
        elif self.verbose:
            sys.stdout.write(f"\nEpoch {epoch + 1}: saving model to {path}\n")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
