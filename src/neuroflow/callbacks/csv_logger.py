"""CSVLogger: one CSV row of logs per epoch."""

from __future__ import annotations

import csv
import os

import numpy as np

from neuroflow.callbacks.callback import Callback

__all__ = ["CSVLogger"]


def _cell(value):
    if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        return "[" + ", ".join(str(v) for v in np.ravel(value)) + "]"
    return value


class CSVLogger(Callback):
    """Write `epoch` and every log value to `filename` after each epoch.

    Args:
        filename: the CSV file.
        separator: the column separator.
        append: add to an existing file (keeping its header) instead of overwriting it.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.keys: list[str] | None = None
        self._file = None
        self._writer = None

    def on_train_begin(self, logs=None):
        has_rows = self.append and os.path.exists(self.filename) and \
            os.path.getsize(self.filename) > 0
        self.keys = None
        if has_rows:
            with open(self.filename, newline="", encoding="utf-8") as f:
                header = next(csv.reader(f, delimiter=self.sep), None)
            self.keys = [k for k in header or [] if k != "epoch"] or None
        directory = os.path.dirname(os.path.abspath(self.filename))
        os.makedirs(directory, exist_ok=True)
        self._file = open(self.filename, "a" if self.append else "w", newline="",  # noqa: SIM115
                          encoding="utf-8")
        self._writer = None
        self._header_written = has_rows

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self.keys],
                                          delimiter=self.sep, extrasaction="ignore")
            if not self._header_written:
                self._writer.writeheader()
                self._header_written = True
        row = {"epoch": epoch, **{k: _cell(logs.get(k, "NA")) for k in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None
