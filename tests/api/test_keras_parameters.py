"""Keras 3 parameters that used to be listed as left out (data/not_applicable.json)."""

import numpy as np
import pytest

import neuroflow as keras


def _diverging_model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e30), loss="mse")
    return model


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_terminate_on_nan_raise_error_raises_instead_of_stopping():
    x = np.full((8, 2), 1e10, "float32")
    y = np.ones((8, 1), "float32")
    with pytest.raises(RuntimeError, match="NaN or Inf loss at batch"):
        _diverging_model().fit(x, y, batch_size=2, epochs=3, verbose=0,
                               callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)])
    history = _diverging_model().fit(x, y, batch_size=2, epochs=3, verbose=0,
                                     callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1


@pytest.mark.parametrize("shape, axes, fans", [  # Keras 3.15's compute_fans
    ((3, 4, 5), ([0, 1], [2]), (12, 5)),
    ((3, 4, 5), ([0], [1, 2]), (3, 20)),
    ((3, 4, 5), (None, None), (12, 15)),
    ((6, 7), ([1], [0]), (7, 6)),
])
def test_compute_fans_uses_the_given_axes_as_keras(shape, axes, fans):
    assert keras.initializers.compute_fans(shape, *axes) == fans


@pytest.mark.parametrize("name", ["VarianceScaling", "GlorotNormal", "GlorotUniform",
                                  "HeNormal", "HeUniform", "LecunNormal", "LecunUniform",
                                  "glorot_normal", "he_uniform", "variance_scaling"])
def test_fan_axes_set_the_variance_of_every_variance_scaling_initializer(name):
    cls = getattr(keras.initializers, name)
    base = cls(seed=1)
    scale, mode, dist = base.scale, base.mode, base.distribution
    shape = (30, 40, 5)  # default fans: 1200 in, 150 out; the axes: 30 in, 200 out
    default_n = {"fan_in": 1200, "fan_out": 150, "fan_avg": 675}[mode]
    axes_n = {"fan_in": 30, "fan_out": 200, "fan_avg": 115}[mode]
    with_axes = cls(seed=1, input_axes=[0], output_axes=[1, 2])
    same = keras.initializers.VarianceScaling(scale * default_n / axes_n, mode, dist, seed=1)
    np.testing.assert_allclose(with_axes(shape), same(shape), rtol=1e-6)
    again = keras.initializers.deserialize(keras.initializers.serialize(with_axes))
    assert (again.input_axes, again.output_axes) == ([0], [1, 2])
    np.testing.assert_allclose(again(shape), with_axes(shape), rtol=1e-6)
