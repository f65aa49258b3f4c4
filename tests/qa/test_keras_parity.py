"""What a Keras 3 user observes running the chapter's code, checked on neuroflow.

Each expectation was observed on Keras 3.15 (JAX backend) running the same code.
"""

import numpy as np
import pytest

import neuroflow as keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4)).astype("float32")
Y_CLASS = RNG.integers(0, 3, size=64)
Y_REG = RNG.normal(size=(64, 1)).astype("float32")


def classifier():
    model = keras.Sequential([
        keras.layers.Input(shape=[4]),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


def test_history_keys_are_sorted_train_then_validation():
    history = classifier().fit(X, Y_CLASS, epochs=1, verbose=0, validation_data=(X, Y_CLASS))
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_history_keys_sorted_with_capitalised_metric_names():
    model = keras.Sequential([keras.layers.Input(shape=[4]), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd", metrics=["RootMeanSquaredError", "mae"])
    history = model.fit(X, Y_REG, epochs=1, verbose=0, validation_data=(X, Y_REG))
    assert list(history.history) == [
        "RootMeanSquaredError", "loss", "mae", "val_RootMeanSquaredError", "val_loss", "val_mae",
    ]


def test_evaluate_list_follows_metric_order_but_return_dict_is_sorted():
    model = classifier()
    loss, accuracy = model.evaluate(X, Y_CLASS, verbose=0)
    assert isinstance(loss, float) and isinstance(accuracy, float)
    logs = model.evaluate(X, Y_CLASS, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss"]
    assert logs["loss"] == pytest.approx(loss)
    assert list(model.train_on_batch(X, Y_CLASS, return_dict=True)) == ["accuracy", "loss"]


def test_callback_logs_are_sorted():
    seen = {}

    class Spy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.setdefault("batch", list(logs))

        def on_epoch_end(self, epoch, logs=None):
            seen.setdefault("epoch", list(logs))

    classifier().fit(X, Y_CLASS, epochs=1, verbose=0, validation_data=(X, Y_CLASS),
                     callbacks=[Spy()])
    assert seen == {"batch": ["accuracy", "loss"],
                    "epoch": ["accuracy", "loss", "val_accuracy", "val_loss"]}


def test_multi_output_history_keys_sorted():
    input_a = keras.layers.Input(shape=[2], name="wide_input")
    input_b = keras.layers.Input(shape=[3], name="deep_input")
    hidden = keras.layers.Dense(4, activation="relu")(input_b)
    concat = keras.layers.concatenate([input_a, hidden])
    output = keras.layers.Dense(1, name="main_output")(concat)
    aux_output = keras.layers.Dense(1, name="aux_output")(hidden)
    model = keras.Model(inputs=[input_a, input_b], outputs=[output, aux_output])
    model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer="sgd")
    xs = [X[:, :2], X[:, 1:]]
    history = model.fit(xs, [Y_REG, Y_REG], epochs=1, verbose=0,
                        validation_data=(xs, [Y_REG, Y_REG]))
    assert list(history.history) == [
        "aux_output_loss", "loss", "main_output_loss",
        "val_aux_output_loss", "val_loss", "val_main_output_loss",
    ]
    # evaluate's list keeps Keras' metrics_names order: total loss first
    total, main, aux = model.evaluate(xs, [Y_REG, Y_REG], verbose=0)
    assert total == pytest.approx(0.9 * main + 0.1 * aux, rel=1e-5)


@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_training_before_compile_raises_value_error(method):
    model = keras.Sequential([keras.layers.Input(shape=[4]), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"You must call `?compile\(\)`? before"):
        getattr(model, method)(X, Y_REG)
