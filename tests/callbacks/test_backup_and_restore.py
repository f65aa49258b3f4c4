"""BackupAndRestore: a run killed with SIGKILL and started again ends like an unbroken run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from neuroflow.callbacks import BackupAndRestore

SRC = str(Path(__file__).resolve().parents[2] / "src")

# The same training call every time; KILL_AT="epoch,batch" kills the process (SIGKILL)
# in the middle of that batch; BACKUP=dir adds BackupAndRestore.
SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from neuroflow import backend, layers, models, optimizers
    from neuroflow.callbacks import BackupAndRestore, Callback

    class Killer(Callback):
        def __init__(self, epoch, batch):
            super().__init__()
            self.epoch, self.batch, self.current = epoch, batch, -1
        def on_epoch_begin(self, epoch, logs=None):
            self.current = epoch
        def on_train_batch_end(self, batch, logs=None):
            if (self.current, batch) == (self.epoch, self.batch):
                os.kill(os.getpid(), signal.SIGKILL)

    backend.set_seed(7)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = rng.integers(0, 2, size=40)
    model = models.Sequential([layers.Dense(6, activation="relu", input_shape=(3,)),
                               layers.Dropout(0.3), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    callbacks = []
    if os.environ.get("BACKUP"):
        callbacks.append(BackupAndRestore(os.environ["BACKUP"]))
    if os.environ.get("KILL_AT"):
        callbacks.append(Killer(*map(int, os.environ["KILL_AT"].split(","))))
    model.fit(x, y, epochs=5, batch_size=8, shuffle=True, verbose=0, callbacks=callbacks)
    np.savez(sys.argv[1], *model.get_weights())
""")


def _run(tmp_path, out: str, **env) -> int:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    full_env = {**os.environ, "PYTHONPATH": SRC, **env}
    return subprocess.run([sys.executable, str(script), str(tmp_path / out)], env=full_env,
                          timeout=120).returncode


def _weights(path) -> list[np.ndarray]:
    with np.load(path) as f:
        return [f[k] for k in sorted(f.files, key=lambda k: int(k.split("_")[1]))]


@pytest.mark.slow
def test_run_killed_by_sigkill_resumes_to_the_uninterrupted_weights(tmp_path):
    backup = str(tmp_path / "backup")
    assert _run(tmp_path, "plain.npz") == 0
    assert _run(tmp_path, "never.npz", BACKUP=backup, KILL_AT="2,3") == -9
    assert os.path.exists(os.path.join(backup, "backup.weights.h5"))
    assert _run(tmp_path, "resumed.npz", BACKUP=backup) == 0
    for a, b in zip(_weights(tmp_path / "resumed.npz"), _weights(tmp_path / "plain.npz"),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    assert not os.path.exists(os.path.join(backup, "backup.weights.h5"))


def test_fit_skips_epochs_already_backed_up(tmp_path, make_model, data):
    backup = tmp_path / "b"
    model = make_model()
    cb = BackupAndRestore(backup, delete_checkpoint=False)
    model.fit(*data, epochs=2, verbose=0, callbacks=[cb])
    history = make_model().fit(*data, epochs=3, verbose=0,
                               callbacks=[BackupAndRestore(backup)])
    assert history.epoch == [2]


def test_backup_is_deleted_when_training_ends(tmp_path, make_model, data):
    model = make_model()
    model.fit(*data, epochs=1, verbose=0, callbacks=[BackupAndRestore(tmp_path / "b")])
    assert os.listdir(tmp_path / "b") == []


def test_batch_save_freq_is_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match="save_freq='epoch'"):
        BackupAndRestore(tmp_path, save_freq=10)
