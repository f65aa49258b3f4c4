"""Lamb and Ftrl: three steps against Keras 3's numbers (data/keras_reference_b.json),
config round trips, and training + saving the optimizer state inside a model."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import optimizers
from neuroflow.autodiff.tensor import Variable

REF = json.loads((Path(__file__).parent / "data" / "keras_reference_b.json").read_text())
OPT = REF["optimizers"]


@pytest.mark.parametrize("key", sorted(OPT["cases"]))
def test_optimizer_steps_match_keras(key):
    case = OPT["cases"][key]
    opt = getattr(optimizers, key.split("_")[0])(**case["kwargs"])
    w = Variable(np.array(OPT["w0"], dtype="float32"), name="kernel")
    b = Variable(np.array(OPT["b0"], dtype="float32"), name="bias")
    for (gw, gb), (want_w, want_b) in zip(OPT["grads"], case["steps"], strict=True):
        opt.apply_gradients([(np.array(gw, "float32"), w), (np.array(gb, "float32"), b)])
        np.testing.assert_allclose(w.numpy(), want_w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b.numpy(), want_b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", sorted(OPT["cases"]))
def test_config_round_trip(key):
    opt = getattr(optimizers, key.split("_")[0])(**OPT["cases"][key]["kwargs"])
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()
    assert type(optimizers.get(key.split("_")[0].lower())) is type(opt)


@pytest.mark.parametrize("name", ["lamb", "ftrl"])
def test_optimizer_trains_and_its_state_reloads(name, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizers.get({"class_name": name.capitalize(),
                                            "config": {"learning_rate": 0.05}}), loss="mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    for a, b in zip(again.optimizer.variables, model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        optimizers.Ftrl(l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lamb(beta_1=1.5)
