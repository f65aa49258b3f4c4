"""TensorBoard: event files that TensorBoard reads, written without TensorFlow.

Uses tensorboardX's SummaryWriter. Scalars go to `<log_dir>/train` and
`<log_dir>/validation` (the two runs TensorBoard shows) as `epoch_<name>`; the learning
rate as `epoch_learning_rate`; with `histogram_freq`, one histogram per weight.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from neuroflow.callbacks.callback import Callback

__all__ = ["TensorBoard"]


def _summary_writer_class():
    try:
        from tensorboardX import SummaryWriter
    except ImportError as err:
        raise ImportError("The TensorBoard callback needs tensorboardX: pip install "
                          "tensorboardX (or neuroflow[tensorboard])") from err
    return SummaryWriter


class TensorBoard(Callback):
    """Log losses, metrics, the learning rate and weight histograms for TensorBoard.

    Args:
        log_dir: the folder of this run (e.g. `logs/run_1`); `train` and `validation`
            sub-folders are written inside.
        histogram_freq: write weight histograms every that many epochs (0: never).
        update_freq: 'epoch', or an integer: also write `batch_<name>` scalars every
            that many batches.
        write_graph, write_images, profile_batch, ...: accepted for compatibility; not
            written.
    """

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, write_images: bool = False, write_steps_per_second:
                 bool = False, update_freq: Any = "epoch", profile_batch: Any = 0,
                 embeddings_freq: int = 0, embeddings_metadata: Any = None):
        super().__init__()
        if not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be a non-negative integer, "
                             f"received {histogram_freq!r}")
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool)
                                       or not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError("TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"integer, received {update_freq!r}")
        _summary_writer_class()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.update_freq = update_freq
        self._writers: dict[str, Any] = {}
        self._global_step = 0
        if update_freq != "epoch":  # a batch hook only when batches are logged
            self.on_train_batch_end = self._on_train_batch_end

    def _writer(self, run: str):
        if run not in self._writers:
            self._writers[run] = _summary_writer_class()(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs=None):
        self._global_step = 0
        self._writer("train")

    def _on_train_batch_end(self, batch, logs=None):
        self._global_step += 1
        if self._global_step % self.update_freq:
            return
        writer = self._writer("train")
        for key, value in (logs or {}).items():
            if np.ndim(value) == 0:
                writer.add_scalar(f"batch_{key}", float(value), self._global_step)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        train, val = self._writer("train"), None
        for key, value in logs.items():
            if np.ndim(value) != 0:
                continue
            if key.startswith("val_"):
                val = val or self._writer("validation")
                val.add_scalar(f"epoch_{key[4:]}", float(value), epoch)
            else:
                train.add_scalar(f"epoch_{key}", float(value), epoch)
        if "learning_rate" not in logs:
            lr = self._learning_rate()
            if lr is not None:
                train.add_scalar("epoch_learning_rate", lr, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for var in self.model.weights:
                train.add_histogram(str(var.path), np.asarray(var.data), epoch)
        for writer in self._writers.values():
            writer.flush()

    def _learning_rate(self) -> float | None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            return None
        lr = optimizer.learning_rate
        return float(np.asarray(getattr(lr, "data", lr)))

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
