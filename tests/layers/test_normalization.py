"""BatchNormalization: batch statistics in training, moving averages in inference."""

import numpy as np
import pytest

from neuroflow.autodiff import check_gradients
from neuroflow.autodiff.tensor import GradientTape, Tensor
from neuroflow.layers import BatchNormalization, Dense
from neuroflow.layers.normalization import _batch_norm_infer, _batch_norm_train
from neuroflow.models import Sequential

RNG = np.random.default_rng(0)
X = (RNG.standard_normal((64, 3)) * [1.0, 2.0, 5.0] + [0.0, 3.0, -2.0]).astype("float32")


def test_training_output_has_zero_mean_unit_variance():
    out = BatchNormalization()(X, training=True).data
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)


def test_training_updates_the_moving_statistics_with_momentum():
    layer = BatchNormalization(momentum=0.9)
    layer(X, training=True)
    np.testing.assert_allclose(layer.moving_mean.data, 0.1 * X.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.data, 0.9 + 0.1 * X.var(axis=0), rtol=1e-5)


def test_inference_uses_moving_statistics_and_leaves_them_alone():
    layer = BatchNormalization(epsilon=1e-3)
    layer.build((None, 3))
    layer.moving_mean.assign([1.0, 2.0, 3.0])
    layer.moving_variance.assign([4.0, 4.0, 4.0])
    out = layer(X, training=False).data
    np.testing.assert_allclose(out, (X - [1.0, 2.0, 3.0]) / np.sqrt(4.0 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.data, [1.0, 2.0, 3.0])


def test_frozen_layer_runs_in_inference_mode():
    layer = BatchNormalization()
    layer.build((None, 3))
    layer.trainable = False
    out = layer(X, training=True).data
    np.testing.assert_allclose(out, X / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.data, 0)


def test_params_four_per_feature_two_non_trainable():
    model = Sequential([Dense(10, input_shape=[3]), BatchNormalization()])
    bn = model.layers[1]
    assert bn.count_params() == 40
    assert [v.name for v in bn.trainable_weights] == ["gamma", "beta"]
    assert [v.name for v in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]


def test_moving_statistics_get_no_gradient():
    layer = BatchNormalization()
    with GradientTape() as tape:
        loss = (layer(X, training=True) * X).sum()
    grads = tape.gradient(loss, layer.weights)
    assert grads[2] is None and grads[3] is None
    assert grads[0] is not None and grads[1] is not None


def test_training_vjp_matches_finite_differences():
    x = RNG.standard_normal((5, 3))
    gamma, beta = RNG.standard_normal(3), RNG.standard_normal(3)
    moving = Tensor(np.zeros(3)), Tensor(np.ones(3))  # updated in place, never read back
    check_gradients(lambda a, g, b: _batch_norm_train(a, g, b, *moving, (0,), (1, 3), 1e-3, 0.9),
                    x, gamma, beta, rtol=1e-4, atol=1e-6)


def test_inference_vjp_matches_finite_differences():
    x = RNG.standard_normal((4, 3))
    mean, var = RNG.standard_normal(3), RNG.random(3) + 0.5
    check_gradients(lambda a, g, b: _batch_norm_infer(a, g, b, mean, var, (0,), (1, 3), 1e-3),
                    x, RNG.standard_normal(3), RNG.standard_normal(3))


def test_channels_first_axis_normalizes_axis_one():
    x = RNG.standard_normal((8, 2, 5)).astype("float32")
    out = BatchNormalization(axis=1)(Tensor(x), training=True).data
    np.testing.assert_allclose(out.mean(axis=(0, 2)), 0, atol=1e-5)


def test_wrong_feature_count_names_the_layer():
    layer = BatchNormalization(name="bn_here")
    layer.build((None, 3))
    with pytest.raises(ValueError, match="bn_here"):
        layer(np.ones((2, 4), dtype="float32"))
