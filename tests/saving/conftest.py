"""Small models and data shared by the saving tests."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow import backend, layers, models


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = rng.integers(0, 3, size=24)
    return x, y


@pytest.fixture
def make_sequential():
    def make(compiled: bool = True, optimizer: str = "adam"):
        backend.set_seed(1)
        model = models.Sequential([
            layers.Dense(5, activation="relu", input_shape=(4,)),
            layers.Dense(3, activation="softmax"),
        ])
        if compiled:
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
        return model

    return make


@pytest.fixture
def trained(make_sequential, data):
    x, y = data
    model = make_sequential()
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return model
