"""A pack's trials are claimed with one read of the study and end in one transaction,
on SQLite and on PostgreSQL."""

import logging

import optuna
import pytest
from _postgres import postgres_server
from _transactions import WriteCounter

from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.storage import delete_study, make_storage
from neuroflow.tuner.study_storage import StudyStorage
from neuroflow.tuner.trial import ERROR_ATTR, PLAN_ATTR

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


def _oracle(url, tmp_path, max_trials=10):
    oracle = Oracle(objective="val_loss", max_trials=max_trials, storage=url,
                    max_consecutive_failed_trials=None)
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
