"""Three worker processes share one study on a real PostgreSQL server (as across machines)."""

import pytest
from _postgres import postgres_server
from _workers import load_study, ran_trials, start_workers, wait_all

pytestmark = pytest.mark.slow

TRIALS = 6


@pytest.fixture(scope="module")
def postgres_url():
    with postgres_server() as url:
        yield url


def test_workers_share_a_postgres_study(tmp_path, postgres_url):
    results = wait_all(start_workers(tmp_path, postgres_url, workers=3, trials=TRIALS))
    assert [rc for rc, _, _ in results] == [0, 0, 0], [err[-2000:] for _, _, err in results]
    states = [t.state.name for t in load_study(postgres_url).trials]
    ran = ran_trials(tmp_path)
    assert states.count("COMPLETE") == TRIALS and len(ran) == len(set(ran)) == TRIALS


def test_killed_worker_does_not_stop_a_postgres_search(tmp_path, postgres_url):
    from neuroflow.tuner.storage import delete_study

    # the other test may have run on this server (or, under xdist, on another one)
    delete_study(postgres_url, "shared")
    results = wait_all(start_workers(tmp_path, postgres_url, workers=3, trials=TRIALS,
                                     kill_one=True))
    states = [t.state.name for t in load_study(postgres_url).trials]
    assert [rc for rc, _, _ in results] == [-9, 0, 0]
    assert states.count("COMPLETE") == TRIALS and states.count("FAIL") == 1
