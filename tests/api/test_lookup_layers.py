"""IntegerLookup and StringLookup: Keras 3's documented outputs, adapt, special tokens,
tf_idf, inversion, errors, config round trips and save/load in a model."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers
from neuroflow.layers.string_hash import fingerprint64, siphash24

REFERENCE = json.loads((Path(__file__).with_name("data") /
                        "keras_lookup_reference.json").read_text())["cases"]


@pytest.mark.parametrize("case", REFERENCE, ids=[c["id"] for c in REFERENCE])
def test_outputs_match_keras_3(case):
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    if "adapt" in case:
        layer.adapt(case["adapt"])
    if "set_vocabulary" in case:
        layer.set_vocabulary(**case["set_vocabulary"])
    out = layer(case["inputs"]).numpy()
    if out.dtype.kind in "fc":
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, case["output"], rtol=1e-6)
    else:
        np.testing.assert_array_equal(out, case["output"])
    if "vocabulary" in case:
        assert layer.get_vocabulary() == case["vocabulary"]


def test_adapt_keeps_the_most_frequent_tokens_larger_first_on_ties():
    layer = layers.IntegerLookup(max_tokens=4)
    layer.adapt(np.array([5, 5, 5, 9, 9, 2, 2, 7, 1]))
    assert layer.get_vocabulary() == [-1, 5, 9, 2]
    assert layer.get_vocabulary(include_special_tokens=False) == [5, 9, 2]
    assert layer.vocabulary_size() == 4
    np.testing.assert_array_equal(layer(np.array([7, 9])).numpy(), [0, 2])


def test_adapt_reads_an_iterable_of_batches_up_to_steps():
    batches = iter([np.array([[3, 3]]), np.array([[4]]), np.array([[8, 8, 8]])])
    layer = layers.IntegerLookup()
    layer.adapt(batches, steps=2)
    assert layer.get_vocabulary() == [-1, 3, 4]


def test_mask_token_is_index_zero_in_int_mode_and_dropped_when_encoding():
    lookup = layers.IntegerLookup(mask_token=0, vocabulary=[4, 5])
    assert lookup.get_vocabulary() == [0, -1, 4, 5]
    np.testing.assert_array_equal(lookup(np.array([[0, 4, 9]])).numpy(), [[0, 2, 1]])
    hot = layers.IntegerLookup(mask_token=0, vocabulary=[4, 5], output_mode="multi_hot")
    assert hot.get_vocabulary() == [-1, 4, 5]
    np.testing.assert_array_equal(hot(np.array([[0, 4, 9]])).numpy(), [[1, 1, 0]])
    one = layers.StringLookup(mask_token="", vocabulary=["a"], output_mode="one_hot")
    np.testing.assert_array_equal(one(["", "a"]).numpy(), [[0, 0], [0, 1]])
    adapted = layers.StringLookup(mask_token="", oov_token="?")
    adapted.adapt([["", "", "?", "b"]])
    assert adapted.get_vocabulary() == ["", "?", "b"]


def test_inverse_maps_mask_and_oov_indices_back():
    forward = layers.StringLookup(vocabulary=["x", "y"], mask_token="[MASK]")
    inverse = layers.StringLookup(vocabulary=forward.get_vocabulary(), mask_token="[MASK]",
                                  invert=True)
    data = np.array([["x", "[MASK]", "q", "y"]])
    np.testing.assert_array_equal(inverse(forward(data)).numpy(),
                                  [["x", "[MASK]", "[UNK]", "y"]])


def test_tf_idf_adapt_learns_keras_idf_weights_and_pads_to_max_tokens():
    docs = np.array([[1, 1, 2], [2, 3, 3], [2, 4, 4]])
    layer = layers.IntegerLookup(output_mode="tf_idf", max_tokens=6, pad_to_max_tokens=True)
    layer.adapt(docs)
    assert layer.get_vocabulary() == [-1, 2, 4, 3, 1]
    idf = np.log(1 + 3 / (1 + np.array([3, 1, 1, 1])))
    want = np.concatenate([[idf.mean()], idf, [0.0]])
    np.testing.assert_allclose(layer.idf_weights, want, rtol=1e-6)
    out = layer(np.array([[2, 2, 9, 4]])).numpy()
    np.testing.assert_allclose(out, [[want[0], 2 * want[1], want[2], 0, 0, 0]], rtol=1e-6)


@pytest.mark.parametrize("salt", [None, 7, [3, 11]])
def test_string_oov_buckets_are_farmhash_or_siphash_under_a_salt(salt):
    layer = layers.StringLookup(vocabulary=["a"], num_oov_indices=3, salt=salt)
    words = ["omar", "stringer", "marlo", "wire"]
    key = None if salt is None else ([salt, salt] if isinstance(salt, int) else salt)
    want = [(siphash24(key, w.encode()) if key else fingerprint64(w.encode())) % 3
            for w in words]
    np.testing.assert_array_equal(layer(words).numpy(), want)


def test_vocabulary_file_is_read_on_construction(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("red\ngreen\nblue\n\n")
    layer = layers.StringLookup(vocabulary=str(path))
    assert layer.get_vocabulary() == ["[UNK]", "red", "green", "blue"]
    again = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert again.get_vocabulary() == layer.get_vocabulary()  # the config holds the tokens
    ints = tmp_path / "ints.txt"
    ints.write_text("10\n20\n")
    assert layers.IntegerLookup(vocabulary=str(ints)).get_vocabulary() == [-1, 10, 20]


def test_a_config_naming_a_vocabulary_file_is_refused(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("a\n")
    config = layers.serialize(layers.StringLookup(vocabulary=["a"]))
    config["config"]["vocabulary"] = str(path)
    with pytest.raises(ValueError, match="may not name a vocabulary file"):
        layers.deserialize(config)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.IntegerLookup(max_tokens=1), "greater than 1"),
    (lambda: layers.IntegerLookup(num_oov_indices=-1), "num_oov_indices"),
    (lambda: layers.IntegerLookup(output_mode="bogus"), "output_mode must be one of"),
    (lambda: layers.IntegerLookup(invert=True, output_mode="count"), "invert=True"),
    (lambda: layers.IntegerLookup(output_mode="count", sparse=True), "sparse=True"),
    (lambda: layers.IntegerLookup(pad_to_max_tokens=True), "pad_to_max_tokens"),
    (lambda: layers.IntegerLookup(salt=3), "salt only applies"),
    (lambda: layers.IntegerLookup(oov_method="md5"), "oov_method"),
    (lambda: layers.IntegerLookup(vocabulary_dtype="int32"), "vocabulary_dtype"),
    (lambda: layers.IntegerLookup(vocabulary=[1, 2, 1]), "repeats the terms"),
    (lambda: layers.IntegerLookup(vocabulary=[1, 0], mask_token=0), "found inside"),
    (lambda: layers.IntegerLookup(vocabulary=[1, 2, 3], max_tokens=3), "more than max_tokens"),
    (lambda: layers.IntegerLookup(vocabulary=[1], output_mode="tf_idf"), "idf_weights"),
    (lambda: layers.IntegerLookup(vocabulary=[1], idf_weights=[1.0]), "idf_weights only"),
    (lambda: layers.IntegerLookup(vocabulary=[1.5]), "expected integer tokens"),
    (lambda: layers.StringLookup(vocabulary=[1, 2]), "expected string tokens"),
    (lambda: layers.StringLookup(vocabulary="/no/such/file.txt"), "does not exist"),
])
def test_bad_arguments_raise_one_clear_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_calls_raise_one_clear_error():
    strict = layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)
    np.testing.assert_array_equal(strict(np.array([2, 1])).numpy(), [1, 0])
    with pytest.raises(ValueError, match=r"out-of-vocabulary values \[7\]"):
        strict(np.array([1, 7]))
    with pytest.raises(RuntimeError, match="set the vocabulary"):
        layers.IntegerLookup(output_mode="multi_hot")(np.array([[1]]))
    fixed = layers.IntegerLookup(vocabulary=[1])
    with pytest.raises(ValueError, match="cannot adapt"):
        fixed.adapt(np.array([1, 2]))
    frozen = layers.IntegerLookup(output_mode="count")
    frozen.adapt(np.array([1, 2]))
    with pytest.raises(RuntimeError, match="cannot change once set"):
        frozen.adapt(np.array([1, 2, 3]))


def _built(cls, **kwargs):
    layer = getattr(layers, cls)(**kwargs)
    if "vocabulary" not in kwargs:
        layer.adapt(np.array([[3, 3, 5], [5, 8, 9]]) if cls == "IntegerLookup"
                    else [["p", "p", "q"], ["q", "r", "s"]])
    return layer


@pytest.mark.parametrize("cls, kwargs", [
    ("IntegerLookup", {}),
    ("IntegerLookup", {"vocabulary": [4, 6], "mask_token": 0, "num_oov_indices": 2}),
    ("IntegerLookup", {"output_mode": "tf_idf", "max_tokens": 8, "pad_to_max_tokens": True}),
    ("IntegerLookup", {"vocabulary": [4, 6], "num_oov_indices": 3, "oov_method": "farmhash",
                       "salt": [1, 2]}),
    ("StringLookup", {"output_mode": "multi_hot"}),
    ("StringLookup", {"vocabulary": ["p", "q"], "invert": True, "oov_token": "?"}),
], ids=lambda v: v if isinstance(v, str) else ",".join(v) or "adapted")
def test_config_round_trip_keeps_vocabulary_and_outputs(cls, kwargs):
    layer = _built(cls, **kwargs)
    config = layers.serialize(layer)
    again = layers.deserialize(json.loads(json.dumps(config)))
    assert type(again) is type(layer)
    assert layers.serialize(again)["config"] == config["config"]
    assert again.get_vocabulary() == layer.get_vocabulary()
    if kwargs.get("invert"):
        x = np.array([[0, 1, 2, 3]])
    elif cls == "IntegerLookup":
        x = np.array([[3, 5, 7, 4]])
    else:
        x = np.array([["p", "s", "zz", "q"]])
    np.testing.assert_array_equal(again(x).numpy(), layer(x).numpy())
    if not layer._has_input_vocabulary:  # an adapted layer can be adapted again
        assert again._has_input_vocabulary is False


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_adapted_lookup_trains_saves_and_loads_in_a_model(tmp_path, suffix):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 9, size=(64, 3))
    y = (x.sum(axis=1) > 12).astype("float32")
    lookup = layers.IntegerLookup(max_tokens=6, output_mode="multi_hot")
    lookup.adapt(x)
    model = keras.Sequential([keras.Input(shape=(3,), dtype="int64"), lookup,
                              layers.Dense(1, activation="sigmoid")])
    assert lookup.compute_output_shape((None, 3)) == (None, 6)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / f"lookup{suffix}"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[0].get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_string_lookup_preprocesses_the_inputs_of_a_model():
    lookup = layers.StringLookup(vocabulary=["cat", "dog"], output_mode="count")
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, kernel_initializer="ones",
                                                                    use_bias=False)])
    codes = lookup(np.array([["cat", "dog"], ["dog", "dog"], ["emu", "emu"]]))
    np.testing.assert_allclose(model.predict(codes, verbose=0).ravel(), [2, 2, 2])
