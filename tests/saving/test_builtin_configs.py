"""Every built-in class that can be made with its defaults survives get_config/from_config."""

from __future__ import annotations

import inspect
import json

import pytest

from neuroflow.backend._registry import builtin_class, builtin_families
from neuroflow.saving import deserialize_object, serialize_object

_SKIP = {"Layer", "Model", "Sequential", "Functional", "InputLayer", "Loss", "Metric",
         "Optimizer", "LearningRateSchedule", "Initializer", "Regularizer", "Constraint",
         "RandomInitializer", "LossFunctionWrapper", "MeanMetricWrapper", "Reduce"}


def _default_constructible():
    found = {}
    for _, _, exports in builtin_families():
        for name, obj in exports:
            if name in _SKIP or not inspect.isclass(obj) or builtin_class(name) is not obj:
                continue
            try:
                found[name] = obj()
            except (TypeError, ValueError):  # required arguments (Keras raises either)
                continue
    return found


OBJECTS = _default_constructible()


def test_many_builtins_are_checked():
    assert len(OBJECTS) > 40


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_builtin_round_trips_through_json_config(name):
    obj = OBJECTS[name]
    config = json.loads(json.dumps(serialize_object(obj)))
    copy = deserialize_object(config)
    assert type(copy) is type(obj)
    assert serialize_object(copy) == serialize_object(obj)


def test_a_class_name_shared_by_two_families_resolves_to_the_family_in_its_config():
    import neuroflow as keras

    initializer = deserialize_object(serialize_object(keras.initializers.Identity(gain=2.0)))
    layer = deserialize_object(serialize_object(keras.layers.Identity()))
    assert type(initializer) is keras.initializers.Identity and initializer.gain == 2.0
    assert type(layer) is keras.layers.Identity
