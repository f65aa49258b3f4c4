"""Bad input gets a clear error naming the layer or argument, expected and received."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as keras


def small_model(compiled=True, loss="sparse_categorical_crossentropy"):
    model = keras.Sequential(
        [
            keras.layers.Dense(4, activation="relu", input_shape=[3]),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    if compiled:
        model.compile(loss=loss, optimizer="sgd")
    return model


X = np.ones((8, 3), dtype="float32")
Y = np.array([0, 1, 2, 0, 1, 2, 0, 1])


def test_input_of_the_wrong_width_names_the_layer_and_shapes():
    model = small_model()
    with pytest.raises(ValueError, match=r"dense.*expected .*size 3.*\(8, 5\)"):
        model.predict(np.ones((8, 5)), verbose=0)


def test_x_and_y_of_different_lengths():
    with pytest.raises(ValueError, match="x with 8 and y with 7"):
        small_model().fit(X, Y[:7], verbose=0)


def test_sparse_labels_out_of_range():
    with pytest.raises(ValueError, match="3 classes|out of range|range"):
        small_model().fit(X, np.array([0, 1, 2, 3, 0, 1, 2, 0]), verbose=0)


@pytest.mark.parametrize("where", ["x", "y"])
def test_nan_in_inputs_or_targets_is_refused_before_training(where):
    x, y = X.copy(), Y.astype("float32")
    model = small_model(loss="mse")
    if where == "x":
        x[5, 1] = np.nan
    else:
        y[6] = np.inf
    before = model.get_weights()
    with pytest.raises(
        ValueError, match=rf"fit: {where} contains (NaN|inf) at index \({5 if where == 'x' else 6}"
    ):
        model.fit(x, y, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_training_before_compile(method):
    model = small_model(compiled=False)
    with pytest.raises(RuntimeError, match=f"compile\\(\\) before {method}"):
        getattr(model, method)(X, Y)


@pytest.mark.parametrize(
    "make, valid",
    [
        (lambda: keras.layers.Dense(2, activation="relux"), "relu"),
        (lambda: small_model(compiled=False).compile(loss="msee", optimizer="sgd"), "mse"),
        (lambda: small_model(compiled=False).compile(loss="mse", optimizer="sgdd"), "sgd"),
    ],
)
def test_unknown_names_list_the_valid_ones(make, valid):
    with pytest.raises(ValueError, match=valid):
        make()


def test_unknown_metric_name_lists_the_valid_ones():
    model = small_model(compiled=False)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["acuracy"])
    with pytest.raises(ValueError, match="accuracy"):
        model.fit(X, Y, verbose=0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"epochs": "3"}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"verbose": 7}, "verbose"),
        ({"validation_split": 1.5}, "validation_split"),
        ({"class_weight": [1, 2]}, "class_weight"),
    ],
)
def test_wrong_argument_values(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        small_model().fit(X, Y, **kwargs)


def test_dense_units_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        keras.layers.Dense(0)


def test_unknown_keyword_argument_names_the_layer():
    with pytest.raises(TypeError, match="Dense: unexpected keyword argument.*activaton"):
        keras.layers.Dense(3, activaton="relu")


def test_non_numeric_input():
    with pytest.raises(TypeError, match="numeric"):
        small_model().fit(np.array([["a", "b", "c"]] * 8), Y, verbose=0)


def test_a_loss_that_becomes_nan_is_reported_at_its_epoch_and_batch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32") * 1e3
    y = rng.normal(size=(64, 1)).astype("float32") * 1e3
    model = keras.Sequential([keras.layers.Dense(1, input_shape=[3])])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e3))
    with pytest.warns(RuntimeWarning, match=r"NaN or inf at epoch \d+, batch \d+") as caught:
        history = model.fit(x, y, epochs=50, verbose=0)
    message = next(str(w.message) for w in caught if "training stopped" in str(w.message))
    epoch = int(message.split("epoch ")[1].split(",")[0])
    assert len(history.epoch) == epoch < 50
