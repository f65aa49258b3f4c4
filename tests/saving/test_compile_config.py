"""Keras 3's get_compile_config / compile_from_config: what saving stores of compile()."""

import numpy as np
import pytest

import neuroflow as keras


def _model():
    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])


def test_an_uncompiled_model_has_no_compile_config():
    assert _model().get_compile_config() is None


def test_compile_config_round_trips_into_an_equal_compile():
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="mse",
                  metrics=["mae"], loss_weights=2.0)
    config = model.get_compile_config()
    other = _model()
    other.compile_from_config(config)
    assert isinstance(other.optimizer, keras.optimizers.Adam)
    assert float(other.optimizer.learning_rate) == pytest.approx(0.02)
    x, y = np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32)
    other.set_weights(model.get_weights())
    assert other.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_compile_from_config_refuses_what_is_not_a_config():
    with pytest.raises(ValueError, match="compile_from_config: expected the dict"):
        _model().compile_from_config(["mse"])
