"""BackupAndRestore: resume a killed training run exactly where its last backup left it."""

from __future__ import annotations

import os

from neuroflow.backend import global_rng
from neuroflow.callbacks.callback import Callback
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.h5_format import read_h5, write_h5
from neuroflow.saving.weights_tree import (
    assign_optimizer,
    assign_tree,
    model_tree,
    optimizer_arrays,
)

__all__ = ["BackupAndRestore"]

_FILE = "backup.weights.h5"


class BackupAndRestore(Callback):
    """Back up the training state at the end of every epoch; restore it when fit starts.

    The backup (one file, written atomically) holds the weights, the optimizer's
    variables, the epoch and the state of neuroflow's random generator (so shuffling
    goes on as it would have). Running the same `fit` call again after a crash resumes
    after the last backed-up epoch and ends with the weights of an uninterrupted run.

    Args:
        backup_dir: the folder for the backup file.
        save_freq: 'epoch' (the only frequency supported: resuming mid-epoch would need
            the position inside the shuffled epoch).
        delete_checkpoint: delete the backup when training ends normally.
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str = "epoch",
                 delete_checkpoint: bool = True, double_checkpoint: bool = False):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir is required, received "
                             f"{backup_dir!r}")
        if save_freq != "epoch":
            raise ValueError("BackupAndRestore: only save_freq='epoch' is supported, "
                             f"received {save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.double_checkpoint = bool(double_checkpoint)
        self._path = os.path.join(self.backup_dir, _FILE)

    def on_train_begin(self, logs=None):
        if not os.path.exists(self._path):
            return
        content = read_h5(self._path, extra_keys=("backup_epoch", "rng_state"))
        epoch = content.get("backup_epoch")
        if not isinstance(epoch, int) or epoch < 0:
            raise FileFormatError(f"file {self._path!r} is not a BackupAndRestore backup "
                                  "(it has no epoch)")
        source = f"backup {self._path!r}"
        assign_tree(self.model, content["tree"], source)
        optimizer = getattr(self.model, "optimizer", None)
        if content["optimizer"] is not None and optimizer is not None:
            assign_optimizer(optimizer, self.model, content["optimizer"], source)
        self._restore_rng(content.get("rng_state"), source)
        self.model.resume_epoch = epoch + 1  # the fit now starting goes on after it

    @staticmethod
    def _restore_rng(state, source: str) -> None:
        if state is None:
            return
        bit_generator = global_rng().bit_generator
        kind = type(bit_generator).__name__
        if not isinstance(state, dict) or state.get("bit_generator") != kind:
            raise FileFormatError(f"{source}: the saved random generator state does not fit "
                                  f"neuroflow's {type(bit_generator).__name__} generator")
        try:
            bit_generator.state = state
        except (TypeError, ValueError, KeyError) as err:
            raise FileFormatError(f"{source}: invalid random generator state ({err})") from err

    def on_epoch_end(self, epoch, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        arrays = optimizer_arrays(optimizer) if optimizer is not None else None
        extra = {"backup_epoch": int(epoch), "rng_state": global_rng().bit_generator.state}
        write_h5(self._path, model_tree(self.model), optimizer=optimizer,
                 optimizer_arrays=arrays, extra=extra)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self._path):
            os.remove(self._path)
