"""Every public name of Keras 3 (layers, activations, ..., utils) exists in neuroflow with
Keras' signature, or is listed with the reason it is left out (data/not_applicable.json).
In its "parameters" section, `_kind` and `_positional_order` excuse a function standing
for a class (or the reverse) and another order of the positional parameters.

The Keras names come from data/keras_names.json, written by data/make_keras_names.py."""

import importlib

import pytest
from tests.api.keras_api import exceptions, keras_names, name_problems

NAMES = keras_names()
EXCEPTIONS = exceptions()
CASES = [(m, n) for m, names in NAMES["modules"].items() for n in names]


def test_names_come_from_keras_3():
    assert NAMES["keras_version"].startswith("3.")
    assert len(CASES) > 400


@pytest.mark.parametrize("module, name", CASES, ids=[f"{m}.{n}" for m, n in CASES])
def test_keras_name_is_in_neuroflow_or_listed(module, name):
    entry = NAMES["modules"][module][name]
    if name in EXCEPTIONS["not_applicable"].get(module, {}):
        return
    if name in EXCEPTIONS["pending"].get(module, {}):
        mod = importlib.import_module(f"neuroflow.{module}")
        assert not hasattr(mod, name), (f"neuroflow.{module}.{name} exists now: move it out "
                                        "of 'pending' in data/not_applicable.json")
        return
    skip = EXCEPTIONS["parameters"].get(f"{module}.{name}", {})
    assert name_problems(module, name, entry, skip) == []


@pytest.mark.parametrize("section", ["not_applicable", "pending"])
def test_every_listed_name_is_a_keras_name_with_a_reason(section):
    for module, names in EXCEPTIONS[section].items():
        for name, reason in names.items():
            assert name in NAMES["modules"][module], f"{module}.{name} is not a Keras name"
            assert isinstance(reason, str) and len(reason) > 10


def test_every_left_out_parameter_is_a_keras_parameter_with_a_reason():
    for key, params in EXCEPTIONS["parameters"].items():
        module, name = key.rsplit(".", 1)
        keras_params = {p[0] for p in NAMES["modules"][module][name]["params"]}
        for param, reason in params.items():
            assert param.startswith("_") or param in keras_params, \
                f"{key} has no parameter {param!r} in Keras"
            assert isinstance(reason, str) and len(reason) > 5
