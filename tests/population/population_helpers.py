"""Tiny data and members for the population tests, and the 'trained alone' reference."""

from __future__ import annotations

import numpy as np

import neuroflow as keras


def regression_data(n: int = 48, features: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x[:, :1] * 1.5 - x[:, 1:2] + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


def classification_data(n: int = 48, features: int = 6, classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = np.argmax(x[:, :classes] + 0.3 * rng.normal(size=(n, classes)), axis=1)
    return x, y.astype("int64")


def mlp(widths, features: int = 6, out: int = 1, activation: str = "relu",
        output_activation: str | None = None, dropout=None, kernel_regularizer=None,
        seed: int = 0):
    """A Sequential stack; `dropout` is (rate, seed) inserted after every hidden layer."""
    keras.backend.set_seed(seed)
    layers = [keras.layers.Input(shape=(features,))]
    for w in widths:
        layers.append(keras.layers.Dense(w, activation=activation,
                                         kernel_regularizer=kernel_regularizer))
        if dropout is not None:
            layers.append(keras.layers.Dropout(dropout[0], seed=dropout[1]))
    layers.append(keras.layers.Dense(out, activation=output_activation))
    return keras.Sequential(layers)


def twin(model):
    """A fresh copy of a compiled member: same layers, weights, optimizer config and loss."""
    copy = keras.models.clone_model(model)
    copy.build((None, model.layers[0].kernel.shape[0]) if hasattr(model.layers[0], "kernel")
               else model.input_shape)
    copy.set_weights(model.get_weights())
    optimizer = type(model.optimizer).from_config(model.optimizer.get_config())
    metrics = model._compile_args["metrics"]
    copy.compile(optimizer=optimizer, loss=model._compile_args["loss"], metrics=metrics)
    return copy


def assert_same_training(packed, alone, packed_history, alone_history, rtol=1e-5, atol=1e-6):
    """Weights and History of a packed member equal those of its twin trained alone."""
    for a, b in zip(packed.get_weights(), alone.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert sorted(packed_history.history) == sorted(alone_history.history)
    for key, values in alone_history.history.items():
        np.testing.assert_allclose(packed_history.history[key], values, rtol=rtol, atol=atol)
