"""BayesianOptimization: a Gaussian process proposes the trials after random ones."""

import math

import optuna
import pytest
from tuner_helpers import chapter_build_model

import neuroflow as keras
import neuroflow.tuner as kt
from neuroflow.tuner.gp_sampler import GPSampler
from neuroflow.tuner.samplers import SeededRandomSampler

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _best_of(sampler, trials=16):
    study = optuna.create_study(sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", 0.0, 1.0) - 0.3) ** 2
                   + (math.log10(t.suggest_float("lr", 1e-4, 1e-1, log=True)) + 2.5) ** 2,
                   n_trials=trials)
    return study.best_value


def test_gp_sampler_finds_a_known_minimum():
    assert _best_of(GPSampler(seed=0, num_initial_points=6, beta=1.0)) < 0.01


def test_gp_sampler_beats_random_sampling_with_the_same_budget():
    gp = _best_of(GPSampler(seed=0, num_initial_points=6), trials=20)
    assert gp < _best_of(SeededRandomSampler(0), trials=20)


def test_gp_sampler_refuses_negative_beta():
    with pytest.raises(ValueError, match="non-negative"):
        GPSampler(beta=-1.0)


class MyClassificationHyperModel(kt.HyperModel):
    def build(self, hp):
        return chapter_build_model(hp)

    def fit(self, hp, model, X, y, **kwargs):
        if hp.Boolean("normalize"):
            norm_layer = keras.layers.Normalization()
            X = norm_layer(X)
        return model.fit(X, y, **kwargs)


@pytest.mark.slow
def test_chapter_bayesian_optimization_runs(tmp_path, data):
    x, y, xv, yv = data
    bayesian_opt_tuner = kt.BayesianOptimization(
        MyClassificationHyperModel(), objective="val_accuracy", seed=42, max_trials=6,
        alpha=1e-4, beta=2.6, overwrite=True, num_initial_points=3,
        directory=str(tmp_path / "my_fashion_mnist"), project_name="bayesian_opt")
    bayesian_opt_tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert [t.status for t in bayesian_opt_tuner.oracle.trials.values()] == ["COMPLETED"] * 6
