"""Keras 3 losses of part B (focal, generalized cross-entropy, Dice, Tversky, Circle):
numbers against Keras (data/keras_reference_b.json), gradients against finite
differences, config round trips, and training + save/load inside a model."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import losses
from neuroflow.autodiff.gradient_check import check_gradients

REF = json.loads((Path(__file__).parent / "data" / "keras_reference_b.json").read_text())
CASES = REF["losses"]


def _loss(key, **extra):
    return getattr(losses, key.split("_")[0])(**CASES[key]["kwargs"], **extra)


def _inputs(key):
    case = CASES[key]
    y_true = np.asarray(case["y_true"])
    y_true = y_true.astype("int64") if key.startswith(("Circle", "CategoricalGen")) \
        else y_true.astype("float32")
    return y_true, np.asarray(case["y_pred"], dtype="float32")


@pytest.mark.parametrize("key", sorted(CASES))
def test_loss_matches_keras(key):
    y_true, y_pred = _inputs(key)
    np.testing.assert_allclose(float(_loss(key)(y_true, y_pred).numpy()), CASES[key]["value"],
                               rtol=1e-5, atol=1e-6)
    per_sample = _loss(key, reduction=None)(y_true, y_pred).numpy()
    np.testing.assert_allclose(per_sample, CASES[key]["per_sample"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", sorted(k for k in CASES if "weighted" in CASES[k]))
def test_sample_weights_as_keras(key):
    y_true, y_pred = _inputs(key)
    weights = np.array([1.0, 0.5, 2.0, 0.0], dtype="float32")
    value = _loss(key)(y_true, y_pred, sample_weight=weights).numpy()
    np.testing.assert_allclose(float(value), CASES[key]["weighted"], rtol=1e-5)


@pytest.mark.parametrize("key", sorted(CASES))
def test_function_form_gives_the_per_sample_values(key):
    y_true, y_pred = _inputs(key)
    name = {"BinaryFocalCrossentropy": "binary_focal_crossentropy",
            "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
            "CategoricalGeneralizedCrossEntropy": "categorical_generalized_cross_entropy",
            "Dice": "dice", "Tversky": "tversky", "Circle": "circle"}[key.split("_")[0]]
    kwargs = dict(CASES[key]["kwargs"])
    if name == "categorical_generalized_cross_entropy":
        kwargs.setdefault("q", 0.5)
    out = getattr(losses, name)(y_true, y_pred, **kwargs).numpy()
    np.testing.assert_allclose(out, CASES[key]["per_sample"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", ["BinaryFocalCrossentropy_balanced",
                                 "BinaryFocalCrossentropy_logits",
                                 "CategoricalFocalCrossentropy",
                                 "CategoricalFocalCrossentropy_logits",
                                 "CategoricalGeneralizedCrossEntropy", "Dice_axis1", "Tversky",
                                 "Circle_keep_diagonal"])
def test_loss_gradient_matches_finite_differences(key):
    y_true, y_pred = _inputs(key)
    loss = _loss(key, dtype="float64")
    check_gradients(lambda p: loss(y_true, p), y_pred.astype("float64"), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("key", sorted({k.split("_")[0] for k in CASES}))
def test_config_round_trip(key):
    loss = _loss(key, name="mine")
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()
    assert type(losses.get(key)) is type(loss)  # by class name, as in Keras


def test_focal_loss_trains_and_reloads_inside_a_model(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss=losses.BinaryFocalCrossentropy(gamma=1.0))
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(again.loss, losses.BinaryFocalCrossentropy)
    assert again.loss.get_config()["gamma"] == 1.0
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               rtol=1e-6)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="q must be in"):
        losses.CategoricalGeneralizedCrossEntropy(q=0.0)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.BinaryFocalCrossentropy(label_smoothing=2.0)
    with pytest.raises(ValueError, match="same shape"):
        losses.categorical_focal_crossentropy(np.zeros((2, 3)), np.ones((2, 4)) / 4)
    with pytest.raises(ValueError, match=r"shape \(batch, dim\)"):
        losses.circle(np.zeros(3), np.zeros(3))
