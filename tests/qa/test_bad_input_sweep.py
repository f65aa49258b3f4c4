"""Bad input from a careless user gets a clear error naming the argument, never a deep traceback."""

import numpy as np
import pytest

import neuroflow as keras


def _model():
    model = keras.Sequential(
        [keras.layers.Input((4,)), keras.layers.Dense(3, activation="softmax", name="o")]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


X = np.zeros((6, 4), dtype="float32")
Y = np.array([0, 1, 2, 0, 1, 2])


# ---- fit / evaluate / predict arguments ------------------------------------------------
def test_predict_on_ragged_rows_names_x_and_the_expected_shape():
    with pytest.raises(ValueError, match=r"predict: x: expected a rectangular array.*ragged"):
        _model().predict([[1, 2, 3, 4], [1, 2]], verbose=0)


def test_predict_on_none_says_x_is_required():
    with pytest.raises(ValueError, match="predict: x is required, received None"):
        _model().predict(None, verbose=0)


@pytest.mark.parametrize("call", ["predict", "evaluate"])
def test_batch_size_zero_is_refused_by_evaluate_and_predict(call):
    model = _model()
    args = (X,) if call == "predict" else (X, Y)
    with pytest.raises(ValueError, match=f"{call}: batch_size must be a positive integer.* 0"):
        getattr(model, call)(*args, batch_size=0, verbose=0)


def test_fit_on_zero_rows_says_there_are_no_samples():
    with pytest.raises(ValueError, match=r"fit: x has no samples \(0 rows\)"):
        _model().fit(np.zeros((0, 4)), np.zeros(0, int), verbose=0)


def test_evaluate_on_zero_rows_says_there_are_no_samples():
    with pytest.raises(ValueError, match=r"evaluate: x has no samples \(0 rows\)"):
        _model().evaluate(np.zeros((0, 4)), np.zeros(0, int), verbose=0)


def test_negative_steps_per_epoch_is_refused():
    with pytest.raises(ValueError, match="fit: steps_per_epoch must be a positive integer.*-1"):
        _model().fit(X, Y, steps_per_epoch=-1, verbose=0)


def test_negative_initial_epoch_is_refused():
    with pytest.raises(ValueError, match="fit: initial_epoch must be a non-negative integer.*-1"):
        _model().fit(X, Y, initial_epoch=-1, verbose=0)


@pytest.mark.parametrize(
    ("validation_data", "received"),
    [((X,), "a tuple of 1 item"), (X, "ndarray"), (5, "int")],
)
def test_validation_data_that_is_not_x_y_pairs_is_refused(validation_data, received):
    with pytest.raises(ValueError, match=f"fit: validation_data must be a tuple.*{received}"):
        _model().fit(X, Y, validation_data=validation_data, verbose=0)


def test_validation_freq_zero_is_refused_not_a_division_by_zero():
    with pytest.raises(ValueError, match="fit: validation_freq must be a positive integer.*0"):
        _model().fit(X, Y, validation_data=(X, Y), validation_freq=0, verbose=0)


def test_a_single_callback_not_in_a_list_is_accepted():
    history = _model().fit(X, Y, callbacks=keras.callbacks.History(), verbose=0)
    assert "loss" in history.history


@pytest.mark.parametrize("key", ["a", -1])
def test_class_weight_with_a_key_that_is_not_a_class_index_is_refused(key):
    with pytest.raises(ValueError, match=f"class_weight: keys must be class indices.*{key!r}"):
        _model().fit(X, Y, class_weight={key: 1.0, 0: 1.0}, verbose=0)


# ---- layers ------------------------------------------------------------------------------
def test_dense_refuses_a_1d_input_before_building():
    with pytest.raises(ValueError, match=r"Dense 'd1' expects .*at least 2 axes.*\(4,\)"):
        keras.layers.Dense(3, name="d1")(np.zeros(4, "float32"))


def test_a_built_dense_refuses_a_1d_input():
    layer = keras.layers.Dense(3, name="d2")
    layer(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"layer 'd2'.*size 4 \(and a batch axis.*\(4,\)"):
        layer(np.zeros(4, "float32"))


def test_a_built_dense_called_on_a_list_says_it_takes_one_tensor():
    layer = keras.layers.Dense(3, name="d3")
    layer(np.zeros((2, 4), "float32"))
    with pytest.raises(TypeError, match="Dense 'd3' takes a single input tensor, received list"):
        layer([[1, 2, 3, 4], [1, 2]])


def test_predict_of_a_sequential_model_on_a_1d_array_is_refused():
    with pytest.raises(ValueError, match=r"layer 'o'.*size 4.*received input of shape \(4,\)"):
        _model().predict(np.zeros(4), verbose=0)


def test_a_layer_called_on_a_ragged_array_says_so():
    from neuroflow.layers.layer import to_tensor

    with pytest.raises(ValueError, match="expected a rectangular array.*ragged"):
        to_tensor(np.array([[1, 2], [1]], dtype=object).tolist())
