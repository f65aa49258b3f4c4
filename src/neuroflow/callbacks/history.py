"""History: the per-epoch logs that `fit` returns."""

from __future__ import annotations

from neuroflow.callbacks.callback import Callback

__all__ = ["History"]


class History(Callback):
    """`history.history[name]` is the list of per-epoch values of each loss and metric."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, **kwargs):
        """Draw the learning curves (see neuroflow.utils.plot_history)."""
        from neuroflow.callbacks.plotting import plot_history

        return plot_history(self, **kwargs)
