"""Failing trials: recorded, replaced, and a stop after too many in a row."""

import pytest
from tuner_helpers import tiny_build_model

import neuroflow.tuner as kt


def _search(tmp_path, data, build, max_trials, **kwargs):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(build, objective="val_loss", max_trials=max_trials, seed=0,
                            directory=str(tmp_path), project_name="p", **kwargs)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    return tuner


def test_failed_trial_is_replaced_so_max_trials_complete(tmp_path, data):
    state = {"builds": 0}

    def build(hp):
        state["builds"] += 1
        if state["builds"] == 2:
            raise ValueError("bad configuration")
        return tiny_build_model(hp)

    tuner = _search(tmp_path, data, build, 3)
    statuses = [t.status for t in tuner.oracle.trials.values()]
    assert statuses.count("COMPLETED") == 3 and statuses.count("FAILED") == 1


def test_failed_trial_records_its_error(tmp_path, data):
    state = {"builds": 0}

    def build(hp):
        state["builds"] += 1
        if state["builds"] == 1:
            raise ValueError("bad configuration")
        return tiny_build_model(hp)

    tuner = _search(tmp_path, data, build, 1)
    assert "ValueError: bad configuration" in tuner.oracle.get_trial(0).message


def test_consecutive_failures_stop_the_search(tmp_path, data):
    def build(hp):
        hp.Int("units", 1, 4)
        raise ValueError("always broken")

    with pytest.raises(RuntimeError, match="2 consecutive failed trials.*always broken"):
        _search(tmp_path, data, build, 5, max_consecutive_failed_trials=2)


def test_failed_trial_is_retried_with_the_same_values(tmp_path, data):
    state = {"builds": 0}

    def build(hp):
        state["builds"] += 1
        model = tiny_build_model(hp)
        if state["builds"] == 1:
            raise kt.FailedTrialError("flaky")
        return model

    tuner = _search(tmp_path, data, build, 1, max_retries_per_trial=1)
    failed, retried = tuner.oracle.trials.values()
    assert retried.status == "COMPLETED"
    assert retried.hyperparameters.values == failed.hyperparameters.values


def test_build_returning_none_stops_the_search(tmp_path, data):
    with pytest.raises(kt.FatalError, match="returned None"):
        _search(tmp_path, data, lambda hp: None, 2)
