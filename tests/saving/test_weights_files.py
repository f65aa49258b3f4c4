"""save_weights / load_weights for Sequential and subclassed models."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow import backend, layers, models


class TwoLayer(models.Model):
    def __init__(self, hidden: int = 6, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden, activation="relu")
        self.out = layers.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def _subclassed(hidden: int = 6, seed: int = 0) -> TwoLayer:
    backend.set_seed(seed)
    model = TwoLayer(hidden)
    model.build((None, 4))
    return model


def test_subclassed_weights_round_trip(tmp_path, data):
    x, _ = data
    source = _subclassed(seed=0)
    source.save_weights(tmp_path / "w.weights.h5")
    target = _subclassed(seed=1)
    target.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(target.predict(x, verbose=0), source.predict(x, verbose=0))


def test_sequential_weights_load_into_fresh_model(tmp_path, make_sequential, trained, data):
    x, _ = data
    trained.save_weights(tmp_path / "w.weights.h5")
    fresh = make_sequential(compiled=False)
    fresh.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), trained.predict(x, verbose=0))


def test_shape_mismatch_names_the_layer(tmp_path):
    _subclassed(hidden=6).save_weights(tmp_path / "w.weights.h5")
    target = _subclassed(hidden=7)
    with pytest.raises(ValueError, match=r"layer '.*' \(Dense\).*\(4, 7\).*\(4, 6\)"):
        target.load_weights(tmp_path / "w.weights.h5")


def test_shape_mismatch_assigns_nothing(tmp_path):
    _subclassed(hidden=6).save_weights(tmp_path / "w.weights.h5")
    target = _subclassed(hidden=7)
    before = target.get_weights()
    with pytest.raises(ValueError):
        target.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(target.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_skip_mismatch_loads_matching_layers(tmp_path):
    source = _subclassed(hidden=6)
    source.save_weights(tmp_path / "w.weights.h5")
    target = _subclassed(hidden=7)
    with pytest.warns(UserWarning, match="Skipping"):
        target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(target.out.bias.data, source.out.bias.data)


def test_missing_layer_in_file_is_named(tmp_path):
    backend.set_seed(0)
    small = models.Sequential([layers.Dense(3, input_shape=(4,))])
    small.save_weights(tmp_path / "w.weights.h5")
    big = models.Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(2)])
    with pytest.raises(ValueError, match=r"no weights for layer '.*' \(Dense\)"):
        big.load_weights(tmp_path / "w.weights.h5")


def test_unbuilt_model_gets_build_first_error(tmp_path):
    _subclassed().save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="not built"):
        TwoLayer().load_weights(tmp_path / "w.weights.h5")


def test_load_weights_from_full_model_file(tmp_path, make_sequential, trained, data):
    x, _ = data
    trained.save(tmp_path / "m.keras")
    fresh = make_sequential(compiled=False)
    fresh.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), trained.predict(x, verbose=0))


def test_load_model_on_weights_file_points_to_load_weights(tmp_path, trained):
    trained.save_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ValueError, match="load_weights"):
        models.load_model(tmp_path / "w.weights.h5")


def test_save_weights_refuses_other_extensions(tmp_path, trained):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        trained.save_weights(tmp_path / "w.keras")


def test_tf_keras_weights_name_without_extension_round_trips(tmp_path, make_sequential,
                                                             trained, data):
    x, _ = data
    trained.save_weights(tmp_path / "my_weights")
    fresh = make_sequential(compiled=False)
    fresh.load_weights(tmp_path / "my_weights")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), trained.predict(x, verbose=0))
