"""A tiny regression problem and model shared by the callback tests."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow import backend, layers, models


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")
    return x, y


@pytest.fixture
def make_model():
    def make(learning_rate: float = 0.05):
        from neuroflow import optimizers

        backend.set_seed(0)
        model = models.Sequential([layers.Dense(4, activation="tanh", input_shape=(3,)),
                                   layers.Dense(1)])
        model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="mse")
        return model

    return make


class ScriptedLogs:
    """Callback placed first that overwrites a log value with a scripted sequence."""

    def __init__(self, key, values):
        from neuroflow.callbacks import Callback

        class _Script(Callback):
            def on_epoch_end(cb_self, epoch, logs=None):
                logs[key] = values[epoch]

        self.callback = _Script()


@pytest.fixture
def scripted():
    return lambda key, values: ScriptedLogs(key, values).callback
