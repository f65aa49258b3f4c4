"""Keras 3's top-level names that Keras 3 code uses for dense networks: the base classes
(`class MyLayer(keras.Layer)`, `keras.Loss`, `keras.Metric`, ...), `keras.InputSpec`,
`keras.KerasTensor`, and `keras.config`'s settings."""

import warnings

import numpy as np
import pytest

import neuroflow as keras

BASES = {
    "Layer": keras.layers.Layer, "Loss": keras.losses.Loss, "Metric": keras.metrics.Metric,
    "Optimizer": keras.optimizers.Optimizer, "Initializer": keras.initializers.Initializer,
    "Regularizer": keras.regularizers.Regularizer, "InputSpec": keras.layers.InputSpec,
}


@pytest.mark.parametrize("name", sorted(BASES))
def test_top_level_name_is_the_family_class(name):
    assert getattr(keras, name) is BASES[name]
    assert name in keras.__all__


def test_keras_tensor_is_what_input_returns():
    assert isinstance(keras.Input(shape=(3,)), keras.KerasTensor)


def test_a_layer_subclassing_keras_layer_trains_and_saves(tmp_path):
    @keras.saving.register_keras_serializable(package="top_level")
    class Scale(keras.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

    model = keras.Sequential([keras.Input(shape=(3,)), Scale(3.0), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].factor == 3.0


def test_config_float_type_and_epsilon_are_the_backend_settings():
    assert keras.config.floatx() == keras.backend.floatx() == "float32"
    keras.config.set_floatx("float64")
    try:
        assert keras.backend.floatx() == "float64"
        assert keras.layers.Dense(2)(np.ones((1, 3))).dtype == np.float64
    finally:
        keras.config.set_floatx("float32")
    previous = keras.config.epsilon()
    keras.config.set_epsilon(1e-5)
    try:
        assert keras.backend.epsilon() == 1e-5
    finally:
        keras.config.set_epsilon(previous)
    with pytest.raises(ValueError, match="floatx: expected one of"):
        keras.config.set_floatx("int8")


def test_config_interactive_logging_switches_the_progress_bar_to_logging():
    assert keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        assert not keras.utils.is_interactive_logging_enabled()
    finally:
        keras.config.enable_interactive_logging()
    assert keras.utils.is_interactive_logging_enabled()


def test_config_backend_names_the_engine():
    assert keras.config.backend() == "neuroflow"


def test_enable_unsafe_deserialization_says_it_enables_nothing():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.config.enable_unsafe_deserialization()
    assert any("custom_objects" in str(w.message) for w in caught)
