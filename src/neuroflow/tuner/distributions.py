"""Map a HyperParameter onto the Optuna distribution that stores and samples it."""

from __future__ import annotations

from typing import Any

from neuroflow.tuner.hyperparameters import HyperParameter

__all__ = ["to_distribution", "suggest"]


def to_distribution(hp: HyperParameter) -> Any:
    """The Optuna distribution of `hp` (a categorical one for multiplicative steps)."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if hp.kind in ("Choice", "Boolean", "Fixed"):
        return CategoricalDistribution(list(hp.values))
    if hp.sampling == "log" and hp.step is not None:
        return CategoricalDistribution(hp.grid_values())
    log = hp.sampling == "log"
    if hp.kind == "Int":
        step = hp.step or 1
        high = hp.min_value + (hp.max_value - hp.min_value) // step * step
        return IntDistribution(hp.min_value, high, log=log, step=step)
    if hp.step is not None:
        steps = int((hp.max_value - hp.min_value) / hp.step + 1e-9)
        return FloatDistribution(hp.min_value, hp.min_value + steps * hp.step, step=hp.step)
    return FloatDistribution(hp.min_value, hp.max_value, log=log)


def suggest(trial: Any, hp: HyperParameter) -> Any:
    """Ask an Optuna trial for the value of `hp` (its sampler decides)."""
    dist = to_distribution(hp)
    name = type(dist).__name__
    if name == "CategoricalDistribution":
        return trial.suggest_categorical(hp.name, list(dist.choices))
    if name == "IntDistribution":
        return trial.suggest_int(hp.name, dist.low, dist.high, step=dist.step, log=dist.log)
    return trial.suggest_float(hp.name, dist.low, dist.high, step=dist.step, log=dist.log)
