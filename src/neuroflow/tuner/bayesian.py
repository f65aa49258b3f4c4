"""BayesianOptimization: a Gaussian process proposes each trial after a few random ones."""

from __future__ import annotations

from typing import Any

from neuroflow.tuner.gp_sampler import GPSampler
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.random_search import split_kwargs
from neuroflow.tuner.tuner import Tuner

__all__ = ["BayesianOptimization", "BayesianOptimizationOracle"]


class BayesianOptimizationOracle(Oracle):
    """Random trials first, then the upper confidence bound of a GP fitted to the scores.

    Args:
        num_initial_points: random trials before the GP (default 3 per hyperparameter).
        alpha: noise added to the kernel's diagonal (default 1e-4).
        beta: weight of the uncertainty in the upper confidence bound (default 2.6).
    """

    def __init__(self, objective: Any = None, max_trials: int = 10,
                 num_initial_points: int | None = None, alpha: float = 1e-4,
                 beta: float = 2.6, seed: int | None = None, **kwargs: Any):
        super().__init__(objective=objective, max_trials=max_trials, seed=seed, **kwargs)
        self._gp = GPSampler(seed=seed, num_initial_points=num_initial_points, alpha=alpha,
                             beta=beta)

    def _base_sampler(self) -> Any:
        return self._gp


class BayesianOptimization(Tuner):
    """Bayesian optimization with a Gaussian process (see BayesianOptimizationOracle)."""

    def __init__(self, hypermodel: Any = None, objective: Any = None, max_trials: int = 10,
                 num_initial_points: int | None = None, alpha: float = 1e-4,
                 beta: float = 2.6, seed: int | None = None, **kwargs: Any):
        oracle_kwargs, tuner_kwargs = split_kwargs(kwargs)
        oracle = BayesianOptimizationOracle(
            objective=objective, max_trials=max_trials, num_initial_points=num_initial_points,
            alpha=alpha, beta=beta, seed=seed, **oracle_kwargs)
        super().__init__(oracle, hypermodel, **tuner_kwargs)
