"""LearningRateScheduler and ReduceLROnPlateau change the optimizer's rate."""

from __future__ import annotations

import pytest

from neuroflow.callbacks import LearningRateScheduler, ReduceLROnPlateau


def test_scheduler_sets_rate_each_epoch_and_logs_it(make_model, data):
    model = make_model(learning_rate=0.1)
    cb = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    history = model.fit(*data, epochs=3, verbose=0, callbacks=[cb])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_scheduler_accepts_one_argument_schedule(make_model, data):
    model = make_model()
    model.fit(*data, epochs=2, verbose=0,
              callbacks=[LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    assert float(model.optimizer.learning_rate.data) == pytest.approx(0.02)


def test_reduce_on_plateau_multiplies_rate_by_factor(make_model, data, scripted):
    model = make_model(learning_rate=0.1)
    cb = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1)
    model.fit(*data, epochs=3, verbose=0,
              callbacks=[scripted("val_loss", [1.0, 1.0, 1.0]), cb])
    assert float(model.optimizer.learning_rate.data) == pytest.approx(0.025)


def test_reduce_on_plateau_respects_min_lr_and_cooldown(make_model, data, scripted):
    model = make_model(learning_rate=0.1)
    cb = ReduceLROnPlateau(factor=0.1, patience=1, cooldown=2, min_lr=0.005)
    history = model.fit(*data, epochs=4, verbose=0,
                        callbacks=[scripted("val_loss", [1.0] * 4), cb])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.01, 0.01])
    assert float(model.optimizer.learning_rate.data) == pytest.approx(0.005)


def test_reduce_on_plateau_refuses_factor_of_one():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)
