"""TerminateOnNaN: stop training as soon as the loss is NaN or infinite."""

from __future__ import annotations

import math
import sys

from neuroflow.callbacks.callback import Callback

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Set `model.stop_training` when a batch's loss is NaN or inf, or with
    `raise_error=True` raise a RuntimeError there (Keras 3), so that a failed run cannot
    pass for a finished one."""

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = bool(raise_error)

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            if self.raise_error:
                raise RuntimeError(f"TerminateOnNaN: NaN or Inf loss at batch {batch} (loss "
                                   f"{loss}); training stopped")
            sys.stdout.write(f"Batch {batch}: invalid loss {loss}, terminating training\n")
            self.model.stop_training = True
