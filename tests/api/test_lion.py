"""Lion: Keras 3's update rule (numbers from Keras, numpy backend), config, save/load."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import optimizers

REF = json.loads((Path(__file__).parent / "data" / "keras_reference.json").read_text())["lion"]


def test_lion_steps_match_keras():
    opt = optimizers.Lion(learning_rate=0.1, beta_1=0.8, beta_2=0.95, weight_decay=0.01)
    w = keras.Variable(np.array(REF["w0"], dtype="float32"))
    for g, expected in zip(REF["grads"], REF["steps"], strict=True):
        opt.apply_gradients([(np.array(g, dtype="float32"), w)])
        np.testing.assert_allclose(w.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_lion_config_round_trip_and_lookup():
    opt = optimizers.Lion(learning_rate=0.01, beta_1=0.7, beta_2=0.9)
    clone = optimizers.deserialize(optimizers.serialize(opt))
    assert isinstance(clone, optimizers.Lion)
    assert clone.get_config() == opt.get_config()
    assert isinstance(optimizers.get("lion"), optimizers.Lion)


def test_lion_refuses_bad_betas():
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="beta_2"):
        optimizers.Lion(beta_2=1.0)


def test_lion_trains_and_its_state_saves(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=optimizers.Lion(learning_rate=0.1))
    history = model.fit(x, y, epochs=30, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 4
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.optimizer, optimizers.Lion)
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
