"""Optuna samplers: seeded random sampling per trial, and pinning planned values.

Random draws depend on the tuner seed, the trial number and the parameter name only, so
workers that share a study never draw the same values for different trials, and a
search gives the same trials whatever the number of workers.
"""

from __future__ import annotations

import math
import os
import zlib
from typing import Any

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers import BaseSampler

from neuroflow.tuner.trial import PLAN_ATTR

__all__ = ["SeededRandomSampler", "PlannedSampler", "sample_distribution", "trial_rng"]


def trial_rng(seed: int | None, number: int, name: str = "") -> np.random.Generator:
    """A generator for one draw of one trial (fresh entropy when `seed` is None)."""
    base = int.from_bytes(os.urandom(8), "little") if seed is None else int(seed)
    return np.random.default_rng([base, int(number), zlib.crc32(name.encode())])


def sample_distribution(dist: Any, rng: np.random.Generator) -> Any:
    """A random value of an Optuna distribution (log-uniform where it is logarithmic)."""
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[int(rng.integers(len(dist.choices)))]
    if isinstance(dist, IntDistribution):
        if dist.log:
            v = math.exp(rng.uniform(math.log(dist.low - 0.5 + 1e-9), math.log(dist.high + 0.5)))
            return int(min(max(round(v), dist.low), dist.high))
        n = (dist.high - dist.low) // dist.step
        return int(dist.low + dist.step * int(rng.integers(n + 1)))
    if isinstance(dist, FloatDistribution):
        if dist.log:
            return float(math.exp(rng.uniform(math.log(dist.low), math.log(dist.high))))
        if dist.step is not None:
            n = int(round((dist.high - dist.low) / dist.step))
            return float(dist.low + dist.step * int(rng.integers(n + 1)))
        return float(rng.uniform(dist.low, dist.high))
    raise TypeError(f"unsupported distribution {dist!r}")


class SeededRandomSampler(BaseSampler):
    """Independent random sampling, reproducible per (seed, trial number, name)."""

    def __init__(self, seed: int | None = None):
        self.seed = seed

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict:
        return {}

    def sample_relative(self, study: Any, trial: Any, search_space: dict) -> dict:
        return {}

    def sample_independent(self, study: Any, trial: Any, param_name: str,
                           param_distribution: Any) -> Any:
        return sample_distribution(param_distribution,
                                   trial_rng(self.seed, trial.number, param_name))


class PlannedSampler(BaseSampler):
    """Wraps a sampler; values the oracle planned for a trial (a grid point, a promoted
    trial's values) win over the wrapped sampler's."""

    def __init__(self, base: BaseSampler):
        self.base = base

    @staticmethod
    def _fixed(trial: Any) -> dict:
        return dict((trial.user_attrs.get(PLAN_ATTR) or {}).get("values") or {})

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict:
        return self.base.infer_relative_search_space(study, trial)

    def sample_relative(self, study: Any, trial: Any, search_space: dict) -> dict:
        fixed = self._fixed(trial)
        space = {k: v for k, v in search_space.items() if k not in fixed}
        return self.base.sample_relative(study, trial, space) if space else {}

    def sample_independent(self, study: Any, trial: Any, param_name: str,
                           param_distribution: Any) -> Any:
        fixed = self._fixed(trial)
        if param_name in fixed:
            value = fixed[param_name]
            if param_distribution._contains(param_distribution.to_internal_repr(value)):
                return value
        return self.base.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Any, trial: Any) -> None:
        self.base.before_trial(study, trial)

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        self.base.after_trial(study, trial, state, values)
