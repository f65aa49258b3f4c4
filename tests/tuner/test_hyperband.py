"""Hyperband: the schedule, and promoted trials resuming from their checkpoints."""

import pytest
from tuner_helpers import chapter_build_model, make_data, tiny_build_model

import neuroflow as keras
import neuroflow.tuner as kt
from neuroflow.tuner.hyperband import hyperband_schedule


def test_schedule_brackets_for_three_epochs():
    places = hyperband_schedule(max_epochs=3, factor=3)
    shape = [(p["bracket"], p["round"], p["epochs"], p["initial_epoch"]) for p in places]
    assert shape == [(1, 0, 1, 0)] * 3 + [(1, 1, 3, 1)] + [(0, 0, 3, 0)] * 2


def test_schedule_repeats_for_each_iteration():
    assert len(hyperband_schedule(9, 3, iterations=2)) == 2 * len(hyperband_schedule(9, 3))


def test_schedule_last_round_trains_max_epochs():
    assert max(p["epochs"] for p in hyperband_schedule(10, 3)) == 10


def test_factor_below_two_is_refused():
    with pytest.raises(ValueError, match="factor must be an integer >= 2"):
        kt.Hyperband(tiny_build_model, objective="val_loss", max_epochs=3, factor=1)


@pytest.fixture(scope="module")
def hyperband(tmp_path_factory):
    keras.utils.set_random_seed(0)
    x, y, xv, yv = make_data()
    tuner = kt.Hyperband(tiny_build_model, objective="val_loss", max_epochs=3, factor=3,
                         seed=1, directory=str(tmp_path_factory.mktemp("hb")),
                         project_name="hb")
    tuner.search(x, y, epochs=50, validation_data=(xv, yv), verbose=0)
    return tuner


def test_hyperband_runs_the_whole_schedule(hyperband):
    assert [t.status for t in hyperband.oracle.trials.values()] == ["COMPLETED"] * 6


def test_promoted_trial_takes_the_best_values_of_the_round_before(hyperband):
    trials = list(hyperband.oracle.trials.values())
    best_first_round = min(trials[:3], key=lambda t: t.score)
    assert trials[3].plan["source"] == best_first_round.number
    assert trials[3].hyperparameters.values == best_first_round.hyperparameters.values


def test_promoted_trial_trains_only_the_remaining_epochs(hyperband):
    promoted = list(hyperband.oracle.trials.values())[3]
    assert len(promoted.history) == 2


def test_promoted_trial_starts_from_the_checkpoint(hyperband):
    trials = list(hyperband.oracle.trials.values())
    source = trials[trials[3].plan["source"]]
    assert trials[3].history[0]["loss"] < source.history[0]["loss"]


class MyClassificationHyperModel(kt.HyperModel):
    def build(self, hp):
        return chapter_build_model(hp)

    def fit(self, hp, model, X, y, **kwargs):
        if hp.Boolean("normalize"):
            norm_layer = keras.layers.Normalization()
            X = norm_layer(X)
        return model.fit(X, y, **kwargs)


@pytest.mark.slow
def test_chapter_hyperband_with_a_hypermodel(tmp_path, data):
    x, y, xv, yv = data
    hyperband_tuner = kt.Hyperband(
        MyClassificationHyperModel(), objective="val_accuracy", seed=42, max_epochs=3,
        factor=3, hyperband_iterations=2, overwrite=True,
        directory=str(tmp_path / "my_fashion_mnist"), project_name="hyperband")
    hyperband_tuner.search(x, y, epochs=10, validation_data=(xv, yv), verbose=0)
    best = hyperband_tuner.get_best_hyperparameters()[0].values
    assert len(hyperband_tuner.oracle.trials) == 12 and "normalize" in best
