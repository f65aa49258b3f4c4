"""SwapEMAWeights (Keras 3): evaluate and predict with the optimizer's exponential
moving average of the weights (`use_ema=True`) while training goes on with the raw ones."""

from __future__ import annotations

import numpy as np

from neuroflow.callbacks.callback import Callback

__all__ = ["SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Swap the model's trainable weights with the optimizer's EMA averages for
    validation, `evaluate` and `predict`, and back afterwards. With `swap_on_epoch`,
    the averages are also in the model from the end of each epoch to the start of the
    next, so that callbacks listed after this one (ModelCheckpoint) see them."""

    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = bool(swap_on_epoch)
        self._ema_in_model = False

    def _pairs(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not optimizer.use_ema:
            raise ValueError("SwapEMAWeights: the model's optimizer must be created with "
                             f"use_ema=True, received {optimizer!r}")
        if not optimizer.built:
            return []
        # the optimizer keeps one average per variable it was built with, in that order
        return list(zip(optimizer._trainable_variables, optimizer._ema_averages, strict=True))

    def _swap(self) -> None:
        for variable, average in self._pairs():
            saved = np.array(variable.data)
            variable.data[...] = average.data
            average.data[...] = saved
        self._ema_in_model = not self._ema_in_model

    def on_train_begin(self, logs=None):
        self._pairs()  # refuse an optimizer without use_ema before any step

    def _to_ema(self) -> None:
        if not self._ema_in_model:
            self._swap()

    def _to_raw(self) -> None:
        if self._ema_in_model:
            self._swap()

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._to_raw()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._to_ema()

    def on_train_end(self, logs=None):
        self._to_raw()

    def on_test_begin(self, logs=None):
        self._to_ema()

    def on_test_end(self, logs=None):
        self._to_raw()

    def on_predict_begin(self, logs=None):
        self._to_ema()

    def on_predict_end(self, logs=None):
        self._to_raw()
