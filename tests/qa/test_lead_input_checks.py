"""Bad shapes, hyperparameters and targets get clear errors (follow-ups of the sweep)."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as keras


@pytest.mark.parametrize("shape", [(-3,), (2.5,), "abc", (0, 4), (True,)])
def test_input_shapes_must_be_positive_integers(shape):
    with pytest.raises((ValueError, TypeError), match="positive integers"):
        keras.Input(shape=shape)


def test_layer_input_shape_is_checked_too():
    with pytest.raises(ValueError, match="Flatten: input_shape must be a tuple of positive"):
        keras.layers.Flatten(input_shape=[-28, 28])


def test_normalization_refuses_another_feature_count_than_it_adapted_to():
    layer = keras.layers.Normalization()
    layer.adapt(np.random.default_rng(0).random((10, 3)))
    with pytest.raises(ValueError, match=r"adapted to features of shape \(3,\).*\(2, 5\)"):
        layer(np.ones((2, 5)))


@pytest.mark.parametrize("make, match", [
    (lambda: keras.optimizers.SGD(learning_rate=-1), "non-negative"),
    (lambda: keras.optimizers.Adam(beta_1=1.5), "beta_1"),
    (lambda: keras.optimizers.RMSprop(rho=-0.1), "rho"),
])
def test_optimizer_hyperparameters_are_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_setting_a_negative_learning_rate_is_refused():
    opt = keras.optimizers.SGD(0.1)
    with pytest.raises(ValueError, match="non-negative"):
        opt.learning_rate = -0.5


def test_saving_onto_a_folder_says_to_name_a_file(tmp_path):
    pytest.importorskip("h5py")
    model = keras.Sequential([keras.Input(shape=[2]), keras.layers.Dense(1)])
    with pytest.raises(IsADirectoryError, match="is a folder"):
        model.save(tmp_path)


def test_functional_model_with_two_layers_of_one_name_is_refused():
    inp = keras.Input(shape=[3])
    hidden = keras.layers.Dense(2, name="same")(inp)
    with pytest.raises(ValueError, match=r"unique.*\['same'\]"):
        keras.Model(inp, keras.layers.Dense(1, name="same")(hidden))
