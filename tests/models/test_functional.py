"""Functional models: the chapter's graphs, inputs/outputs structures, errors, config."""

import numpy as np
import pytest
from tests.models._chapter import XA, XB, X, Y, two_inputs, wide_and_deep

from neuroflow import layers
from neuroflow.models import Functional, Model, Sequential


def test_model_with_inputs_and_outputs_is_functional():
    assert isinstance(wide_and_deep(), Functional)


def test_wide_and_deep_has_1239_params():
    assert wide_and_deep().count_params() == 1239


def test_layers_include_the_input_layer_first():
    model = wide_and_deep()
    assert [type(la).__name__ for la in model.layers] == [
        "InputLayer", "Dense", "Dense", "Concatenate", "Dense"]


@pytest.mark.slow
def test_wide_and_deep_training_lowers_the_loss():
    model = wide_and_deep()
    model.compile(loss="mse", optimizer="sgd")
    history = model.fit(X, Y, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(X[:3], verbose=0).shape == (3, 1)


def test_two_input_model_has_the_chapter_params():
    assert two_inputs().count_params() == 6 * 30 + 30 + 30 * 30 + 30 + 35 + 1


def test_two_input_model_accepts_a_list_or_a_dict():
    model = two_inputs()
    by_list = model.predict([XA[:4], XB[:4]], verbose=0)
    by_dict = model.predict({"deep_input": XB[:4], "wide_input": XA[:4]}, verbose=0)
    np.testing.assert_array_equal(by_list, by_dict)


def test_input_dict_with_a_missing_key_is_refused():
    with pytest.raises(ValueError, match=r"missing input\(s\) \['deep_input'\]"):
        two_inputs().predict({"wide_input": XA[:4]}, verbose=0)


def test_input_dict_with_an_extra_key_is_refused():
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['other'\]"):
        two_inputs().predict({"wide_input": XA[:4], "deep_input": XB[:4], "other": XA[:4]},
                             verbose=0)


def test_single_array_for_two_inputs_is_refused():
    with pytest.raises(ValueError, match="expects 2 inputs"):
        two_inputs().predict(XA[:4], verbose=0)


def test_input_of_the_wrong_shape_names_the_input():
    with pytest.raises(ValueError, match="input 'deep_input'.*expected shape \\(None, 6\\)"):
        two_inputs().predict([XA[:4], XA[:4]], verbose=0)


def test_output_names_are_the_output_layer_names():
    model = two_inputs(aux=True)
    assert model.output_names == ["output", "aux_output"]
    assert model.input_names == ["wide_input", "deep_input"]


@pytest.mark.slow
def test_multi_output_fit_history_keys_and_training():
    model = two_inputs(aux=True)
    model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer="sgd")
    history = model.fit([XA, XB], [Y, Y], epochs=4, verbose=0,
                        validation_data=([XA, XB], [Y, Y]))
    # Keras 3 sorts the logs' keys (train ones, then the val_ ones)
    assert list(history.history) == ["aux_output_loss", "loss", "output_loss",
                                     "val_aux_output_loss", "val_loss", "val_output_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_multi_output_evaluate_returns_total_then_each_output():
    model = two_inputs(aux=True)
    model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer="sgd")
    total_loss, main_loss, aux_loss = model.evaluate([XA, XB], [Y, Y], verbose=0)
    assert total_loss == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-5)


def test_multi_output_predict_returns_one_array_per_output():
    y_pred_main, y_pred_aux = two_inputs(aux=True).predict([XA[:3], XB[:3]], verbose=0)
    assert y_pred_main.shape == (3, 1) and y_pred_aux.shape == (3, 1)


def test_loss_dict_keyed_by_output_name():
    model = two_inputs(aux=True)
    from neuroflow.metrics import MeanAbsoluteError

    model.compile(loss={"output": "mse", "aux_output": "mae"}, optimizer="sgd",
                  metrics={"output": [MeanAbsoluteError(name="mae")]})
    logs = model.evaluate([XA, XB], {"output": Y, "aux_output": Y}, verbose=0,
                          return_dict=True)
    assert set(logs) == {"loss", "output_loss", "aux_output_loss", "output_mae"}


def test_loss_dict_naming_an_unknown_output_is_refused():
    with pytest.raises(ValueError, match=r"unknown output\(s\) \['main'\]"):
        two_inputs(aux=True).compile(loss={"main": "mse"}, optimizer="sgd")


def test_dict_outputs_are_returned_as_a_dict():
    inp = layers.Input(shape=[3])
    model = Model(inp, {"a": layers.Dense(1)(inp), "b": layers.Dense(2)(inp)})
    out = model.predict(np.ones((2, 3), dtype="float32"), verbose=0)
    assert model.output_names == ["a", "b"] and out["b"].shape == (2, 2)


def test_disconnected_graph_names_the_missing_input():
    a, b = layers.Input(shape=[2], name="in_a"), layers.Input(shape=[2], name="in_b")
    out = layers.Dense(1)(layers.add([a, b]))
    with pytest.raises(ValueError, match="graph disconnected.*Input 'in_b'"):
        Model(inputs=a, outputs=out)


def test_input_that_does_not_reach_the_outputs_is_refused():
    a, b = layers.Input(shape=[2], name="in_a"), layers.Input(shape=[2], name="unused_in")
    with pytest.raises(ValueError, match="input 'unused_in' is not connected"):
        Model(inputs=[a, b], outputs=layers.Dense(1)(a))


def test_layer_called_on_an_incompatible_shape_names_the_layer():
    model = Sequential([layers.Dense(3, input_shape=[4], name="d4")])
    with pytest.raises(ValueError, match="'d4'"):
        model(layers.Input(shape=[5]))


def test_shared_layer_is_counted_once_and_applied_twice():
    a, b = layers.Input(shape=[3]), layers.Input(shape=[3])
    shared = layers.Dense(2)
    model = Model([a, b], layers.subtract([shared(a), shared(b)]))
    assert model.count_params() == 8
    x = np.ones((1, 3), dtype="float32")
    np.testing.assert_allclose(model.predict([x, x], verbose=0), 0.0)


def test_nested_model_is_used_as_a_layer():
    inner = Sequential([layers.Dense(4, activation="relu", input_shape=[3]), layers.Dense(2)])
    inp = layers.Input(shape=[3])
    outer = Model(inp, layers.Dense(1)(inner(inp)))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")
    expected = outer.layers[-1](inner(x)).data
    np.testing.assert_allclose(outer.predict(x, verbose=0), expected, rtol=1e-6)
    assert outer.count_params() == inner.count_params() + 3


def test_explicit_training_flag_stays_in_the_graph():
    inp = layers.Input(shape=[100])
    model = Model(inp, layers.Dropout(0.5)(inp, training=True))
    out = model.predict(np.ones((2, 100), dtype="float32"), verbose=0)
    assert (out == 0).any()


def test_layer_input_and_output_attributes():
    model = wide_and_deep()
    hidden1 = model.layers[1]
    assert hidden1.input is model.input
    assert hidden1.output.shape == (None, 30)
    assert model.output is model.layers[-1].output


def test_summary_shows_connected_to_column():
    lines = []
    two_inputs(aux=True).summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text and "wide_input[0][0]" in text


def test_config_round_trip_rebuilds_the_same_function():
    model = two_inputs(aux=True)
    clone = Functional.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    for a, b in zip(model.predict([XA[:3], XB[:3]], verbose=0),
                    clone.predict([XA[:3], XB[:3]], verbose=0), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert clone.output_names == ["output", "aux_output"]
