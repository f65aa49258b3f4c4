"""The tuners train trials in packs (neuroflow.population) with the results of one at a time."""

from __future__ import annotations

import numpy as np
import pytest
from tuner_helpers import tiny_build_model

import neuroflow as keras
import neuroflow.tuner as kt


def _scores(tuner):
    return {t.trial_id: (t.hyperparameters.values, t.score) for t in tuner.oracle.trials.values()}


def _search(make, tmp_path, name, pack_trials, data, global_seed=11, **search):
    x, y, xv, yv = data
    tuner = make(directory=tmp_path, project_name=name, pack_trials=pack_trials)
    keras.utils.set_random_seed(global_seed)
    search = {"shuffle": False, **search}
    tuner.search(x, y, epochs=2, validation_data=(xv, yv), verbose=0, **search)
    return tuner


TUNERS = {
    "random": lambda **kw: kt.RandomSearch(tiny_build_model, objective="val_loss",
                                           max_trials=5, seed=3, **kw),
    "grid": lambda **kw: kt.GridSearch(tiny_build_model, objective="val_loss", max_trials=4,
                                       seed=3, **kw),
    "hyperband": lambda **kw: kt.Hyperband(tiny_build_model, objective="val_loss",
                                           max_epochs=3, factor=3, seed=3, **kw),
    "executions": lambda **kw: kt.RandomSearch(tiny_build_model, objective="val_loss",
                                               max_trials=3, seed=3, executions_per_trial=2,
                                               **kw),
}


@pytest.mark.parametrize("kind", [
    "random", *(pytest.param(k, marks=pytest.mark.slow) for k in sorted(TUNERS) if k != "random")])
def test_packed_search_records_what_one_at_a_time_records(kind, tmp_path, data):
    packed = _search(TUNERS[kind], tmp_path, "packed", 64, data)
    alone = _search(TUNERS[kind], tmp_path, "alone", 1, data)
    assert packed.peak_pack_bytes > 0 and alone.peak_pack_bytes == 0
    got, want = _scores(packed), _scores(alone)
    assert sorted(got) == sorted(want)
    for trial_id, (values, score) in want.items():
        assert got[trial_id][0] == values
        np.testing.assert_allclose(got[trial_id][1], score, rtol=1e-4)
    best = packed.get_best_models(1)[0]
    assert best.predict(data[0][:3], verbose=0).shape == (3, 2)


@pytest.mark.parametrize("pack_trials", [2, 64])
def test_a_trial_trains_the_same_alone_or_packed_whatever_trained_before(
        pack_trials, tmp_path, data):
    # each trial draws its weights, shuffles and dropout masks from its own generator
    # (search seed, trial number, execution): packs of any size, shuffled batches
    alone = _search(TUNERS["random"], tmp_path, "alone", 1, data, shuffle=True)
    packed = _search(TUNERS["random"], tmp_path, f"packed{pack_trials}", pack_trials, data,
                     shuffle=True)
    got, want = _scores(packed), _scores(alone)
    assert sorted(got) == sorted(want) and len(want) == 5
    for trial_id, (values, score) in want.items():
        assert got[trial_id][0] == values
        np.testing.assert_allclose(got[trial_id][1], score, rtol=1e-4)
    # another global seed, the same search seed: the trials do not change
    again = _search(TUNERS["random"], tmp_path, "again", 1, data, global_seed=12, shuffle=True)
    for trial_id, (_, score) in want.items():
        assert _scores(again)[trial_id][1] == score


@pytest.mark.slow
def test_bayesian_optimization_asks_for_a_batch_and_completes(tmp_path, data):
    make = lambda **kw: kt.BayesianOptimization(  # noqa: E731
        tiny_build_model, objective="val_loss", max_trials=5, num_initial_points=2, seed=3,
        **kw)
    tuner = _search(make, tmp_path, "bayes", 3, data)
    states = [t.status for t in tuner.oracle.trials.values()]
    assert states.count("COMPLETED") == 5 and tuner.peak_pack_bytes > 0
    assert len({tuple(sorted(t.hyperparameters.values.items()))
                for t in tuner.oracle.trials.values()}) == 5  # a batch of distinct candidates


@pytest.mark.slow
def test_memory_budget_bounds_the_packs(tmp_path, data):
    tuner = TUNERS["random"](directory=tmp_path, project_name="budget", pack_trials=5,
                             pack_memory_budget=1)
    x, y, xv, yv = data
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    single = tuner.peak_pack_bytes
    roomy = TUNERS["random"](directory=tmp_path, project_name="roomy", pack_trials=5)
    roomy.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert single == 0 < roomy.peak_pack_bytes  # a budget below two members: no pack at all


def test_a_hypermodel_fit_override_trains_one_trial_at_a_time(tmp_path, data):
    calls = []

    class Custom(kt.HyperModel):
        def build(self, hp):
            return tiny_build_model(hp)

        def fit(self, hp, model, *args, **kwargs):
            calls.append(hp.values)
            return model.fit(*args, **kwargs)

    x, y, xv, yv = data
    tuner = kt.RandomSearch(Custom(), objective="val_loss", max_trials=3, seed=1,
                            directory=tmp_path, project_name="custom")
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert len(calls) == 3 and tuner.peak_pack_bytes == 0


def test_bad_pack_trials_is_refused(tmp_path):
    with pytest.raises(ValueError, match="pack_trials"):
        kt.RandomSearch(tiny_build_model, objective="val_loss", directory=tmp_path,
                        pack_trials=0)
