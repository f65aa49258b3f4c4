"""The worker entry point (`python -m neuroflow.tuner`, `neuroflow tune`)."""

import textwrap

from neuroflow.tuner.worker import main, run_worker


def _write(path, body):
    path.write_text(textwrap.dedent(body))
    return path


def test_missing_search_file_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path / "none.py")]) == 1
    assert "no search file" in capsys.readouterr().err


def test_search_file_without_tuner_is_an_error(tmp_path, capsys):
    path = _write(tmp_path / "search.py", "x = 1\n")
    assert main([str(path)]) == 1
    assert "must define `tuner`" in capsys.readouterr().err


def _search_file(tmp_path):
    return _write(tmp_path / "search.py", f'''
        import numpy as np
        import neuroflow as keras
        import neuroflow.tuner as kt

        def build(hp):
            model = keras.Sequential([keras.layers.Dense(hp.Int("units", 1, 4)),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", optimizer="sgd")
            return model

        x = np.zeros((8, 2), dtype="float32")
        tuner = kt.RandomSearch(build, objective="val_loss", max_trials=5, overwrite=True,
                                directory={str(tmp_path)!r}, project_name="w")
        search_args = (x, x[:, :1])
        search_kwargs = {{"epochs": 1, "validation_data": (x, x[:, :1]), "verbose": 0}}
        if __name__ == "__main__":
            raise SystemExit("the worker must not run the file as __main__")
    ''')


def test_worker_runs_the_search_of_the_file(tmp_path):
    tuner = run_worker(_search_file(tmp_path), max_trials=2)
    assert len(tuner.oracle.get_best_trials(10)) == 2


def test_worker_storage_option_overrides_the_file(tmp_path):
    storage = f"sqlite:///{tmp_path / 'other.db'}"
    tuner = run_worker(_search_file(tmp_path), storage=storage, max_trials=1)
    assert tuner.oracle.storage == storage and (tmp_path / "other.db").exists()


def test_worker_joins_instead_of_overwriting(tmp_path):
    path = _search_file(tmp_path)
    run_worker(path, max_trials=1)
    tuner = run_worker(path, max_trials=2)
    assert len(tuner.oracle.get_best_trials(10)) == 2


def test_worker_prints_the_best_trial(tmp_path, capsys):
    assert main([str(_search_file(tmp_path)), "--max-trials", "1"]) == 0
    assert "Best trial so far: 0000" in capsys.readouterr().out
