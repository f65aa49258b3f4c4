"""ModelCheckpoint: names from logs, best-only, weights-only, batch frequency."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow import models
from neuroflow.callbacks import ModelCheckpoint


def test_saves_every_epoch_with_formatted_names(tmp_path, make_model, data):
    cb = ModelCheckpoint(str(tmp_path / "m_{epoch:02d}_{loss:.2f}.keras"), monitor="loss")
    history = make_model().fit(*data, epochs=2, verbose=0, callbacks=[cb])
    losses = history.history["loss"]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"m_01_{losses[0]:.2f}.keras", f"m_02_{losses[1]:.2f}.keras"]


def test_save_best_only_keeps_the_best_epoch(tmp_path, make_model, data, scripted):
    path = tmp_path / "best.keras"
    model = make_model()
    saved_weights = {}

    class Spy(ModelCheckpoint):
        def _save(self, epoch, batch, logs):
            before = self.best
            super()._save(epoch, batch, logs)
            if self.best != before:
                saved_weights["epoch"] = epoch
                saved_weights["weights"] = self.model.get_weights()

    script = scripted("val_loss", [3.0, 1.0, 2.0, 1.5])
    cb = Spy(str(path), monitor="val_loss", save_best_only=True)
    model.fit(*data, epochs=4, verbose=0, validation_data=data, callbacks=[script, cb])
    assert saved_weights["epoch"] == 1
    loaded = models.load_model(path)
    for a, b in zip(loaded.get_weights(), saved_weights["weights"], strict=True):
        np.testing.assert_array_equal(a, b)


def test_save_best_only_in_max_mode_follows_accuracy(tmp_path, make_model, data, scripted):
    script = scripted("val_accuracy", [0.5, 0.4, 0.9])
    cb = ModelCheckpoint(str(tmp_path / "m_{epoch}.keras"), monitor="val_accuracy",
                         save_best_only=True)
    make_model().fit(*data, epochs=3, verbose=0, callbacks=[script, cb])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m_1.keras", "m_3.keras"]


def test_save_weights_only_writes_weights_file(tmp_path, make_model, data):
    path = tmp_path / "w.weights.h5"
    model = make_model()
    model.fit(*data, epochs=1, verbose=0,
              callbacks=[ModelCheckpoint(str(path), save_weights_only=True)])
    fresh = make_model()
    fresh.load_weights(path)
    for a, b in zip(fresh.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_integer_save_freq_saves_every_n_batches(tmp_path, make_model, data):
    cb = ModelCheckpoint(str(tmp_path / "m_{epoch}_{batch}.keras"), save_freq=3)
    make_model().fit(*data, epochs=2, batch_size=8, verbose=0, callbacks=[cb])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m_1_2.keras", "m_2_1.keras"]


def test_tf_keras_h5_name_saves_whole_model(tmp_path, make_model, data):
    make_model().fit(*data, epochs=1, verbose=0,
                     callbacks=[ModelCheckpoint(str(tmp_path / "x.h5"))])
    assert models.load_model(tmp_path / "x.h5").compiled


def test_tf_keras_checkpoint_name_without_extension(tmp_path, make_model, data):
    model = make_model()
    model.fit(*data, epochs=1, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "my_checkpoints"),
                                         save_weights_only=True)])
    fresh = make_model()
    fresh.load_weights(tmp_path / "my_checkpoints")
    for a, b in zip(fresh.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_period_saves_every_n_epochs(tmp_path, make_model, data):
    cb = ModelCheckpoint(str(tmp_path / "m_{epoch}.keras"), period=2)
    make_model().fit(*data, epochs=4, verbose=0, callbacks=[cb])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m_2.keras", "m_4.keras"]


def test_missing_log_name_in_filepath_is_explained(tmp_path, make_model, data):
    cb = ModelCheckpoint(str(tmp_path / "m_{val_loss:.2f}.keras"))
    with pytest.raises(KeyError, match="val_loss"):
        make_model().fit(*data, epochs=1, verbose=0, callbacks=[cb])


def test_weights_only_with_keras_extension_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_weights_only=True)
