"""Keras 3 parameters that used to be listed as left out (data/not_applicable.json)."""

import numpy as np
import pytest

import neuroflow as keras


def _diverging_model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="mse")
    return model


def test_terminate_on_nan_raise_error_raises_instead_of_stopping():
    x = np.full((8, 2), 1e10, "float32")
    y = np.ones((8, 1), "float32")
    with pytest.raises(RuntimeError, match="NaN or Inf loss at batch"):
        _diverging_model().fit(x, y, batch_size=2, epochs=3, verbose=0,
                               callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])
    history = _diverging_model().fit(x, y, batch_size=2, epochs=3, verbose=0,
                                     callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1
