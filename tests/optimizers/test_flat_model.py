"""A model whose variables live in `FlatBuffers` trains, saves and loads as before."""

import numpy as np

import neuroflow as keras
from neuroflow.optimizers.flat import FlatBuffers

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 3)).astype("float32")
Y = RNG.standard_normal((12, 1)).astype("float32")


def _model(optimizer):
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=optimizer)
    return model


def test_fit_on_packed_variables_gives_the_same_weights_and_keeps_them_packed():
    plain = _model(keras.optimizers.Adam(0.01, clipnorm=1.0))
    packed = _model(keras.optimizers.Adam(0.01, clipnorm=1.0))
    buffers = FlatBuffers(packed.trainable_variables)
    for model in (plain, packed):
        model.fit(X, Y, batch_size=5, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(packed.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert buffers.valid
    assert all(np.shares_memory(v.data, buffers.params) for v in packed.trainable_variables)


def test_set_weights_and_load_weights_write_into_the_buffer(tmp_path):
    source = _model("sgd")
    source.fit(X, Y, batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "w.weights.h5")
    source.save_weights(path)
    target = _model("sgd")
    buffers = FlatBuffers(target.trainable_variables)
    target.set_weights([np.zeros_like(w) for w in source.get_weights()])
    assert not buffers.params.any()
    target.load_weights(path)
    expected = np.concatenate([w.ravel() for w in source.get_weights()])
    np.testing.assert_array_equal(buffers.params, expected)
    assert buffers.valid
