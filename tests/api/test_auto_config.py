"""Subclassed layers and models save like Keras 3: their plain constructor arguments are
their config, so no hand-written get_config is needed."""

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers


class Scale(layers.Layer):
    def __init__(self, factor, offsets=(0.0, 1.0), mode="mul", **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.offsets = offsets
        self.mode = mode

    def call(self, inputs):
        return inputs * self.factor + self.offsets[0]


class Tower(keras.Model):
    def __init__(self, units=4, widths=None, options=None, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(w, activation="relu") for w in (widths or [units])]
        self.scale = Scale(2.0)
        self.head = layers.Dense(1)

    def call(self, inputs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(self.scale(x))


class NoKwargs(keras.Model):
    def __init__(self, units):
        super().__init__()
        self.dense = layers.Dense(units)

    def call(self, inputs):
        return self.dense(inputs)


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1))


def test_layer_config_is_its_arguments_with_defaults():
    config = Scale(3, mode="add", name="s").get_config()
    assert config == {"factor": 3, "offsets": (0.0, 1.0), "mode": "add", "name": "s",
                      "trainable": True, "dtype": "float32"}


def test_positional_arguments_are_named_in_the_config():
    assert Scale(1.5, [2.0, 3.0]).get_config()["offsets"] == [2.0, 3.0]


def test_layer_rebuilds_from_its_automatic_config():
    layer = Scale(3, offsets=[1.0, 2.0], name="s", trainable=False)
    clone = Scale.from_config(layer.get_config())
    assert (clone.factor, clone.offsets, clone.name, clone.trainable) == (3, [1.0, 2.0], "s",
                                                                         False)


def test_config_is_a_copy_of_the_arguments():
    offsets = [1.0, 2.0]
    layer = Scale(1, offsets=offsets)
    offsets.append(3.0)
    assert layer.get_config()["offsets"] == [1.0, 2.0]


@pytest.mark.parametrize("value", [np.float32(1.0), np.zeros(2), layers.Dense(1), print,
                                   {"a": object()}, [1, {2}]])
def test_non_plain_arguments_get_keras_error(value):
    with pytest.raises(NotImplementedError, match="non-serializable argument values"):
        Scale(value).get_config()


def test_variadic_positional_arguments_get_keras_error():
    class Many(layers.Layer):
        def __init__(self, *sizes, **kwargs):
            super().__init__(**kwargs)

    assert Many().get_config()["name"]
    with pytest.raises(NotImplementedError, match="positional only or variadic"):
        Many(1, 2).get_config()


def test_hand_written_get_config_wins():
    class Own(Scale):
        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    assert Own(5, mode="add", name="own").get_config() == {
        "name": "own", "trainable": True, "dtype": "float32", "factor": 5}


def test_subclassed_model_saves_and_loads_without_get_config(tmp_path):
    x, y = _data()
    model = Tower(units=5, widths=[6, 4], options={"note": "x", "k": [1, 2]}, name="tower")
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras",
                                     custom_objects={"Tower": Tower, "Scale": Scale})
    assert isinstance(loaded, Tower) and loaded.name == "tower"
    assert loaded.get_config() == model.get_config()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    loaded.fit(x, y, epochs=1, verbose=0)  # the optimizer state came back too


def test_subclassed_model_saves_to_h5(tmp_path):
    x, _ = _data()
    model = Tower(units=3)
    model.build((None, 3))
    model.save(tmp_path / "m.h5")
    loaded = keras.models.load_model(tmp_path / "m.h5", custom_objects={"Tower": Tower,
                                                                        "Scale": Scale})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_model_without_name_parameter_drops_name_from_config(tmp_path):
    x, _ = _data()
    model = NoKwargs(2)
    assert model.get_config() == {"units": 2}
    model.build((None, 3))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"NoKwargs": NoKwargs})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_custom_layer_in_functional_model_round_trips(tmp_path):
    x, _ = _data()
    inputs = keras.Input(shape=(3,))
    outputs = layers.Dense(1)(Scale(0.5, mode="add", name="half")(inputs))
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Scale": Scale})
    assert loaded.get_layer("half").mode == "add"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_with_non_plain_arguments_cannot_save(tmp_path):
    model = Tower(options={"layer": layers.Dense(1)})
    model.build((None, 3))
    with pytest.raises(NotImplementedError, match="Please implement `get_config\\(\\)`"):
        model.save(tmp_path / "m.keras")


def test_from_config_with_missing_arguments_says_how_to_fix():
    class Needs(keras.Model):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)

        def get_config(self):
            return {"name": self.name}

    with pytest.raises(TypeError, match="Unable to revive model from config"):
        Needs.from_config(Needs(3).get_config())
