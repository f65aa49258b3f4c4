"""Callbacks steer fit through the trainer's public state (stop_training, resume_epoch),
never through its private attributes."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import neuroflow as keras

CALLBACKS = Path(__file__).resolve().parents[2] / "src" / "neuroflow" / "callbacks"
X = np.linspace(-1, 1, 16, dtype="float32").reshape(8, 2)
Y = X.sum(axis=1, keepdims=True)


def _model() -> keras.Model:
    model = keras.Sequential([keras.Input(shape=[2]), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    return model


class _Resume(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch, self.seen = epoch, []

    def on_train_begin(self, logs=None):
        self.model.resume_epoch = self.epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.seen.append(epoch)


def test_a_model_starts_with_no_resume_epoch():
    assert _model().resume_epoch is None


def test_resume_epoch_set_in_on_train_begin_starts_the_fit_there():
    model, callback = _model(), _Resume(3)
    history = model.fit(X, Y, epochs=5, verbose=0, callbacks=[callback])
    assert callback.seen == [3, 4]
    assert history.epoch == [3, 4]


def test_fit_reads_resume_epoch_once():
    model = _model()
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[_Resume(2)])
    assert model.resume_epoch is None
    assert model.fit(X, Y, epochs=3, verbose=0).epoch == [0, 1, 2]


def test_backup_and_restore_resumes_through_resume_epoch(tmp_path):
    model = _model()
    backup = keras.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[backup])
    seen = []
    probe = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append(model.resume_epoch))
    history = model.fit(X, Y, epochs=4, verbose=0, callbacks=[backup, probe])
    assert seen == [2]
    assert history.epoch == [2, 3]


def _private_writes_to_the_model(path: Path) -> list[str]:
    """`self.model._x = ...` (or `model._x = ...`) assignments in a callback's source."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr.startswith("_"):
                owner = target.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if name == "model":
                    found.append(f"{path.name}:{node.lineno} {ast.unparse(target)}")
    return found


def test_no_callback_writes_a_private_attribute_of_the_model():
    writes = [w for path in sorted(CALLBACKS.glob("*.py"))
              for w in _private_writes_to_the_model(path)]
    assert not writes, f"callbacks writing the trainer's private state: {writes}"


def test_the_private_write_finder_sees_one(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("def f(self):\n    self.model._hidden = 1\n", encoding="utf-8")
    assert _private_writes_to_the_model(source) == ["probe.py:2 self.model._hidden"]
