"""The chapter's RandomSearch code, run as written on small data."""

import numpy as np
import pytest
from tuner_helpers import chapter_build_model, make_data, tiny_build_model

import neuroflow.tuner as kt


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    data = make_data()
    x, y, xv, yv = data
    tmp_path = tmp_path_factory.mktemp("chapter")
    tuner = kt.RandomSearch(chapter_build_model, objective="val_accuracy", max_trials=3,
                            overwrite=True, directory=str(tmp_path / "my_fashion_mnist"),
                            project_name="my_rnd_search", seed=42)
    tuner.search(x, y, epochs=2, validation_data=(xv, yv), verbose=0)
    return tuner, data


def test_search_completes_max_trials(searched):
    tuner, _ = searched
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"] * 3


def test_best_hyperparameters_are_sorted_by_score(searched):
    tuner, _ = searched
    scores = [t.score for t in tuner.oracle.get_best_trials(3)]
    best_values = [hp.values for hp in tuner.get_best_hyperparameters(num_trials=3)]
    assert scores == sorted(scores, reverse=True)
    assert best_values[0] == tuner.oracle.get_best_trials(1)[0].hyperparameters.values


def test_best_values_hold_the_chapter_hyperparameters(searched):
    tuner, _ = searched
    values = tuner.get_best_hyperparameters(num_trials=1)[0].values
    assert set(values) == {"n_hidden", "n_neurons", "learning_rate", "optimizer"}


def test_best_model_is_restored_from_the_best_epoch_not_retrained(searched):
    tuner, (_, _, xv, yv) = searched
    best_model = tuner.get_best_models(num_models=3)[0]
    _, accuracy = best_model.evaluate(xv, yv, verbose=0)
    assert accuracy == pytest.approx(tuner.oracle.get_best_trials(1)[0].score, abs=1e-6)


def test_best_trial_metrics_last_value_is_the_score(searched):
    tuner, _ = searched
    best_trial = tuner.oracle.get_best_trials(num_trials=1)[0]
    assert best_trial.metrics.get_last_value("val_accuracy") == pytest.approx(best_trial.score)


def test_best_trial_summary_prints_values_and_score(searched, capsys):
    tuner, _ = searched
    tuner.oracle.get_best_trials(num_trials=1)[0].summary()
    out = capsys.readouterr().out
    assert "n_neurons:" in out and "Score:" in out


def test_results_summary_shows_the_objective(searched, capsys):
    tuner, _ = searched
    tuner.results_summary(num_trials=2)
    out = capsys.readouterr().out
    assert "Objective(name='val_accuracy', direction='max')" in out
    assert out.count("\nTrial ") == 2


def test_search_space_summary_lists_the_chapter_space(tmp_path, capsys):
    tuner = kt.RandomSearch(chapter_build_model, objective="val_accuracy", max_trials=1,
                            directory=str(tmp_path), project_name="p")
    tuner.search_space_summary()
    out = capsys.readouterr().out
    assert "Default search space size: 4" in out and "learning_rate (Float)" in out


def test_same_seed_gives_the_same_trials(tmp_path, data):
    x, y, xv, yv = data
    runs = []
    for name in ("a", "b"):
        tuner = kt.RandomSearch(tiny_build_model, objective="val_loss", max_trials=2, seed=7,
                                directory=str(tmp_path), project_name=name)
        tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
        runs.append([t.hyperparameters.values for t in tuner.oracle.trials.values()])
    assert runs[0] == runs[1]


def test_progress_display_reports_each_trial(tmp_path, data, capsys):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(tiny_build_model, objective="val_loss", max_trials=2,
                            directory=str(tmp_path), project_name="p")
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=1)
    out = capsys.readouterr().out
    assert "Search: Running Trial #2" in out and "Best val_loss So Far:" in out


def test_log_sampled_values_stay_in_range(tmp_path, data):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(tiny_build_model, objective="val_loss", max_trials=4, seed=1,
                            directory=str(tmp_path), project_name="p")
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    rates = np.array([t.hyperparameters["learning_rate"] for t in tuner.oracle.trials.values()])
    assert np.all((rates >= 1e-3) & (rates <= 1e-1))


def test_executions_per_trial_average_the_scores(tmp_path, data):
    x, y, xv, yv = data
    tuner = kt.RandomSearch(tiny_build_model, objective="val_loss", max_trials=1,
                            executions_per_trial=2, directory=str(tmp_path), project_name="p")
    calls = []
    original = tuner.hypermodel.fit
    tuner.hypermodel.fit = lambda hp, model, *a, **k: calls.append(1) or original(hp, model, *a,
                                                                                 **k)
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert len(calls) == 2


def test_missing_objective_metric_stops_the_search(tmp_path, data):
    x, y, _, _ = data
    tuner = kt.RandomSearch(tiny_build_model, objective="val_accuracy", max_trials=2,
                            directory=str(tmp_path), project_name="p")
    with pytest.raises(kt.FatalError, match="pass validation_data"):
        tuner.search(x, y, epochs=1, verbose=0)
