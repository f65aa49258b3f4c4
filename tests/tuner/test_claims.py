"""Claims in turn, a trial's writes batched, heartbeats a busy worker cannot miss."""

import contextlib
import sqlite3
import subprocess
import sys
import threading
import time

import optuna
import pytest
from _transactions import WriteCounter
from tuner_helpers import make_data
from tuner_helpers import tiny_build_model as _build

import neuroflow.tuner as kt
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.storage import make_storage
from neuroflow.tuner.study_storage import StudyStorage
from neuroflow.tuner.trial import PLAN_ATTR, SURPLUS_ATTR, WORKER_ATTR


def _oracle(tmp_path, max_trials=1):
    oracle = Oracle(objective="val_loss", max_trials=max_trials,
                    storage=f"sqlite:///{tmp_path / 'study.db'}")
    oracle._configure(str(tmp_path), "race", False)
    return oracle


def _race(tmp_path):
    """Worker A reads the study (one free place), then waits up to 1 s for worker B to
    claim before it asks: B's whole claim falls inside A's check-then-ask window."""
    a, b = _oracle(tmp_path), _oracle(tmp_path)
    _ = a.study, b.study
    a_read, b_done = threading.Event(), threading.Event()
    exhausted = a._exhausted

    def slow_exhausted(trials):
        result = exhausted(trials)
        if not a_read.is_set():
            a_read.set()
            b_done.wait(0.5)
        return result

    a._exhausted = slow_exhausted
    got = {}

    def run_b():
        a_read.wait()
        got["b"] = b.create_trial(wait=False)
        b_done.set()

    thread = threading.Thread(target=run_b)
    thread.start()
    got["a"] = a.create_trial(wait=False)
    thread.join()
    return got, optuna.load_study(study_name="race", storage=a.storage).trials


def test_two_workers_racing_for_the_last_place_create_one_trial(tmp_path):
    got, trials = _race(tmp_path)
    assert [t.state.name for t in trials] == ["RUNNING"]
    assert (got["a"] is None) != (got["b"] is None)


def test_without_a_claim_lock_the_loser_is_discarded_as_surplus(tmp_path, monkeypatch):
    monkeypatch.setattr(StudyStorage, "claims", lambda self, study_id: contextlib.nullcontext())
    got, trials = _race(tmp_path)
    assert sorted(t.state.name for t in trials) == ["FAIL", "RUNNING"]
    assert next(t for t in trials if t.state.name == "FAIL").user_attrs[SURPLUS_ATTR]
    assert got["b"] is not None and got["a"] is None


def test_a_claim_waits_for_the_lock_a_dead_holder_dropped(tmp_path):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from neuroflow.tuner.storage import make_storage\n"
         f"with make_storage({url!r}, None, None, 0).claims(1):\n"
         "    print('held', flush=True); time.sleep(60)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        acquired = threading.Event()

        def claim():
            with make_storage(url, None, None, 0).claims(1) as locked:
                acquired.set() if locked else None

        thread = threading.Thread(target=claim)
        thread.start()
        assert not acquired.wait(0.5)
    finally:
        holder.kill()
        holder.wait()
    thread.join(10)
    assert acquired.is_set()


@pytest.mark.parametrize("pack_trials", [1, 4])
def test_a_trial_writes_in_few_transactions(tmp_path, pack_trials):
    x, y, xv, yv = make_data()
    tuner = kt.RandomSearch(_build, objective="val_loss", max_trials=4, seed=0,
                            directory=tmp_path, project_name="p", pack_trials=pack_trials)
    tuner._ensure_project()
    counter = WriteCounter(tuner.oracle.study._storage._backend)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    states = [t.state.name for t in tuner.oracle.study.trials]
    # per trial: ask; per pack: the claims (plans, hosts, workers, heartbeat rows), the
    # values its builds drew, the ends of its trials with their results
    assert states == ["COMPLETE"] * 4 and counter.writes == 4 + 3 * (4 // pack_trials)


def test_a_claimed_trial_is_recorded_before_it_trains(tmp_path):
    """What the others need when this worker dies mid-trial is in the database."""
    x, y, xv, yv = make_data()
    seen = {}
    url = f"sqlite:///{tmp_path / 'study.db'}"

    class Probe(kt.HyperModel):
        def build(self, hp):
            return _build(hp)

        def fit(self, hp, model, *args, **kwargs):
            stored = optuna.load_study(study_name="p", storage=url).trials[0]
            with contextlib.closing(sqlite3.connect(tmp_path / "study.db")) as db:
                beats = db.execute("SELECT count(*) FROM trial_heartbeats").fetchone()[0]
            seen.update(attrs=stored.user_attrs, params=stored.params, beats=beats)
            return model.fit(*args, **kwargs)

    tuner = kt.RandomSearch(Probe(), objective="val_loss", max_trials=1, seed=0,
                            storage=url, directory=tmp_path, project_name="p")
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert PLAN_ATTR in seen["attrs"] and WORKER_ATTR in seen["attrs"]
    assert sorted(seen["params"]) == ["learning_rate", "units"] and seen["beats"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("stall", ["python", "sleep"])
def test_a_worker_busy_past_its_grace_period_keeps_its_trial(tmp_path, stall):
    """Training that holds the GIL (pure Python) or blocks (sleep) for twice the grace
    period: the heartbeat thread still beats, so the reaper fails nothing."""
    x, y, xv, yv = make_data()
    url = f"sqlite:///{tmp_path / 'study.db'}"

    class Stalling(kt.HyperModel):
        def build(self, hp):
            return _build(hp)

        def fit(self, hp, model, *args, **kwargs):
            end = time.monotonic() + 4.0
            if stall == "sleep":
                time.sleep(4.0)
            while time.monotonic() < end:
                sum(range(1000))
            return model.fit(*args, **kwargs)

    tuner = kt.RandomSearch(Stalling(), objective="val_loss", max_trials=1, seed=0,
                            storage=url, directory=tmp_path, project_name="p",
                            heartbeat_interval=1, grace_period=2)
    tuner._ensure_project()
    reaper = optuna.load_study(study_name="p", storage=make_storage(url, 1, 2, 0))
    done = threading.Event()

    def reap():
        while not done.wait(0.2):
            optuna.storages.fail_stale_trials(reaper)

    thread = threading.Thread(target=reap)
    thread.start()
    try:
        tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    finally:
        done.set()
        thread.join()
    assert [t.state.name for t in tuner.oracle.study.trials] == ["COMPLETE"]
