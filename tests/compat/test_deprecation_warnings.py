"""tf.keras 2 spellings work and say which newer spelling exists."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import neuroflow as keras


def test_input_shape_on_a_layer_warns_and_still_builds():
    with pytest.warns(DeprecationWarning, match="Input\\(shape=...\\)"):
        layer = keras.layers.Dense(2, input_shape=[3])
    assert keras.Sequential([layer]).built


def test_input_layer_input_shape_warns():
    with pytest.warns(DeprecationWarning, match="shape="):
        keras.layers.InputLayer(input_shape=[4])


def test_newer_spellings_do_not_warn(tmp_path):
    pytest.importorskip("h5py")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        model = keras.Sequential([keras.Input(shape=[3]), keras.layers.Dense(2)])
        model.save(tmp_path / "m.keras")
        model.save_weights(tmp_path / "m.weights.h5")
        keras.models.load_model(tmp_path / "m.keras")


@pytest.mark.parametrize("name, method", [("m.h5", "save"), ("ckpt", "save"),
                                          ("w.ckpt", "save_weights"), ("w.h5", "save_weights")])
def test_legacy_file_names_warn_and_load_back(tmp_path, name, method):
    pytest.importorskip("h5py")
    model = keras.Sequential([keras.Input(shape=[3]), keras.layers.Dense(2)])
    path = tmp_path / name
    with pytest.warns(DeprecationWarning, match="tf.keras 2 spelling"):
        getattr(model, method)(path)
    x = np.ones((1, 3), dtype="float32")
    if method == "save":
        np.testing.assert_array_equal(keras.models.load_model(path).predict(x, verbose=0),
                                      model.predict(x, verbose=0))
    else:
        other = keras.Sequential([keras.Input(shape=[3]), keras.layers.Dense(2)])
        other.load_weights(path)
        np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
