"""RandomSearch: independent random draws (log-uniform where sampling='log')."""

from __future__ import annotations

from typing import Any

from neuroflow.tuner.oracle import ORACLE_ARGUMENTS, Oracle
from neuroflow.tuner.tuner import Tuner

__all__ = ["RandomSearch", "RandomSearchOracle", "split_kwargs"]


def split_kwargs(kwargs: dict) -> tuple[dict, dict]:
    """(oracle arguments, tuner arguments) of a tuner's keyword arguments."""
    oracle = {k: v for k, v in kwargs.items() if k in ORACLE_ARGUMENTS}
    return oracle, {k: v for k, v in kwargs.items() if k not in ORACLE_ARGUMENTS}


class RandomSearchOracle(Oracle):
    """Samples every hyperparameter at random, reproducibly per trial for a given seed."""


class RandomSearch(Tuner):
    """Random search over the hyperparameters `hypermodel` declares.

    Args:
        hypermodel: a HyperModel or a function `build_model(hp)`.
        objective: 'val_accuracy', 'val_loss', ... or an Objective (default 'val_loss').
        max_trials: the number of trials to complete (default 10).
        seed: makes the sampled values reproducible.
        **kwargs: the Oracle's arguments (storage, max_retries_per_trial, ...) and the
            Tuner's (directory, project_name, overwrite, executions_per_trial).
    """

    def __init__(self, hypermodel: Any = None, objective: Any = None, max_trials: int = 10,
                 seed: int | None = None, **kwargs: Any):
        oracle_kwargs, tuner_kwargs = split_kwargs(kwargs)
        oracle = RandomSearchOracle(objective=objective, max_trials=max_trials, seed=seed,
                                    **oracle_kwargs)
        super().__init__(oracle, hypermodel, **tuner_kwargs)
