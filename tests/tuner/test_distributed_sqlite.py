"""Three worker processes share one SQLite study; one of them may die mid-trial."""

import pytest
from _workers import load_study, ran_trials, start_workers, wait_all

pytestmark = pytest.mark.slow

TRIALS = 9


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("sqlite-workers")
    storage = f"sqlite:///{run_dir / 'study.db'}"
    results = wait_all(start_workers(run_dir, storage, workers=3, trials=TRIALS))
    return run_dir, storage, results


def test_every_worker_exits_cleanly(shared_run):
    _, _, results = shared_run
    assert [rc for rc, _, _ in results] == [0, 0, 0], [err[-2000:] for _, _, err in results]


def test_workers_complete_exactly_max_trials(shared_run):
    _, storage, _ = shared_run
    states = [t.state.name for t in load_study(storage).trials]
    assert states.count("COMPLETE") == TRIALS and "RUNNING" not in states


def test_no_trial_runs_twice(shared_run):
    run_dir, _, _ = shared_run
    ran = ran_trials(run_dir)
    assert len(ran) == len(set(ran)) == TRIALS


def test_the_work_is_shared(shared_run):
    run_dir, _, _ = shared_run
    assert sum(1 for log in run_dir.glob("ran-*") if log.read_text().strip()) >= 2


def test_every_worker_sees_the_global_best(shared_run):
    _, storage, results = shared_run
    best = load_study(storage).best_trial.number
    lines = [next(line for line in out.splitlines() if line.startswith("Best trial"))
             for _, out, _ in results]
    assert all(line.startswith(f"Best trial so far: {best:04d},") for line in lines)


def test_killed_worker_trial_fails_and_the_search_completes(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    results = wait_all(start_workers(tmp_path, storage, workers=3, trials=6, kill_one=True))
    states = [t.state.name for t in load_study(storage).trials]
    assert [rc for rc, _, _ in results] == [-9, 0, 0]
    # exactly the killed worker's trial fails: no live worker's trial is taken for dead,
    # and no two workers race for the last free place (test_claims.py)
    assert states.count("COMPLETE") == 6 and states.count("FAIL") == 1


def test_killed_worker_trial_is_retried_with_its_values(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    wait_all(start_workers(tmp_path, storage, workers=3, trials=6, kill_one=True, retries=1))
    trials = load_study(storage).trials
    failed = next(t for t in trials if t.state.name == "FAIL")
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == failed.number)
    assert retry.state.name == "COMPLETE" and retry.params == failed.params
