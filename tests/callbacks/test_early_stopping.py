"""EarlyStopping: patience, min_delta, baseline, start_from_epoch, restore_best_weights."""

from __future__ import annotations

import numpy as np

from neuroflow.callbacks import Callback, EarlyStopping


def _fit(model, data, script, epochs, **kwargs):
    es = EarlyStopping(monitor="val_loss", **kwargs)
    history = model.fit(*data, epochs=epochs, verbose=0, callbacks=[script, es])
    return es, len(history.epoch)


def test_stops_after_patience_epochs_without_improvement(make_model, data, scripted):
    es, ran = _fit(make_model(), data, scripted("val_loss", [3, 2, 2.5, 2.4, 2.3, 1]), 6,
                   patience=2)
    assert ran == 4
    assert es.stopped_epoch == 3


def test_improvement_smaller_than_min_delta_does_not_count(make_model, data, scripted):
    _, ran = _fit(make_model(), data, scripted("val_loss", [3, 2.95, 2.9, 2.85, 1]), 5,
                  patience=1, min_delta=0.1)
    assert ran == 2


def test_baseline_must_be_beaten(make_model, data, scripted):
    _, ran = _fit(make_model(), data, scripted("val_loss", [3, 2.5, 2.2, 2.1]), 4,
                  patience=2, baseline=2.0)
    assert ran == 2


def test_start_from_epoch_ignores_warm_up(make_model, data, scripted):
    _, ran = _fit(make_model(), data, scripted("val_loss", [1, 5, 6, 7, 8, 9]), 6,
                  patience=1, start_from_epoch=2)
    assert ran == 4


def test_max_mode_is_chosen_for_accuracy(make_model, data, scripted):
    script = scripted("val_accuracy", [0.5, 0.6, 0.7, 0.8])
    es = EarlyStopping(monitor="val_accuracy", patience=1)
    history = make_model().fit(*data, epochs=4, verbose=0, callbacks=[script, es])
    assert len(history.epoch) == 4


class _Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def test_restore_best_weights_when_patience_runs_out(make_model, data, scripted):
    model, recorder = make_model(), _Recorder()
    es = EarlyStopping(patience=2, restore_best_weights=True)
    model.fit(*data, epochs=10, verbose=0,
              callbacks=[scripted("val_loss", [3, 1, 2, 2, 2, 2, 2, 2, 2, 2]), recorder, es])
    for a, b in zip(model.get_weights(), recorder.weights[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_restore_best_weights_even_when_patience_never_runs_out(make_model, data, scripted):
    model, recorder = make_model(), _Recorder()
    es = EarlyStopping(patience=5, restore_best_weights=True)
    model.fit(*data, epochs=4, verbose=0,
              callbacks=[scripted("val_loss", [3, 1, 2, 2.5]), recorder, es])
    assert es.stopped_epoch == 0
    for a, b in zip(model.get_weights(), recorder.weights[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_missing_monitor_warns_and_keeps_training(make_model, data):
    import pytest

    with pytest.warns(RuntimeWarning, match="val_loss"):
        history = make_model().fit(*data, epochs=2, verbose=0,
                                   callbacks=[EarlyStopping(patience=0)])
    assert len(history.epoch) == 2
