"""The epoch timer the benchmark scripts share (neuroflow's fit keeps its replay loop
under an epoch-level callback, so timing an epoch this way costs nothing per batch)."""

from __future__ import annotations

import statistics
import time

import neuroflow as nf


class EpochTimer(nf.callbacks.Callback):
    """Wall time of each epoch (training and validation)."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._start)

    @property
    def median(self) -> float:
        return statistics.median(self.times)
