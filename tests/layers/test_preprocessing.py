"""Normalization: adapt() learns the mean and variance; they are non-trainable weights."""

import numpy as np
import pytest

from neuroflow.layers import Dense, Normalization
from neuroflow.models import Sequential

X = (np.random.default_rng(0).standard_normal((100, 4)) * [1, 2, 3, 4] + [5, 6, 7, 8]).astype(
    "float32")


def test_adapt_stores_numpy_mean_and_variance():
    layer = Normalization()
    layer.adapt(X)
    np.testing.assert_allclose(layer.mean.data, X.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.variance.data, X.var(axis=0), rtol=1e-5)


def test_adapted_layer_standardizes_features():
    layer = Normalization()
    layer.adapt(X)
    out = layer(X).data
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-4)


def test_adapt_on_batches_equals_adapt_on_the_whole_set():
    layer = Normalization()
    layer.adapt(iter([X[:30], X[30:70], X[70:]]))
    np.testing.assert_allclose(layer.mean.data, X.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.variance.data, X.var(axis=0), rtol=1e-5)


def test_given_mean_and_variance_are_used():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0])
    out = layer(np.array([[3.0, 8.0]], dtype="float32")).data
    np.testing.assert_allclose(out, [[1.0, 2.0]])


def test_invert_undoes_the_normalization():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], invert=True)
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0]], dtype="float32")).data, [[3.0, 8.0]])


def test_mean_variance_and_count_are_non_trainable_params_as_in_keras_3():
    model = Sequential([Normalization(input_shape=[4]), Dense(1)])
    model.layers[0].adapt(X)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 9 " in "\n".join(lines)  # 4 means, 4 variances, 1 count
    assert model.layers[0].trainable_weights == []
    assert int(model.layers[0].count.data) == len(X)


def test_adapt_refuses_data_with_another_feature_count():
    layer = Normalization(input_shape=[4])
    layer.build((None, 4))
    with pytest.raises(ValueError, match="adapt"):
        layer.adapt(X[:, :3])


def test_mean_without_variance_is_refused():
    with pytest.raises(ValueError, match="both mean and variance"):
        Normalization(mean=[0.0])


def test_config_round_trips_given_statistics():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 9.0], name="norm")
    clone = Normalization.from_config(layer.get_config())
    out = clone(np.array([[3.0, 8.0]], dtype="float32")).data
    np.testing.assert_allclose(out, [[1.0, 2.0]])
