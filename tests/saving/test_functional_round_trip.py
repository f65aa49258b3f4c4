"""Functional models with several inputs and outputs round-trip in both formats."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow import backend, layers, models

FORMATS = ["m.keras", "m.h5"]


@pytest.fixture
def wide_and_deep():
    backend.set_seed(3)
    wide = layers.Input(shape=(2,), name="wide")
    deep = layers.Input(shape=(3,), name="deep")
    hidden = layers.Dense(4, activation="relu")(deep)
    merged = layers.Concatenate()([wide, hidden])
    main = layers.Dense(1, name="main")(merged)
    aux = layers.Dense(1, name="aux")(hidden)
    model = models.Model(inputs=[wide, deep], outputs=[main, aux])
    model.compile(optimizer="adam", loss="mse", loss_weights=[0.9, 0.1])
    rng = np.random.default_rng(0)
    x = [rng.normal(size=(16, 2)).astype("float32"), rng.normal(size=(16, 3)).astype("float32")]
    y = [rng.normal(size=(16, 1)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")]
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    return model, x, y


@pytest.mark.parametrize("name", FORMATS)
def test_multi_io_functional_predicts_identically(tmp_path, wide_and_deep, name):
    model, x, _ = wide_and_deep
    model.save(tmp_path / name)
    loaded = models.load_model(tmp_path / name)
    for a, b in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", FORMATS)
def test_multi_io_functional_continues_training_identically(tmp_path, wide_and_deep, name):
    model, x, y = wide_and_deep
    model.save(tmp_path / name)
    loaded = models.load_model(tmp_path / name)
    model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_functional_json_round_trip(wide_and_deep):
    model, x, _ = wide_and_deep
    rebuilt = models.model_from_json(model.to_json())
    assert [t.shape for t in rebuilt.inputs] == [t.shape for t in model.inputs]
    assert len(rebuilt.outputs) == 2


def test_functional_weights_file_round_trip(tmp_path, wide_and_deep):
    model, x, _ = wide_and_deep
    model.save_weights(tmp_path / "w.weights.h5")
    rebuilt = models.model_from_json(model.to_json())
    rebuilt.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), strict=True):
        np.testing.assert_array_equal(a, b)
