"""A small saved classifier and its data, for the model commands."""

import numpy as np
import pytest

import neuroflow as keras


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    """Path of a compiled 4-input, 3-class softmax classifier saved as .keras."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input(shape=[2, 2]), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["accuracy"])
    path = tmp_path_factory.mktemp("model") / "model.keras"
    model.save(path)
    return path


@pytest.fixture
def rows(tmp_path):
    """Path of an .npz with 5 inputs 'x' (flat, 4 values) and labels 'y'."""
    rng = np.random.default_rng(0)
    path = tmp_path / "data.npz"
    np.savez(path, x=rng.random((5, 4), dtype=np.float32), y=np.array([0, 1, 2, 1, 0]))
    return path
