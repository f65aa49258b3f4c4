"""Configs: the registry, custom objects, JSON, and get_config/from_config of built-ins."""

from __future__ import annotations

import json

import numpy as np
import pytest

from neuroflow import (
    backend,
    initializers,
    layers,
    losses,
    models,
    optimizers,
    regularizers,
    saving,
)
from neuroflow.saving import deserialize_object, serialize_object


def test_to_json_and_model_from_json_give_same_architecture(trained):
    rebuilt = models.model_from_json(trained.to_json())
    assert [type(la).__name__ for la in rebuilt.layers] == ["Dense", "Dense"]
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in trained.get_weights()]


def test_json_names_classes_not_module_paths(trained):
    text = trained.to_json()
    assert "neuroflow.layers.core" not in text
    assert json.loads(text)["config"]["layers"][0]["class_name"] == "Dense"


@pytest.mark.parametrize("obj", [
    layers.Dense(3, activation="tanh", kernel_regularizer=regularizers.L2(0.1)),
    losses.Huber(delta=2.0),
    optimizers.Adam(learning_rate=0.005, beta_1=0.8),
    optimizers.schedules.PiecewiseConstantDecay([10], [0.1, 0.01]),
    initializers.HeNormal(seed=3),
    regularizers.L1L2(l1=0.1, l2=0.2),
], ids=lambda o: type(o).__name__)
def test_builtin_objects_round_trip_through_config(obj):
    copy = deserialize_object(json.loads(json.dumps(serialize_object(obj))))
    assert type(copy) is type(obj)
    assert serialize_object(copy) == serialize_object(obj)


def test_metric_round_trips_through_config():
    from neuroflow import metrics

    metric = metrics.SparseCategoricalAccuracy(name="acc")
    copy = deserialize_object(serialize_object(metric))
    assert type(copy) is metrics.SparseCategoricalAccuracy
    assert copy.name == "acc"


def test_builtin_loss_function_serializes_by_name():
    config = serialize_object(losses.mean_squared_error)
    assert config == {"class_name": "function", "config": "mean_squared_error",
                      "registered_name": None}
    assert deserialize_object(config) is losses.mean_squared_error


class Scale(layers.Layer):
    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _model_with(layer):
    backend.set_seed(0)
    return models.Sequential([layers.Dense(2, input_shape=(3,)), layer])


def test_custom_layer_loads_with_custom_objects(tmp_path):
    model = _model_with(Scale(3.0))
    model.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras", custom_objects={"Scale": Scale})
    assert loaded.layers[1].factor == 3.0


def test_custom_layer_without_registration_is_refused(tmp_path):
    _model_with(Scale(3.0)).save(tmp_path / "m.keras")
    with pytest.raises(saving.UnsafeConfigError, match="'Scale'.*register"):
        models.load_model(tmp_path / "m.keras")


def test_registered_layer_loads_without_custom_objects(tmp_path):
    @saving.register_serializable(package="tests")
    class Shift(Scale):
        pass

    _model_with(Shift(1.5)).save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras")
    assert type(loaded.layers[1]) is Shift
    assert saving.get_registered_name(Shift) == "tests>Shift"


def test_keras_spelling_of_register_is_the_same_function():
    assert saving.register_keras_serializable is saving.register_serializable


def test_registered_activation_function_resolves_by_name(tmp_path):
    @saving.register_serializable(package="tests")
    def doubled(x):
        return x * 2.0

    backend.set_seed(0)
    model = models.Sequential([layers.Dense(2, activation=doubled, input_shape=(3,))])
    model.save(tmp_path / "m.keras")
    assert models.load_model(tmp_path / "m.keras").layers[0].activation is doubled


def test_register_refuses_class_without_get_config():
    with pytest.raises(ValueError, match="get_config"):
        saving.register_serializable()(type("NoConfig", (), {}))


def test_subclassed_model_with_non_plain_arguments_asks_for_get_config(tmp_path):
    class Net(models.Model):
        def __init__(self, inner):
            super().__init__()
            self.dense = inner

        def call(self, inputs):
            return self.dense(inputs)

    net = Net(layers.Dense(2))
    net.build((None, 3))
    with pytest.raises(NotImplementedError, match="non-serializable argument values"):
        net.save(tmp_path / "m.keras")


def test_subclassed_model_with_get_config_round_trips(tmp_path):
    @saving.register_serializable(package="tests")
    class Wide(models.Model):
        def __init__(self, units: int = 3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = layers.Dense(units)

        def call(self, inputs):
            return self.dense(inputs)

        def get_config(self):
            return {"units": self.units, "name": self.name}

    backend.set_seed(0)
    net = Wide(4)
    net.build((None, 3))
    net.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras")
    x = np.ones((2, 3), dtype="float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), net.predict(x, verbose=0))
