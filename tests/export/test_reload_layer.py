"""keras.layers.ONNXLayer runs an export inside a neuroflow model; TFSMLayer says why not."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers as L


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(4)
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    h = L.Dense(4, activation="relu")(L.concatenate([a, b]))
    model = keras.Model([a, b], [L.Dense(2, name="y")(h), L.Dense(1, name="z")(h)])
    path = tmp_path_factory.mktemp("onnx") / "two.onnx"
    model.export(path, verbose=False)
    return model, str(path)


def _inputs(n=6):
    rng = np.random.default_rng(0)
    return [rng.normal(size=(n, 3)).astype(np.float32), rng.normal(size=(n, 2)).astype(np.float32)]


def test_reload_layer_equals_the_exported_model(exported):
    model, path = exported
    layer = L.ONNXLayer(path)
    outs = layer(_inputs())
    for got, want in zip(outs, model.predict(_inputs(), verbose=0), strict=True):
        np.testing.assert_allclose(got.data, want, rtol=0, atol=1e-5)


def test_reload_layer_inside_a_functional_model(exported):
    model, path = exported
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    y = L.ONNXLayer(path, output_names=["y"], name="reloaded")([a, b])
    assert y.shape == (None, 2)
    keras.utils.set_random_seed(5)
    head = L.Dense(1, activation="sigmoid")
    wrapper = keras.Model([a, b], head(y))
    expected = head(model.predict(_inputs(), verbose=0)[0]).data
    np.testing.assert_allclose(wrapper.predict(_inputs(), verbose=0), expected, atol=1e-5)
    assert wrapper.get_layer("reloaded").trainable_weights == []


def test_reload_layer_takes_a_dict_by_input_name(exported):
    _, path = exported
    x = _inputs(2)
    layer = L.ONNXLayer(path, output_names=["z"])
    np.testing.assert_array_equal(layer({"b": x[1], "a": x[0]}).data, layer(x).data)


def test_reload_layer_errors_name_the_file_and_the_problem(exported, tmp_path):
    _, path = exported
    with pytest.raises(ValueError, match=r"output_names.*\['y', 'z'\]"):
        L.ONNXLayer(path, output_names=["nope"])
    with pytest.raises(ValueError, match=r"takes 2 input\(s\) \['a', 'b'\], received 1"):
        L.ONNXLayer(path)(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"Input 'a'.*expected shape \(None, 3\)"):
        L.ONNXLayer(path)([np.ones((1, 4), np.float32), np.ones((1, 2), np.float32)])
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        L.ONNXLayer(tmp_path / "missing.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a model ONNX Runtime can run"):
        L.ONNXLayer(junk)


def test_model_holding_a_reload_layer_cannot_be_saved(exported, tmp_path):
    _, path = exported
    layer = L.ONNXLayer(path, name="frozen")
    with pytest.raises(NotImplementedError, match="ONNXLayer 'frozen' cannot be saved"):
        layer.get_config()


def test_tfsm_layer_points_to_onnx():
    with pytest.raises(NotImplementedError, match=r"TensorFlow.*ONNXLayer"):
        L.TFSMLayer("saved_model_dir")
