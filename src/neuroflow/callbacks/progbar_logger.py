"""ProgbarLogger: prints 'Epoch i/n' and the progress bar during fit."""

from __future__ import annotations

import math
import sys

from neuroflow.callbacks.callback import Callback
from neuroflow.callbacks.progress_bar import Progbar, is_interactive

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Progress output for fit and evaluate; verbose 1 is a bar, 2 a line per epoch."""

    def __init__(self, verbose: int = 1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream
        self._bar: Progbar | None = None
        self._epochs = 1
        self._in_fit = False

    @property
    def batch_hook_interval(self) -> float:
        """A redrawn terminal line needs the logs every `Progbar.interval` seconds; a file,
        a pipe or verbose 2 only the epoch's last batch (see `Callback`)."""
        if self.verbose == 1 and is_interactive(self.stream or sys.stdout):
            return self._bar.interval if self._bar is not None else 0.05
        return math.inf

    def on_train_begin(self, logs=None):
        self._epochs = self.params.get("epochs", 1)
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        stream = self.stream or sys.stdout
        if self.verbose:
            stream.write(f"Epoch {epoch + 1}/{self._epochs}\n")
            stream.flush()
        self._bar = Progbar(self.params.get("steps"), verbose=self.verbose, stream=stream)
        self._seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._bar is not None and self._bar.dynamic and self.verbose == 1:
            self._bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.update(self._seen, logs, finalize=True)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._bar = Progbar(
                self.params.get("steps"), verbose=self.verbose, stream=self.stream or sys.stdout
            )
            self._seen = 0

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._seen = batch + 1
            if self._bar is not None and self._bar.dynamic and self.verbose == 1:
                self._bar.update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit and self._bar is not None:
            self._bar.update(self._seen, logs, finalize=True)

    def on_predict_begin(self, logs=None):
        self._bar = Progbar(
            self.params.get("steps"), verbose=self.verbose, stream=self.stream or sys.stdout
        )
        self._seen = 0

    def on_predict_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        if self._bar is not None and self._bar.dynamic and self.verbose == 1:
            self._bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        if self._bar is not None:
            self._bar.update(self._seen, finalize=True)
