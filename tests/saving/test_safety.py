"""Loading never runs code from a file: crafted configs are refused, in both formats."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

from neuroflow import backend, layers, models
from neuroflow.saving import UnsafeConfigError


def double(x):
    return x * 2.0


def _rewrite_archive(path, edit) -> None:
    """Apply `edit(config_dict)` to the config.json of a .keras archive."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    edit(config)
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)


def _rewrite_h5(path, edit) -> None:
    import h5py

    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        edit(config)
        f.attrs["model_config"] = json.dumps(config)


def _saved(tmp_path, name="m.keras", with_lambda=False):
    backend.set_seed(0)
    stack = [layers.Dense(2, input_shape=(3,))]
    if with_lambda:
        stack.append(layers.Lambda(double))
    path = tmp_path / name
    models.Sequential(stack).save(path)
    return path


def _rewrite(path, edit):
    (_rewrite_h5 if str(path).endswith(".h5") else _rewrite_archive)(path, edit)


def _first_layer(config):
    return config["config"]["layers"][0]


FORMATS = ["m.keras", "m.h5"]


@pytest.mark.parametrize("name", FORMATS)
def test_lambda_layer_is_refused_in_safe_mode(tmp_path, name):
    path = _saved(tmp_path, name, with_lambda=True)
    with pytest.raises(UnsafeConfigError, match="Lambda.*safe_mode=False"):
        models.load_model(path)


@pytest.mark.parametrize("name", FORMATS)
def test_lambda_layer_loads_outside_safe_mode_with_its_function_given(tmp_path, name):
    path = _saved(tmp_path, name, with_lambda=True)
    model = models.load_model(path, safe_mode=False, custom_objects={"double": double})
    assert model.layers[1].function is double


def test_lambda_function_is_never_imported_from_the_file(tmp_path):
    path = _saved(tmp_path, with_lambda=True)
    with pytest.raises(UnsafeConfigError, match="'double'"):
        models.load_model(path, safe_mode=False)


def test_lambda_bytecode_is_refused_even_outside_safe_mode(tmp_path):
    import base64
    import marshal

    marker = str(tmp_path / "pwned")
    path = _saved(tmp_path, with_lambda=True)
    payload = compile(f"open({marker!r}, 'w').close()", "<crafted>", "exec")

    def edit(config):
        lam = config["config"]["layers"][-1]["config"]
        lam["function"] = {"class_name": "__lambda__",
                           "config": {"code": base64.b64encode(marshal.dumps(payload)).decode()}}

    _rewrite(path, edit)
    with pytest.raises(UnsafeConfigError, match="__lambda__"):
        models.load_model(path, safe_mode=False, custom_objects={"double": double})
    assert not os.path.exists(marker)


def test_saving_a_python_lambda_says_to_use_a_named_function(tmp_path):
    model = models.Sequential([layers.Dense(2, input_shape=(3,)), layers.Lambda(lambda x: x)])
    with pytest.raises(TypeError, match="named function"):
        model.save(tmp_path / "m.keras")


@pytest.mark.parametrize("name", FORMATS)
def test_config_naming_a_foreign_module_is_refused(tmp_path, name):
    path = _saved(tmp_path, name)

    def edit(config):
        config["config"]["layers"][0] = {"module": "os", "class_name": "system",
                                         "config": {"command": "touch pwned"}}

    _rewrite(path, edit)
    with pytest.raises(UnsafeConfigError, match="'os'"):
        models.load_model(path)


@pytest.mark.parametrize("name", FORMATS)
def test_config_naming_a_foreign_function_is_refused(tmp_path, name):
    path = _saved(tmp_path, name)

    def edit(config):
        _first_layer(config)["config"]["activation"] = {
            "module": "keras.utils", "class_name": "function", "config": "get_file"}

    _rewrite(path, edit)
    with pytest.raises(UnsafeConfigError, match="unknown function 'get_file'"):
        models.load_model(path)


@pytest.mark.parametrize("name", FORMATS)
def test_config_naming_an_unknown_class_is_refused(tmp_path, name):
    path = _saved(tmp_path, name)

    def edit(config):
        _first_layer(config)["config"]["kernel_initializer"] = {
            "module": "keras.config", "class_name": "enable_unsafe_deserialization",
            "config": {}}

    _rewrite(path, edit)
    with pytest.raises(UnsafeConfigError, match="enable_unsafe_deserialization"):
        models.load_model(path)


@pytest.mark.parametrize("name", FORMATS)
def test_config_that_sets_safe_mode_is_refused(tmp_path, name):
    path = _saved(tmp_path, name, with_lambda=True)

    def edit(config):
        config["config"]["layers"][1]["config"]["safe_mode"] = False

    _rewrite(path, edit)
    with pytest.raises(UnsafeConfigError, match="safe_mode"):
        models.load_model(path, safe_mode=False, custom_objects={"double": double})


def test_model_from_json_refuses_lambda(tmp_path):
    backend.set_seed(0)
    model = models.Sequential([layers.Dense(2, input_shape=(3,)), layers.Lambda(double)])
    with pytest.raises(UnsafeConfigError, match="Lambda"):
        models.model_from_json(model.to_json(), custom_objects={"double": double})


def test_object_array_in_config_is_refused(tmp_path):
    path = _saved(tmp_path)

    def edit(config):
        _first_layer(config)["config"]["units"] = {
            "class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}

    _rewrite(path, edit)
    with pytest.raises(UnsafeConfigError, match="dtype"):
        models.load_model(path)


def test_safe_file_still_loads(tmp_path):
    path = _saved(tmp_path)
    model = models.load_model(path)
    assert np.isfinite(model.predict(np.ones((1, 3), "float32"), verbose=0)).all()
