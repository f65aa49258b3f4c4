"""The dense-network layers added for Keras 3 parity: numbers against Keras (numpy
backend, precomputed in data/keras_reference.json), gradients against finite differences,
config round trips and save/load inside a model."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers

REF = json.loads((Path(__file__).parent / "data" / "keras_reference.json").read_text())
X = np.asarray(REF["x"], dtype="float32")


def _make(key, kwargs):
    if key == "PReLU":
        kwargs = {"alpha_initializer": keras.initializers.Constant(0.25)}
    return getattr(layers, key.split("_")[0])(**kwargs)


@pytest.mark.parametrize("key", sorted(REF["layers"]))
def test_layer_matches_keras(key):
    case = REF["layers"][key]
    out = _make(key, case["kwargs"])(X)
    np.testing.assert_allclose(out.numpy(), case["y"], rtol=1e-5, atol=1e-6)


def _loss(layer, x, weights):
    return float((layer.call(keras.Tensor(x)).numpy() * weights).sum())


@pytest.mark.parametrize("key", ["ReLU", "LeakyReLU", "ELU", "Softmax", "Softmax_axis0",
                                 "PReLU", "LayerNormalization", "RMSNormalization",
                                 "UnitNormalization", "Rescaling"])
def test_layer_gradients_match_finite_differences(key):
    """d sum(layer(x) * r) / d(x, weights) by the tape equals central differences."""
    kwargs = dict(REF["layers"][key]["kwargs"], dtype="float64")
    layer = _make(key, kwargs) if key != "PReLU" else layers.PReLU(dtype="float64")
    x = X.astype("float64") + 0.013  # off the kinks of the ReLU-like functions
    layer.build(x.shape)
    rng = np.random.default_rng(1)
    for w in layer.weights:
        w.assign(rng.uniform(0.5, 1.5, w.shape))
    r = rng.standard_normal(x.shape)
    xt = keras.Tensor(x)
    with keras.GradientTape() as tape:
        tape.watch(xt)
        out = layer.call(xt)
    analytic = tape.gradient(out, [xt] + layer.weights, output_gradients=r)
    arrays = [x] + [w.data for w in layer.weights]
    for array, grad in zip(arrays, analytic, strict=True):
        numeric = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + 1e-6
            plus = _loss(layer, x, r)
            array[i] = saved - 1e-6
            minus = _loss(layer, x, r)
            array[i] = saved
            numeric[i] = (plus - minus) / 2e-6
        np.testing.assert_allclose(grad.numpy(), numeric, rtol=1e-5, atol=1e-7)


def test_category_encoding_matches_keras():
    ids = np.array([[0, 2], [3, 3], [1, 0]])
    for mode in ("multi_hot", "count"):
        out = layers.CategoryEncoding(num_tokens=4, output_mode=mode)(ids)
        np.testing.assert_array_equal(out.numpy(), REF["category_encoding"][mode])
    out = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 0, 1]))
    np.testing.assert_array_equal(out.numpy(), REF["category_encoding"]["one_hot"])


def test_category_encoding_count_weights_and_range_error():
    layer = layers.CategoryEncoding(num_tokens=3, output_mode="count")
    out = layer(np.array([[0, 0], [2, 1]]), count_weights=np.array([[0.5, 0.25], [1.0, 2.0]]))
    np.testing.assert_allclose(out.numpy(), [[0.75, 0, 0], [0, 2.0, 1.0]])
    with pytest.raises(ValueError, match="0 <= values < num_tokens"):
        layer(np.array([[0, 3]]))


def test_discretization_matches_keras_and_adapts_to_quantiles():
    out = layers.Discretization(bin_boundaries=[-1.0, 0.0, 1.5])(X)
    np.testing.assert_array_equal(out.numpy(), REF["discretization"])
    assert out.numpy().dtype == np.int64
    layer = layers.Discretization(num_bins=4)
    layer.adapt(np.arange(100.0))
    np.testing.assert_allclose(layer.bin_boundaries, [24.75, 49.5, 74.25])
    np.testing.assert_array_equal(layer(np.array([[0.0, 30.0, 99.0]])).numpy(), [[0, 1, 3]])
    hot = layers.Discretization(bin_boundaries=[0.0], output_mode="one_hot")
    np.testing.assert_array_equal(hot(np.array([-1.0, 2.0])).numpy(), [[1, 0], [0, 1]])


def test_embedding_looks_up_rows_and_accumulates_gradients():
    table = np.arange(12, dtype="float32").reshape(4, 3)
    layer = layers.Embedding(4, 3, weights=[table])
    ids = np.array([[1, 1], [3, 0]])
    np.testing.assert_array_equal(layer(ids).numpy(), table[ids])
    with keras.GradientTape() as tape:
        out = layer(ids)
    (grad,) = tape.gradient(out, [layer.embeddings])
    np.testing.assert_array_equal(grad.numpy()[:, 0], [1, 2, 0, 1])
    with pytest.raises(ValueError, match=r"ids must be in \[0, 4\)"):
        layer(np.array([[4]]))
    with pytest.raises(ValueError, match="mask_zero"):
        layers.Embedding(4, 3, mask_zero=True)


def test_activity_regularization_adds_its_penalty_and_identity_passes_through():
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.array([[1.0, -2.0]], dtype="float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert float(sum(layer.losses).numpy()) == pytest.approx(0.1 * 3 + 0.01 * 5)
    assert layers.Identity()(x).numpy().tolist() == x.tolist()


@pytest.mark.parametrize("bad, match", [
    (lambda: layers.ReLU(max_value=-1), "max_value"),
    (lambda: layers.LeakyReLU(negative_slope=-0.1), "negative_slope"),
    (lambda: layers.LayerNormalization(axis=3)(X), "axis"),
    (lambda: layers.PReLU(shared_axes=[2])(X), "shared_axes"),
    (lambda: layers.CategoryEncoding(output_mode="tf_idf", num_tokens=2), "output_mode"),
    (lambda: layers.Discretization(), "exactly one of"),
    (lambda: layers.Rescaling("big"), "scale"),
])
def test_bad_arguments_get_clear_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


NEW_LAYERS = [
    layers.ReLU(max_value=6.0), layers.LeakyReLU(0.1), layers.PReLU(shared_axes=None),
    layers.ELU(0.5), layers.LayerNormalization(epsilon=1e-5), layers.RMSNormalization(),
    layers.UnitNormalization(), layers.Identity(), layers.ActivityRegularization(l2=0.1),
    layers.Rescaling(0.5, offset=0.1), layers.Softmax(),
]


@pytest.mark.parametrize("layer", NEW_LAYERS, ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_new_layers_save_and_load_in_a_model(tmp_path):
    inputs = keras.Input(shape=(6,))
    x = layers.Dense(5)(inputs)
    for layer in (layers.PReLU(), layers.LayerNormalization(), layers.LeakyReLU(0.2),
                  layers.RMSNormalization(), layers.ELU(), layers.ReLU(max_value=3.0),
                  layers.UnitNormalization(), layers.Rescaling(2.0), layers.Identity(),
                  layers.ActivityRegularization(l1=0.01)):
        x = layer(x)
    outputs = layers.Softmax()(layers.Dense(3)(x))
    model = keras.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    y = np.array([0, 1, 2, 1])
    model.fit(X, y, epochs=3, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)


def test_embedding_model_trains_and_round_trips(tmp_path):
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Embedding(5, 3),
                              layers.Flatten(), layers.Dense(1)])
    ids = np.array([[0, 1], [2, 3], [4, 0]])
    model.compile(loss="mse", optimizer="sgd")
    before = model.get_weights()[0].copy()
    model.fit(ids, np.ones((3, 1)), epochs=2, verbose=0)
    assert not np.allclose(before, model.get_weights()[0])
    model.save(tmp_path / "e.keras")
    loaded = keras.models.load_model(tmp_path / "e.keras")
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0))
