"""Activity penalties are divided by the batch size, as in Keras 3 (and tf.keras 2), so
their weight in the loss does not depend on `batch_size`. The numbers were checked
against Keras 3.15 (JAX backend) on the same weights."""

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers

X = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 1.0, 1.0], [-1.0, 0.0, 4.0]],
             dtype="float32")


def _penalty(layer, x):
    layer(x)
    return float(sum(loss.numpy() for loss in layer.losses))


LAYERS = {
    "ActivityRegularization": lambda: layers.ActivityRegularization(l1=0.1, l2=0.01),
    "Dense": lambda: layers.Dense(2, kernel_initializer="ones",
                                  activity_regularizer=keras.regularizers.L1L2(0.1, 0.01)),
    "EinsumDense": lambda: layers.EinsumDense(
        "ab,bc->ac", output_shape=2, kernel_initializer="ones",
        activity_regularizer=keras.regularizers.L1L2(0.1, 0.01)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_activity_penalty_is_the_mean_over_the_batch(name):
    out = LAYERS[name]()(X).numpy()
    expected = (0.1 * np.abs(out).sum() + 0.01 * np.square(out).sum()) / len(X)
    assert _penalty(LAYERS[name](), X) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_activity_penalty_does_not_grow_with_the_batch(name):
    one = _penalty(LAYERS[name](), X[:1])
    assert _penalty(LAYERS[name](), np.repeat(X[:1], 8, axis=0)) == pytest.approx(one, rel=1e-6)


def test_activity_regularization_layer_matches_keras_3():
    x = np.random.RandomState(0).randn(4, 5).astype("float32")
    penalty = _penalty(layers.ActivityRegularization(l1=0.1), x)
    assert penalty == pytest.approx(0.3992227, rel=1e-6)  # keras.layers.ActivityRegularization


def test_fit_loss_with_an_activity_regularizer_matches_keras_3():
    rs = np.random.RandomState(0)
    x = rs.randn(64, 8).astype("float32")
    y = (x[:, :3].sum(1) > 0).astype("int64")
    weights = [rs.randn(8, 16).astype("float32") * 0.3, np.zeros(16, "float32"),
               rs.randn(16, 3).astype("float32") * 0.3, np.zeros(3, "float32")]
    model = keras.Sequential([
        keras.Input(shape=(8,)),
        layers.Dense(16, activation="relu", activity_regularizer=keras.regularizers.l1(0.01)),
        layers.Dense(3, activation="softmax"),
    ])
    model.set_weights(weights)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [0.95176, 0.9198], atol=2e-5)
