"""Dropout, GaussianNoise, GaussianDropout and AlphaDropout: noise in training only."""

import numpy as np
import pytest

from neuroflow import backend
from neuroflow.layers import AlphaDropout, Dense, Dropout, GaussianDropout, GaussianNoise
from neuroflow.models import Sequential

X = np.ones((200, 50), dtype="float32")


def test_dropout_is_the_identity_in_inference():
    out = Dropout(0.5)(X, training=False)
    np.testing.assert_array_equal(out.data, X)


def test_dropout_zeroes_about_rate_and_scales_the_rest():
    out = Dropout(0.3, seed=1)(X, training=True).data
    assert abs((out == 0).mean() - 0.3) < 0.03
    np.testing.assert_allclose(out[out != 0], 1 / 0.7, rtol=1e-6)


def test_dropout_inactive_in_predict():
    model = Sequential([Dense(4, input_shape=[50]), Dropout(0.9)])
    np.testing.assert_array_equal(model.predict(X[:5], verbose=0), model.predict(X[:5], verbose=0))


def test_dropout_is_reproducible_with_the_global_seed():
    layer = Dropout(0.5)
    backend.set_seed(7)
    first = layer(X, training=True).data
    backend.set_seed(7)
    np.testing.assert_array_equal(layer(X, training=True).data, first)


def test_dropout_noise_shape_shares_the_mask_along_an_axis():
    x = np.ones((4, 3, 6), dtype="float32")
    out = Dropout(0.5, noise_shape=(None, 1, 6), seed=0)(x, training=True).data
    assert (out == out[:, :1, :]).all()


def test_dropout_rejects_a_rate_of_one():
    with pytest.raises(ValueError, match="rate"):
        Dropout(1.0)


def test_gaussian_noise_has_the_given_stddev_in_training_only():
    layer = GaussianNoise(0.5, seed=0)
    noisy = layer(np.zeros((400, 50), dtype="float32"), training=True).data
    assert abs(noisy.std() - 0.5) < 0.02
    np.testing.assert_array_equal(layer(X, training=False).data, X)


def test_gaussian_dropout_keeps_the_mean():
    out = GaussianDropout(0.2, seed=0)(X, training=True).data
    assert abs(out.mean() - 1.0) < 0.02


def test_alpha_dropout_keeps_selu_statistics():
    x = np.random.default_rng(0).standard_normal((2000, 50)).astype("float32")
    out = AlphaDropout(0.2, seed=0)(x, training=True).data
    assert abs(out.mean()) < 0.05 and abs(out.std() - 1.0) < 0.05
    np.testing.assert_array_equal(AlphaDropout(0.2)(x, training=False).data, x)


def test_dropout_config_round_trips():
    layer = Dropout(0.25, noise_shape=[None, 1], seed=3, name="drop")
    clone = Dropout.from_config(layer.get_config())
    assert (clone.rate, clone.noise_shape, clone.seed, clone.name) == (0.25, (None, 1), 3, "drop")
