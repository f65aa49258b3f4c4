"""The chapter's models exported to ONNX: outputs equal model.predict, names and the
dynamic batch axis kept; export errors name the layer, the argument and the remedy."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from tests.export.conftest import assert_matches_predict, run, session

import neuroflow as keras
from neuroflow import layers as L
from neuroflow.export import (
    DEFAULT_OPSET,
    UnsupportedLayerError,
    onnx_translation,
    to_onnx,
)


def fashion_mlp() -> keras.Sequential:
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.layers.Flatten(input_shape=[28, 28]),
        keras.layers.Dense(300, activation="relu"),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def wide_and_deep() -> keras.Model:
    """The chapter's Wide & Deep model with two inputs and a main and an auxiliary output."""
    keras.utils.set_random_seed(1)
    input_a = keras.Input(shape=[5], name="wide_input")
    input_b = keras.Input(shape=[6], name="deep_input")
    hidden1 = L.Dense(30, activation="relu")(input_b)
    hidden2 = L.Dense(30, activation="relu")(hidden1)
    concat = L.concatenate([input_a, hidden2])
    output = L.Dense(1, name="main_output")(concat)
    aux_output = L.Dense(1, name="aux_output")(hidden2)
    return keras.Model(inputs=[input_a, input_b], outputs=[output, aux_output])


class WideAndDeepModel(keras.Model):
    """The chapter's subclassed Wide & Deep model."""

    def __init__(self, units=30, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = L.Dense(units, activation=activation)
        self.hidden2 = L.Dense(units, activation=activation)
        self.main_output = L.Dense(1)
        self.aux_output = L.Dense(1)

    def call(self, inputs):
        input_a, input_b = inputs
        hidden1 = self.hidden1(input_b)
        hidden2 = self.hidden2(hidden1)
        concat = L.concatenate([input_a, hidden2])
        return self.main_output(concat), self.aux_output(hidden2)


def _wide_deep_inputs(n=9, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n, 5)).astype(np.float32),
            rng.normal(size=(n, 6)).astype(np.float32)]


def test_fashion_mnist_mlp_trained_survives_a_file_round_trip(tmp_path, capsys):
    (x, y) = keras.datasets.fashion_mnist.load_sample()
    x = x[:256] / 255.0
    model = fashion_mlp()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    model.fit(x, y[:256], epochs=1, verbose=0)
    path = model.export(tmp_path / "fashion.onnx")
    assert "Saved artifact at" in capsys.readouterr().out
    onnx.checker.check_model(onnx.load(path), full_check=True)
    outs = assert_matches_predict(model, x[:50].astype(np.float32), proto=str(path))
    assert list(outs) == model.output_names


def test_batch_axis_is_dynamic_and_opset_is_the_default():
    proto = to_onnx(fashion_mlp())
    assert proto.opset_import[0].version == DEFAULT_OPSET
    (inp,) = proto.graph.input
    dims = inp.type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [28, 28]
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    for n in (1, 3, 1000):
        x = np.random.default_rng(n).random((n, 28, 28), dtype=np.float32)
        (out,) = run(proto, x).values()
        assert out.shape == (n, 10)


def test_wide_and_deep_keeps_input_and_output_names():
    model = wide_and_deep()
    s = session(to_onnx(model))
    assert [i.name for i in s.get_inputs()] == ["wide_input", "deep_input"]
    assert [o.name for o in s.get_outputs()] == ["main_output", "aux_output"]
    assert_matches_predict(model, _wide_deep_inputs())


def test_subclassed_model_is_traced_and_left_unchanged():
    model = WideAndDeepModel()
    inputs = _wide_deep_inputs()
    expected = model.predict(inputs, verbose=0)
    nodes_before = [len(layer._inbound_nodes) for layer in model.layers]
    outs = run(to_onnx(model), inputs)
    assert list(outs) == ["output_0", "output_1"]
    for got, want in zip(outs.values(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
    assert [len(layer._inbound_nodes) for layer in model.layers] == nodes_before
    np.testing.assert_array_equal(model.predict(inputs, verbose=0)[0], expected[0])


def test_subclassed_model_exports_from_an_input_signature_before_any_call():
    model = WideAndDeepModel(units=4)
    proto = to_onnx(model, input_signature=[keras.Input(shape=(5,), name="a"),
                                            keras.Input(shape=(6,), name="b")])
    assert [i.name for i in proto.graph.input] == ["a", "b"]
    assert_matches_predict(model, _wide_deep_inputs(), proto=proto)


def test_nested_models_are_inlined():
    keras.utils.set_random_seed(2)
    inner = keras.Sequential([keras.Input(shape=(4,)), L.Dense(3, activation="tanh")])
    inp = keras.Input(shape=(4,), name="x")
    outer = keras.Model(inp, L.Dense(2, activation="softmax", name="probs")(inner(inp)))
    assert_matches_predict(outer, np.random.default_rng(0).normal(size=(5, 4)))


@pytest.mark.parametrize("opset", [18, 21, onnx.defs.onnx_opset_version()])
def test_every_supported_opset_runs(opset):
    keras.utils.set_random_seed(3)
    inp = keras.Input(shape=(3, 4))
    x = L.BatchNormalization()(L.Permute((2, 1))(inp))
    x = L.Flatten()(L.Dense(2, activation="gelu")(x))
    model = keras.Model(inp, L.Dense(3, activation="softmax")(L.Dropout(0.2)(x)))
    proto = to_onnx(model, opset_version=opset)
    assert proto.opset_import[0].version == opset
    assert_matches_predict(model, np.random.default_rng(0).normal(size=(4, 3, 4)), proto=proto)


def test_input_signature_can_fix_the_batch_size():
    model = fashion_mlp()
    proto = to_onnx(model, input_signature=[np.zeros((2, 28, 28), np.float32)])
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 2


def test_format_tf_saved_model_names_the_supported_formats(tmp_path):
    with pytest.raises(ValueError, match=r"'tf_saved_model'.*TensorFlow.*\['onnx'\]"):
        fashion_mlp().export(tmp_path / "m", format="tf_saved_model")
    assert not (tmp_path / "m").exists()


def test_export_without_format_writes_onnx(tmp_path):
    model = fashion_mlp()
    path = model.export(tmp_path / "m.onnx", verbose=False)
    assert onnx.load(path).graph.input[0].name == model.inputs[0].node.layer.name


@pytest.mark.parametrize("opset", [17, 10_000, "18", True])
def test_bad_opset_version_is_refused(opset):
    with pytest.raises(ValueError, match="opset_version must be an integer from 18"):
        to_onnx(fashion_mlp(), opset_version=opset)


def test_input_signature_of_the_wrong_shape_names_the_input():
    with pytest.raises(ValueError, match=r"input 'wide_input'.*\(None, 5\).*\(None, 4\)"):
        to_onnx(wide_and_deep(), input_signature=[keras.Input(shape=(4,)),
                                                  keras.Input(shape=(6,))])


def test_input_signature_must_be_float32():
    with pytest.raises(ValueError, match="float32"):
        to_onnx(fashion_mlp(), input_signature=[np.zeros((1, 28, 28), np.int32)])


def test_unbuilt_subclassed_model_asks_for_an_input_signature():
    with pytest.raises(ValueError, match="input_signature"):
        to_onnx(WideAndDeepModel())


def test_lambda_layer_is_refused_with_the_hook():
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, L.Lambda(lambda t: t * 2, name="doubler")(inp))
    with pytest.raises(UnsupportedLayerError, match=r"Lambda layer 'doubler'.*onnx_translation"):
        to_onnx(model)


class Scale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        from neuroflow.autodiff import math_ops

        return math_ops.multiply(inputs, self.factor)


class Shift(Scale):
    def call(self, inputs):
        from neuroflow.autodiff import math_ops

        return math_ops.add(inputs, self.factor)


def test_custom_layer_without_translation_is_refused_with_the_hook():
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, Shift(name="shift")(inp))
    with pytest.raises(UnsupportedLayerError,
                       match=r"Shift layer 'shift' has no ONNX translation.*onnx_translation"):
        to_onnx(model)


def test_custom_layer_with_a_registered_translation_exports():
    @onnx_translation(Scale)
    def _scale(graph, layer, x):
        return graph.op("Mul", [x.name, graph.const(layer.factor, f"{layer.name}/factor")],
                        hint=layer.name)

    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, Scale(3.0)(L.Dense(2)(inp)))
    assert_matches_predict(model, np.ones((2, 3), np.float32))
    # a subclass with a call() of its own does not inherit the translation
    with pytest.raises(UnsupportedLayerError, match="Shift"):
        to_onnx(keras.Model(inp, Shift()(inp)))


def test_custom_activation_is_refused_with_the_hook():
    model = keras.Sequential([keras.Input(shape=(3,)),
                              L.Dense(2, activation=lambda t: t, name="odd")])
    with pytest.raises(UnsupportedLayerError, match=r"Dense layer 'odd'.*onnx_activation"):
        to_onnx(model)


class ValueDependent(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = L.Dense(2)

    def call(self, inputs):
        return self.dense(inputs) * np.float32(2.0)


def test_subclassed_model_computing_on_values_gets_a_trace_error():
    model = ValueDependent()
    model(np.ones((1, 3), np.float32))
    with pytest.raises(UnsupportedLayerError, match=r"ValueDependent.*traces call\(\)"):
        to_onnx(model)
