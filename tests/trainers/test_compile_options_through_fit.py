"""Compile and optimizer options that change the training loss, checked through `fit`."""

import numpy as np
import pytest

import neuroflow as keras


def _data(n=16, features=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype("float32")
    y = (x @ rng.standard_normal((features, 1))).astype("float32")
    return x, y


def _model(seed=1, regularized_first=None, frozen_first=False):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((3,)),
        keras.layers.Dense(4, activation="relu", kernel_regularizer=regularized_first),
        keras.layers.Dense(1),
    ])
    model.layers[0].trainable = not frozen_first
    return model


def _fit_one_batch(model, optimizer, x, y, **compile_kwargs):
    model.compile(optimizer=optimizer, loss="mse", **compile_kwargs)
    history = model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    return history.history["loss"][0], model.get_weights()


def test_loss_weights_scale_the_reported_loss_and_the_step():
    x, y = _data()
    plain_loss, plain_w = _fit_one_batch(_model(), keras.optimizers.SGD(0.03), x, y)
    loss, weights = _fit_one_batch(_model(), keras.optimizers.SGD(0.01), x, y, loss_weights=3.0)
    assert loss == pytest.approx(3 * plain_loss, rel=1e-6)
    for a, b in zip(weights, plain_w, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_loss_scale_factor_leaves_the_step_unchanged():
    x, y = _data()
    plain_loss, plain_w = _fit_one_batch(_model(), keras.optimizers.SGD(0.1), x, y)
    loss, weights = _fit_one_batch(
        _model(), keras.optimizers.SGD(0.1, loss_scale_factor=128.0), x, y
    )
    assert loss == pytest.approx(plain_loss, rel=1e-6)  # logs report the unscaled loss
    for a, b in zip(weights, plain_w, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


class _WeightsPerStep(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(self.model.get_weights())


def test_use_ema_leaves_the_moving_averages_in_the_weights_after_fit():
    x, y = _data(n=32)
    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9),
                  loss="mse")
    record = _WeightsPerStep()
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[record])
    average = None
    for step in record.seen:  # the first update takes the weights as they are
        average = step if average is None else [0.9 * a + 0.1 * w
                                                for a, w in zip(average, step, strict=True)]
    assert len(record.seen) == 8
    for a, b in zip(model.get_weights(), average, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(model.get_weights()[0], record.seen[-1][0])


def test_a_frozen_layer_has_no_regularization_loss_as_in_keras():
    x, y = _data()
    l2 = keras.regularizers.L2(10.0)
    frozen = _model(regularized_first=l2, frozen_first=True)
    assert frozen.losses == []
    loss, _ = _fit_one_batch(frozen, keras.optimizers.SGD(0.0), x, y)
    expected = float(np.mean((frozen.predict(x, verbose=0) - y) ** 2))
    assert loss == pytest.approx(expected, rel=1e-5)


def test_a_trainable_layer_adds_its_regularization_loss_to_fit():
    x, y = _data()
    model = _model(regularized_first=keras.regularizers.L2(10.0))
    kernel = model.layers[0].kernel.numpy().copy()
    assert len(model.losses) == 1
    loss, _ = _fit_one_batch(model, keras.optimizers.SGD(0.0), x, y)
    expected = float(np.mean((model.predict(x, verbose=0) - y) ** 2)) + 10.0 * float(
        np.sum(kernel**2))
    assert loss == pytest.approx(expected, rel=1e-5)
