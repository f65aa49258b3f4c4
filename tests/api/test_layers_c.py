"""EinsumDense, SpectralNormalization, Wrapper, Hashing, HashedCrossing, Pipeline,
InputSpec and layers.serialize/deserialize: numbers against Keras 3
(data/keras_reference_c.json, and the bins Keras' own tests and docs state for the
hashing layers), gradients against finite differences, config round trips, save/load
inside a model, and clear errors."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers
from neuroflow.layers.string_hash import fingerprint64, siphash24

REF = json.loads((Path(__file__).parent / "data" / "keras_reference_c.json").read_text())
EINSUM = REF["einsum_dense"]
SPECTRAL = REF["spectral_normalization"]


def _einsum_layer(case, dtype=None):
    layer = layers.EinsumDense(case["equation"], case["output_shape"],
                               bias_axes=case["bias_axes"], activation="tanh", dtype=dtype)
    x = np.asarray(case["x"], dtype=dtype or "float32")
    layer.build(x.shape)
    for w in layer.weights:
        w.assign(np.cos(np.arange(w.data.size)).reshape(w.shape))
    return layer, x


@pytest.mark.parametrize("key", sorted(EINSUM))
def test_einsum_dense_matches_keras(key):
    case = EINSUM[key]
    layer, x = _einsum_layer(case)
    assert [list(w.shape) for w in layer.weights] == case["shapes"]
    np.testing.assert_allclose(layer(x).numpy(), case["y"], rtol=1e-5, atol=1e-6)
    spec = layer.compute_output_shape((None,) + x.shape[1:])
    # Keras leaves axes that follow the input unknown; they are filled in from the input
    assert all(k in (None, ours) for k, ours in zip(case["output_spec"], spec, strict=True))
    assert list(spec[1:]) == list(layer(x).shape[1:])


@pytest.mark.parametrize("key", ["heads", "left_ellipsis", "right_ellipsis"])
def test_einsum_dense_gradients_match_finite_differences(key):
    layer, x = _einsum_layer(EINSUM[key], dtype="float64")
    r = np.random.default_rng(0).standard_normal(layer(x).shape)
    xt = keras.Tensor(x)
    with keras.GradientTape() as tape:
        tape.watch(xt)
        out = layer.call(xt)
    analytic = tape.gradient(out, [xt] + layer.weights, output_gradients=r)
    for array, grad in zip([x] + [w.data for w in layer.weights], analytic, strict=True):
        numeric = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            saved = array[i]
            array[i] = saved + 1e-6
            plus = float((layer.call(keras.Tensor(x)).numpy() * r).sum())
            array[i] = saved - 1e-6
            minus = float((layer.call(keras.Tensor(x)).numpy() * r).sum())
            array[i] = saved
            numeric[i] = (plus - minus) / 2e-6
        np.testing.assert_allclose(grad.numpy(), numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("iterations", ["1", "3"])
def test_spectral_normalization_matches_keras(iterations):
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=int(iterations))
    layer.build((None, 4))
    layer.layer.kernel.assign(np.asarray(SPECTRAL["kernel"], "float32"))
    layer.vector_u.assign(np.asarray(SPECTRAL["vector_u"], "float32"))
    x = np.asarray(SPECTRAL["x"], "float32")
    want = SPECTRAL["cases"][iterations]
    np.testing.assert_allclose(layer(x, training=True).numpy(), want["y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.layer.kernel.numpy(), want["kernel"], rtol=1e-5)
    np.testing.assert_allclose(layer.vector_u.numpy(), want["vector_u"], rtol=1e-5)
    kernel = layer.layer.kernel.numpy()
    layer(x)  # inference leaves the kernel alone
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), kernel)


def test_spectral_normalization_needs_a_kernel_and_checks_its_input():
    with pytest.raises(ValueError, match="no attribute 'kernel' nor 'embeddings'"):
        layers.SpectralNormalization(layers.ReLU())(np.ones((2, 3)))
    wrapped = layers.SpectralNormalization(layers.Dense(2))
    wrapped(np.ones((2, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of the input shape to have value 3"):
        wrapped(np.ones((2, 4)))
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="expected a layer to wrap"):
        layers.Wrapper("dense")


# ---- hashing: the bins stated by Keras 3.15's hashing tests and docstrings ---------------
WORDS = [["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]]
LETTERS = [["A"], ["B"], ["C"], ["D"], ["E"]]


@pytest.mark.parametrize("kwargs, inputs, bins", [
    ({"num_bins": 3}, LETTERS, [1, 0, 1, 1, 2]),
    ({"num_bins": 3, "mask_value": ""}, [["A"], ["B"], [""], ["C"], ["D"]], [1, 1, 0, 2, 2]),
    ({"num_bins": 3, "salt": [133, 137]}, LETTERS, [1, 2, 1, 0, 2]),
    ({"num_bins": 3, "salt": 133}, LETTERS, [0, 0, 2, 1, 0]),
    ({"num_bins": 2}, WORDS, [0, 0, 1, 0, 0]),
    ({"num_bins": 3, "mask_value": "omar"}, WORDS, [0, 1, 2, 1, 1]),
    ({"num_bins": 2, "salt": [133, 137]}, WORDS, [0, 1, 0, 1, 0]),
    ({"num_bins": 2, "salt": [211, 137]}, WORDS, [1, 0, 1, 0, 1]),
    ({"num_bins": 3}, [[0], [1], [2], [3], [4]], [1, 0, 1, 0, 2]),
    ({"num_bins": 3, "salt": [133, 137]}, [[0], [1], [2], [3], [4]], [1, 1, 2, 0, 1]),
    ({"num_bins": 1}, LETTERS, [0, 0, 0, 0, 0]),
])
def test_hashing_bins_match_keras(kwargs, inputs, bins):
    out = layers.Hashing(**kwargs)(np.asarray(inputs))
    assert out.numpy().dtype == np.int64
    np.testing.assert_array_equal(out.numpy().ravel(), bins)


def test_hashing_integers_hash_exactly_and_floats_are_cast_like_keras():
    big = np.array([[2**40 + 1], [7]], dtype=np.int64)
    want = [fingerprint64(str(v).encode()) % 5 for v in (2**40 + 1, 7)]
    np.testing.assert_array_equal(layers.Hashing(5)(big).numpy().ravel(), want)
    ints = layers.Hashing(5)(np.array([[1], [2]]))
    np.testing.assert_array_equal(layers.Hashing(5)(np.array([[1.0], [2.0]])).numpy(),
                                  ints.numpy())


def test_hashing_of_long_strings_covers_every_farmhash_branch():
    texts = ["x" * n for n in (0, 3, 7, 15, 24, 40, 64, 65, 200)]
    hashes = {fingerprint64(t.encode()) for t in texts}
    assert len(hashes) == len(texts)  # distinct, and each branch runs without error
    assert fingerprint64(b"") == 0x9AE16A3B2F90404F  # FarmHash's empty-string constant
    assert siphash24((0, 0), b"") != siphash24((1, 0), b"")


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_hashing_output_modes_encode_the_int_bins(mode):
    inputs = np.array([["A"], ["B"]]) if mode == "one_hot" else np.array([["A", "A", "B"]])
    bins = layers.Hashing(num_bins=5)(inputs).numpy()
    out = layers.Hashing(num_bins=5, output_mode=mode)(inputs).numpy()
    assert out.dtype == np.float32 and out.shape[-1] == 5
    if mode == "one_hot":
        np.testing.assert_array_equal(out, np.eye(5)[bins[:, 0]])
    else:
        counts = np.bincount(bins[0], minlength=5)
        np.testing.assert_array_equal(out[0], counts if mode == "count" else counts > 0)


@pytest.mark.parametrize("num_bins, want", [(5, [1, 4, 1, 1, 3]), (10, None)])
def test_hashed_crossing_matches_keras(num_bins, want):
    feat1 = np.array(["A", "B", "A", "B", "A"])
    feat2 = np.array([101, 101, 101, 102, 102])
    out = layers.HashedCrossing(num_bins=num_bins)((feat1, feat2)).numpy()
    if want is not None:
        np.testing.assert_array_equal(out, want)
    else:  # Keras' scalar case: ("A", 101) into 10 bins is bin 1
        assert out[0] == 1
        assert layers.HashedCrossing(10)((np.array("A"), np.array(101))).numpy() == 1
    hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")((feat1, feat2)).numpy()
    np.testing.assert_array_equal(hot.argmax(-1), [1, 4, 1, 1, 3])


def test_hashing_layers_reject_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match="num_bins must be a positive integer"):
        layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="salt must be an integer or a pair"):
        layers.Hashing(num_bins=2, salt="string")
    with pytest.raises(ValueError, match="salt must be an integer or a pair"):
        layers.Hashing(num_bins=2, salt=[1, 2, 3])
    with pytest.raises(ValueError, match="output_mode"):
        layers.Hashing(num_bins=2, output_mode="tf_idf")
    with pytest.raises(ValueError, match="sparse=True"):
        layers.HashedCrossing(num_bins=2, output_mode="one_hot", sparse=True)
    with pytest.raises(ValueError, match="list or tuple of inputs"):
        layers.HashedCrossing(num_bins=10)(np.array(1))
    with pytest.raises(ValueError, match="at least two inputs"):
        layers.HashedCrossing(num_bins=10)([np.array(1)])
    with pytest.raises(ValueError, match=r"shape \(\), \(batch_size\) or"):
        layers.HashedCrossing(num_bins=10)((np.ones((2, 2), int), np.ones((2, 2), int)))
    with pytest.raises(ValueError, match="equal shape"):
        layers.HashedCrossing(num_bins=10)((np.ones(2, int), np.ones(3, int)))


# ---- Pipeline, InputSpec, serialize/deserialize -------------------------------------------
def test_pipeline_chains_its_layers_and_round_trips():
    pipe = layers.Pipeline([layers.Hashing(4), layers.CategoryEncoding(4, output_mode="count")])
    x = np.array([["A", "B", "A"]])
    out = pipe(x).numpy()
    bins = layers.Hashing(4)(x).numpy()[0]
    np.testing.assert_array_equal(out[0], np.bincount(bins, minlength=4))
    again = layers.deserialize(layers.serialize(pipe))
    assert type(again) is layers.Pipeline and len(again.layers) == 2
    np.testing.assert_array_equal(again(x).numpy(), out)
    with pytest.raises(ValueError, match="list of layers"):
        layers.Pipeline(["hashing"])


def test_input_spec_checks_rank_axes_dtype_and_shape():
    layer = layers.Identity()
    layer.input_spec = layers.InputSpec(ndim=2, axes={-1: 3})
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        layer(np.ones((2, 3, 1)))
    with pytest.raises(ValueError, match="axis -1 of the input shape to have value 3"):
        layer(np.ones((2, 4)))
    spec = layers.InputSpec(shape=(None, 2), dtype="float32")
    assert spec.ndim == 2 and layers.InputSpec.from_config(spec.get_config()).shape == (None, 2)
    layer.input_spec = [spec]
    with pytest.raises(ValueError, match=r"expected shape=\(None, 2\)"):
        layer(np.ones((2, 5)))
    with pytest.raises(ValueError, match="maximum allowed value"):
        layers.InputSpec(ndim=2, axes={3: 1})
    with pytest.raises(TypeError, match="integer keys"):
        layers.InputSpec(axes={"last": 1})


@pytest.mark.parametrize("layer", [
    layers.EinsumDense("abc,cde->abde", (None, 2, 2), bias_axes="de", activation="relu"),
    layers.Hashing(7, salt=3, mask_value=0, output_mode="count"),
    layers.HashedCrossing(9, output_mode="one_hot"),
    layers.SpectralNormalization(layers.Dense(4, activation="tanh"), power_iterations=2),
    layers.Wrapper(layers.Dense(2)),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layers.serialize(layer)
    again = layers.deserialize(json.loads(json.dumps(config)))
    assert type(again) is type(layer)
    assert layers.serialize(again)["config"] == config["config"]


def test_new_layers_train_save_and_load_in_a_model(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3, 4)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None] / 4
    model = keras.Sequential([
        keras.Input((3, 4)),
        layers.EinsumDense("abc,cd->abd", (None, 5), bias_axes="d", activation="relu"),
        layers.Flatten(),
        layers.SpectralNormalization(layers.Dense(6, activation="relu")),
        layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    sigma = np.linalg.svd(model.layers[2].layer.kernel.numpy(), compute_uv=False)[0]
    assert 0.5 < sigma < 1.5  # normalized at every training step
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
