"""`stop_training` ends a fit, never an evaluation; `stop_evaluating` ends an evaluation.

A fit that early-stops leaves `stop_training` True (Keras does too); the evaluation that
follows, and the validation pass of an epoch a callback stopped mid-way, must still see
every batch, on the replayed (fast) path and on the per-batch path alike.
"""

import numpy as np
import pytest

import neuroflow as keras


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1).astype(np.int64)
    return x, y


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _expected(model, x, y):
    """Loss and accuracy over all of (x, y), from predict."""
    p = model.predict(x, verbose=0)
    loss = float(np.mean(-np.log(p[np.arange(len(y)), y])))
    return loss, float(np.mean(p.argmax(1) == y))


class _TestBatches(keras.callbacks.Callback):
    def __init__(self, stop_at=None):
        super().__init__()
        self.seen, self.stop_at = [], stop_at

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(batch)
        if batch == self.stop_at:
            self.model.stop_evaluating = True


@pytest.mark.parametrize("hooked", [False, True], ids=["replayed", "per-batch"])
def test_evaluate_after_an_early_stopped_fit_sees_every_batch(hooked):
    x, y = _data()
    model = _model()
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0,
                                         restore_best_weights=True)
    model.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[stop])
    assert model.stop_training and stop.stopped_epoch == 1  # stopped early, flag left set
    callbacks = [_TestBatches()] if hooked else None
    loss, accuracy = model.evaluate(x, y, batch_size=32, verbose=0, callbacks=callbacks)
    expected_loss, expected_accuracy = _expected(model, x, y)
    assert accuracy == pytest.approx(expected_accuracy, abs=1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    if hooked:
        assert callbacks[0].seen == list(range(10))  # ceil(300 / 32) batches


def test_a_validation_pass_is_whole_when_a_callback_stops_the_fit_mid_epoch():
    x, y = _data()
    xv, yv = _data(100, seed=1)

    class StopAtFirstBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.stop_training = True

    model = _model()
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, validation_data=(xv, yv),
                        callbacks=[StopAtFirstBatch()])
    assert len(history.epoch) == 1
    expected_loss, expected_accuracy = _expected(model, xv, yv)
    assert history.history["val_accuracy"][0] == pytest.approx(expected_accuracy, abs=1e-6)
    assert history.history["val_loss"][0] == pytest.approx(expected_loss, rel=1e-5)


def test_stop_evaluating_ends_an_evaluation_after_that_batch():
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    first = _TestBatches(stop_at=2)
    model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[first])
    assert first.seen == [0, 1, 2]
    again = _TestBatches()  # the flag is reset when the next evaluation starts
    model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[again])
    assert again.seen == list(range(10))
