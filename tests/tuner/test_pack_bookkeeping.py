"""A pack's trials are claimed with one read of the study and one write, the values its
builds draw are written in one transaction before it trains, and its trials end in one
transaction, on SQLite and on PostgreSQL."""

import json
import logging
import subprocess
import sys
import time
import warnings

import optuna
import pytest
import sqlalchemy
from _postgres import postgres_server
from _transactions import WriteCounter
from optuna.distributions import FloatDistribution
from optuna.storages._rdb import models
from tuner_helpers import make_data, tiny_build_model

import neuroflow.population
import neuroflow.tuner as kt
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.storage import delete_study, make_storage
from neuroflow.tuner.study_storage import StudyStorage
from neuroflow.tuner.trial import ERROR_ATTR, PLAN_ATTR, WORKER_ATTR

STUDY = "pack"


@pytest.fixture(scope="module")
def postgres_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'study.db'}"
    url = request.getfixturevalue("postgres_url")
    delete_study(url, STUDY)
    return url


def _oracle(url, tmp_path, max_trials=10, **kwargs):
    oracle = Oracle(objective="val_loss", max_trials=max_trials, storage=url,
                    max_consecutive_failed_trials=None, **kwargs)
    oracle._configure(str(tmp_path), STUDY, False)
    _ = oracle.study
    return oracle


def _backend(oracle):
    return oracle.study._storage._backend


def _stored(url):
    return optuna.load_study(study_name=STUDY, storage=url).trials


def test_a_pack_is_claimed_with_one_read_of_the_study(url, tmp_path, monkeypatch):
    oracle = _oracle(url, tmp_path)
    reads = []
    original = StudyStorage._get_trials
    monkeypatch.setattr(StudyStorage, "_get_trials",
                        lambda self, *a, **k: reads.append(1) or original(self, *a, **k))
    trials = oracle.create_trials(6)
    assert len(reads) == 1
    assert [t.number for t in trials] == list(range(6))
    stored = _stored(url)
    assert [t.state.name for t in stored] == ["RUNNING"] * 6
    assert all(PLAN_ATTR in t.user_attrs for t in stored)


def test_a_new_trial_is_held_without_reading_it_back(url, tmp_path, monkeypatch):
    oracle = _oracle(url, tmp_path)
    reads = []
    original = optuna.storages.RDBStorage.get_trial
    monkeypatch.setattr(optuna.storages.RDBStorage, "get_trial",
                        lambda self, *a: reads.append(a) or original(self, *a))
    trials = oracle.create_trials(3)
    assert reads == []
    for trial, stored in zip(trials, _stored(url), strict=True):
        held = oracle.study._storage.get_trial(trial._trial_id)
        assert (held.number, held.state, held.datetime_start, held.user_attrs) == (
            stored.number, stored.state, stored.datetime_start, stored.user_attrs)


def test_a_pack_stops_at_max_trials(url, tmp_path):
    oracle = _oracle(url, tmp_path, max_trials=3)
    assert [t.number for t in oracle.create_trials(8)] == [0, 1, 2]
    assert oracle.create_trial(wait=False) is None
    assert len(_stored(url)) == 3


def test_a_pack_takes_the_waiting_trials_first_in_number_order(url, tmp_path):
    oracle = _oracle(url, tmp_path)
    for x in (0.25, 0.5):
        oracle.study.enqueue_trial({"x": x})
    trials = oracle.create_trials(3)
    assert [t.number for t in trials] == [0, 1, 2]
    assert [t.suggest_float("x", 0, 1) for t in trials[:2]] == [0.25, 0.5]
    assert [t.state.name for t in _stored(url)] == ["RUNNING"] * 3


def test_a_pack_ends_in_one_transaction(url, tmp_path):
    oracle = _oracle(url, tmp_path)
    trials = oracle.create_trials(5)
    for trial in trials:
        trial.set_user_attr("metrics", {"val_loss": trial.number})
    counter = WriteCounter(_backend(oracle))
    oracle.end_trials([(trials[0], 0.5, None), (trials[1], 0.25, None),
                       (trials[2], None, "ValueError: bad width"), (trials[3], float("nan"), None),
                       (trials[4], 1.5, None)])
    assert counter.writes == 1
    stored = _stored(url)
    assert [t.state.name for t in stored] == ["COMPLETE", "COMPLETE", "FAIL", "FAIL", "COMPLETE"]
    assert [t.value for t in stored] == [0.5, 0.25, None, None, 1.5]
    assert stored[2].user_attrs[ERROR_ATTR] == "ValueError: bad width"
    assert [t.user_attrs["metrics"] for t in stored] == [{"val_loss": n} for n in range(5)]
    assert all(t.datetime_complete is not None for t in stored)
    assert not _backend(oracle)._held  # the worker's heartbeat stops with its last trial


def test_a_trial_another_worker_failed_stays_failed_and_the_others_end(url, tmp_path, caplog):
    oracle = _oracle(url, tmp_path)
    trials = oracle.create_trials(3)
    reaper = make_storage(url, None, None, 0)
    reaper.set_trial_state_values(trials[1]._trial_id, optuna.trial.TrialState.FAIL)
    with caplog.at_level(logging.WARNING, logger="neuroflow.tuner"):
        oracle.end_trials([(t, 0.5, None) for t in trials])
    assert [t.state.name for t in _stored(url)] == ["COMPLETE", "FAIL", "COMPLETE"]
    assert "could not record the end of trial 1" in caplog.text
    assert not _backend(oracle)._held


def test_an_inherited_attribute_is_overwritten_at_the_end(url, tmp_path):
    """A retry carries its failed try's attributes: its own end replaces them."""
    oracle = _oracle(url, tmp_path)
    oracle.study.add_trial(optuna.trial.create_trial(
        state=optuna.trial.TrialState.WAITING, user_attrs={ERROR_ATTR: "the first try"}))
    (trial,) = oracle.create_trials(1)
    oracle.end_trials([(trial, None, "the second try")])
    (stored,) = _stored(url)
    assert stored.state.name == "FAIL" and stored.user_attrs[ERROR_ATTR] == "the second try"


def test_failed_trials_of_a_pack_are_queued_again(url, tmp_path):
    oracle = _oracle(url, tmp_path)
    oracle.max_retries_per_trial = 1
    trials = oracle.create_trials(3)
    oracle.end_trials([(trials[0], None, "boom"), (trials[1], 0.5, None),
                       (trials[2], None, "bang")])
    stored = _stored(url)
    assert [t.state.name for t in stored] == ["FAIL", "COMPLETE", "FAIL", "WAITING", "WAITING"]
    assert [t.system_attrs["failed_trial"] for t in stored[3:]] == [0, 2]


def test_a_packs_claims_are_written_in_one_transaction(url, tmp_path):
    oracle = _oracle(url, tmp_path)
    counter = WriteCounter(_backend(oracle))
    trials = oracle.create_trials(5)
    assert counter.writes == 5 + 1  # each trial's creation, then the pack's claims
    stored = _stored(url)
    assert all(PLAN_ATTR in t.user_attrs and WORKER_ATTR in t.user_attrs for t in stored)
    beating = _backend(oracle).engine.connect().execute(
        sqlalchemy.select(models.TrialHeartbeatModel.trial_id)).scalars().all()
    assert sorted(beating) == sorted(t._trial_id for t in trials)


def test_a_trial_claimed_but_not_yet_beating_is_not_reaped(url, tmp_path, monkeypatch):
    """Until its pack's claims are written a trial has no heartbeat row: another worker's
    reaper, even past the grace period, leaves it running."""
    oracle = _oracle(url, tmp_path, heartbeat_interval=1, grace_period=1)
    reaper = optuna.load_study(study_name=STUDY, storage=make_storage(url, 1, 1, 0))
    original = Oracle._commit_claims

    def reap_first(self, trials):
        time.sleep(2.1)  # past the grace period (SQLite's clock counts whole seconds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(reaper)
        original(self, trials)

    monkeypatch.setattr(Oracle, "_commit_claims", reap_first)
    oracle.create_trials(2)
    assert [t.state.name for t in _stored(url)] == ["RUNNING"] * 2


def test_a_packs_values_are_written_in_one_transaction(url, tmp_path):
    oracle = _oracle(url, tmp_path)
    trials = oracle.create_trials(4)
    counter = WriteCounter(_backend(oracle))
    drawn = [(t.suggest_int("units", 2, 8), t.suggest_float("lr", 1e-3, 1e-1, log=True))
             for t in trials]
    assert counter.writes == 0 and all(not t.params for t in _stored(url))
    # until then the worker's own reads of the study see them (samplers read this way)
    assert [(t.params["units"], t.params["lr"]) for t in oracle.study.trials] == drawn
    oracle.commit_builds(trials)
    assert counter.writes == 1
    assert [(t.params["units"], t.params["lr"]) for t in _stored(url)] == drawn
    oracle.commit_builds(trials)  # nothing left to write: no transaction
    oracle.end_trials([(t, 0.5, None) for t in trials])
    assert counter.writes == 2
    assert [(t.params["units"], t.params["lr"]) for t in _stored(url)] == drawn


@pytest.mark.parametrize("recorded", ["by a held trial", "in the database"])
def test_an_incompatible_distribution_raises_when_it_is_drawn(url, tmp_path, recorded):
    oracle = _oracle(url, tmp_path)
    if recorded == "in the database":
        oracle.study.add_trial(optuna.trial.create_trial(
            params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=1.0))
    trials = oracle.create_trials(2)
    if recorded == "by a held trial":
        trials[0].suggest_float("x", 0, 1)
    with pytest.raises(ValueError, match="different distribution kind"):
        trials[1].suggest_categorical("x", ["a", "b"])
    # Optuna's own cache is bypassed: the storage checks against what the study has
    backend = _backend(oracle)
    with pytest.raises(ValueError, match="different distribution kind"):
        backend._set_trial_param(trials[1]._trial_id, "x", 0,
                                 optuna.distributions.CategoricalDistribution(["a", "b"]), None)
    oracle.end_trials([(t, 0.5, None) for t in trials])
    assert "x" not in _stored(url)[-1].params


@pytest.mark.parametrize("pack_trials", [1, 3])
def test_a_trial_failing_in_its_build_keeps_its_values(url, tmp_path, pack_trials):
    x, y, xv, yv = make_data()
    builds = []

    def build(hp):
        model = tiny_build_model(hp)
        builds.append(1)
        if len(builds) == 1:
            raise ValueError("bad configuration")
        return model

    tuner = kt.RandomSearch(build, objective="val_loss", max_trials=2, seed=0, storage=url,
                            directory=tmp_path, project_name=STUDY, pack_trials=pack_trials,
                            max_consecutive_failed_trials=None)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    stored = _stored(url)
    assert [t.state.name for t in stored].count("FAIL") == 1
    assert all(sorted(t.params) == ["learning_rate", "units"] for t in stored)


def test_a_packs_values_are_stored_before_it_trains(url, tmp_path, monkeypatch):
    x, y, xv, yv = make_data()
    seen = []
    original = neuroflow.population.Population.fit

    def probe(self, *args, **kwargs):
        seen.append([sorted(t.params) for t in _stored(url)])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(neuroflow.population.Population, "fit", probe)
    tuner = kt.RandomSearch(tiny_build_model, objective="val_loss", max_trials=3, seed=0,
                            storage=url, directory=tmp_path, project_name=STUDY, pack_trials=3)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert seen == [[["learning_rate", "units"]] * 3]


_KILLED_WORKER = """
import json, os, signal, sys
from neuroflow.tuner.oracle import Oracle
oracle = Oracle(objective="val_loss", max_trials=10, storage=sys.argv[1], heartbeat_interval=1,
                grace_period=1)
oracle._configure(sys.argv[2], sys.argv[3], False)
trials = oracle.create_trials(3)
values = [t.suggest_float("x", 0, 1) for t in trials]
oracle.commit_builds(trials)
print(json.dumps(values), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_killed_workers_pack_is_reaped_and_retried_with_its_values(url, tmp_path):
    done = subprocess.run([sys.executable, "-c", _KILLED_WORKER, url, str(tmp_path), STUDY],
                          capture_output=True, text=True, timeout=120)
    values = json.loads(done.stdout)
    time.sleep(2.1)  # its heartbeats are past the grace period
    oracle = _oracle(url, tmp_path, heartbeat_interval=1, grace_period=1,
                     max_retries_per_trial=1)
    retries = oracle.create_trials(3)
    stored = _stored(url)
    assert [t.state.name for t in stored[:3]] == ["FAIL"] * 3
    assert [t.system_attrs["failed_trial"] for t in stored[3:]] == [0, 1, 2]
    assert [t.suggest_float("x", 0, 1) for t in retries] == values


def test_a_worker_killed_before_its_claims_were_written_has_its_trials_retried(url, tmp_path):
    """A worker that dies between creating a pack's trials and writing their claims leaves
    running trials without heartbeat rows (here created by a storage without heartbeats):
    another worker fails them once it has seen them so for the grace period, and retries
    them; not at first sight, when their worker may still be claiming."""
    oracle = _oracle(url, tmp_path, max_trials=3, heartbeat_interval=1, grace_period=1,
                     max_retries_per_trial=1)
    orphans = optuna.load_study(study_name=STUDY, storage=optuna.storages.RDBStorage(url))
    for _ in range(3):
        orphans.ask()
    assert oracle._hand_out(3, wait=False) == []  # first sight: they may still be claimed
    time.sleep(1.2)  # seen without heartbeats for longer than the grace period
    retries = oracle._hand_out(3, wait=False)
    stored = _stored(url)
    assert [t.state.name for t in stored[:3]] == ["FAIL"] * 3
    assert [t.system_attrs["failed_trial"] for t in stored[3:]] == [0, 1, 2]
    assert [t.number for t in retries] == [3, 4, 5]


def test_a_value_written_before_the_end_is_replaced_by_it(url, tmp_path):
    oracle = _oracle(url, tmp_path)
    trials = oracle.create_trials(2)
    # Optuna writes the values it is given even where it refuses the state change
    _backend(oracle).set_trial_state_values(trials[0]._trial_id,
                                            optuna.trial.TrialState.RUNNING, [9.0])
    assert _stored(url)[0].values == [9.0]
    oracle.end_trials([(trials[0], 0.5, None), (trials[1], float("inf"), None)])
    assert [t.value for t in _stored(url)] == [0.5, float("inf")]
