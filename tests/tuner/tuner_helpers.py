"""Small data and the chapter's build function, shared by the tuner tests."""

from __future__ import annotations

import numpy as np

import neuroflow as keras


def chapter_build_model(hp):
    """The chapter's build_model, as written."""
    n_hidden = hp.Int("n_hidden", min_value=0, max_value=8, default=2)
    n_neurons = hp.Int("n_neurons", min_value=16, max_value=256)
    learning_rate = hp.Float("learning_rate", min_value=1e-4, max_value=1e-2, sampling="log")
    optimizer = hp.Choice("optimizer", values=["sgd", "adam"])
    if optimizer == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    else:
        optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    model = keras.Sequential()
    model.add(keras.layers.Flatten())
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model


def tiny_build_model(hp):
    """One hidden layer whose width and learning rate are tuned: fast to train."""
    units = hp.Int("units", min_value=2, max_value=8, step=2)
    learning_rate = hp.Float("learning_rate", min_value=1e-3, max_value=1e-1, sampling="log")
    model = keras.Sequential([keras.layers.Flatten(),
                              keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  metrics=["accuracy"])
    return model


def make_data(n: int = 96):
    """(x_train, y_train, x_valid, y_valid): 4x4 "images", label = top-left pixel > 0.5."""
    rng = np.random.default_rng(0)
    x = rng.random((n, 4, 4), dtype=np.float32)
    y = (x[:, 0, 0] > 0.5).astype("int64")
    split = n * 2 // 3
    return x[:split], y[:split], x[split:], y[split:]
