"""GridSearch: every combination, in order, conditional values only where active."""

import pytest

import neuroflow as keras
import neuroflow.tuner as kt
from neuroflow.tuner.grid_search import discover_space, grid_points


def test_grid_points_vary_the_last_hyperparameter_fastest():
    hp = kt.HyperParameters()
    hp.Choice("model_name", ["sgd", "adam"])
    hp.Choice("learning_rate", [0.01, 0.1])
    assert [tuple(p.values()) for p in grid_points(hp.space)] == [
        ("sgd", 0.01), ("sgd", 0.1), ("adam", 0.01), ("adam", 0.1)]


def test_grid_points_skip_inactive_conditional_values():
    hp = kt.HyperParameters()
    hp.Boolean("hidden")
    hp.Int("units", 1, 3, parent_name="hidden", parent_values=[True])
    assert grid_points(hp.space) == [
        {"hidden": False}, {"hidden": True, "units": 1}, {"hidden": True, "units": 2},
        {"hidden": True, "units": 3}]


def test_discovery_finds_hyperparameters_behind_conditions():
    def build(hp):
        if hp.Choice("kind", ["linear", "mlp"]) == "mlp":
            hp.Int("units", 4, 8, step=4)

    assert [h.name for h in discover_space(build)] == ["kind", "units"]


def _build(hp):
    units = hp.Choice("units", [2, 4])
    with hp.conditional_scope("units", [4]):
        hp.Boolean("second_layer")
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(units, "relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    return model


def test_grid_search_runs_each_point_once(tmp_path, data):
    x, y, xv, yv = data
    tuner = kt.GridSearch(_build, objective="val_accuracy", directory=str(tmp_path),
                          project_name="grid")
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    seen = [t.hyperparameters.values for t in tuner.oracle.trials.values()]
    assert seen == [{"units": 2}, {"units": 4, "second_layer": False},
                    {"units": 4, "second_layer": True}]


def test_grid_search_max_trials_caps_the_points(tmp_path, data):
    x, y, xv, yv = data
    tuner = kt.GridSearch(_build, objective="val_accuracy", max_trials=2,
                          directory=str(tmp_path), project_name="grid")
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert len(tuner.oracle.trials) == 2


def test_grid_too_large_is_refused():
    hp = kt.HyperParameters()
    for i in range(7):
        hp.Float(f"f{i}", 0.0, 1.0)
    with pytest.raises(ValueError, match="use RandomSearch"):
        grid_points(hp.space)
