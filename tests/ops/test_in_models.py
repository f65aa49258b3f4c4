"""A custom layer written with keras.ops trains the same traced and eagerly."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import ops


class OpsDense(keras.layers.Layer):
    """A dense layer spelled with keras.ops; `sort=True` adds an op that reads values."""

    def __init__(self, units: int, sort: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.units, self.sort = units, sort

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, x):
        z = ops.add(ops.matmul(x, self.w), self.b)
        if self.sort:
            z = ops.sort(z, axis=-1)
        return ops.nn.gelu(ops.clip(z, -3.0, 3.0))


def _train(sort: bool, run_eagerly: bool):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), OpsDense(8, sort), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam", run_eagerly=run_eagerly)
    x = np.random.default_rng(0).standard_normal((48, 4)).astype("float32")
    history = model.fit(x, x.sum(1, keepdims=True), epochs=2, batch_size=16, verbose=0)
    return history.history["loss"], [w.numpy() for w in model.weights]


@pytest.mark.parametrize("sort", [False, True], ids=["traceable", "reads-values"])
def test_a_layer_of_ops_trains_the_same_traced_and_eagerly(sort: bool) -> None:
    traced_loss, traced_weights = _train(sort, run_eagerly=False)
    eager_loss, eager_weights = _train(sort, run_eagerly=True)
    assert traced_loss == eager_loss
    for a, b in zip(traced_weights, eager_weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert traced_loss[1] < traced_loss[0]
