"""Deep ensembles: K seeds of one model trained as one pack, mean and spread in one call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.population.population import Population

__all__ = ["DeepEnsemble"]


class DeepEnsemble:
    """K copies of one architecture, each initialised from its own seed, trained together.

    Args:
        build_fn: a function returning a new compiled (and built) model; it is called
            once per member after `keras.utils.set_random_seed(seed)`, so each member's
            initial weights (and seeded layers) come from its seed.
        seeds: the members' seeds, or an int K for seeds 0..K-1.
        memory_budget: bytes one pack may hold (see `Population`).

    `predict(x)` returns the members' mean prediction; `predict(x, return_std=True)`
    returns (mean, standard deviation across members), as scikit-learn's regressors do.
    """

    def __init__(self, build_fn: Callable[[], Any], seeds: int | list[int] = 5,
                 memory_budget: int | None = None):
        if not callable(build_fn):
            raise TypeError(f"DeepEnsemble: build_fn must be a function returning a compiled "
                            f"model, received {build_fn!r}")
        if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
            if seeds < 1:
                raise ValueError(f"DeepEnsemble: expected at least one seed, received {seeds}")
            seeds = list(range(int(seeds)))
        seeds = [int(s) for s in seeds]
        if not seeds or len(set(seeds)) != len(seeds):
            raise ValueError(f"DeepEnsemble: seeds must be distinct and non-empty, received "
                             f"{seeds}")
        self.seeds = seeds
        models = []
        for seed in seeds:
            backend.set_seed(seed)
            model = build_fn()
            if model is None or not getattr(model, "compiled", False):
                raise ValueError("DeepEnsemble: build_fn must return a compiled model, "
                                 f"received {model!r}")
            models.append(model)
        self.population = Population(models, memory_budget=memory_budget)

    @property
    def models(self) -> list:
        """The member models, in seed order."""
        return self.population.models

    def fit(self, *args: Any, **kwargs: Any) -> list:
        """Train every member (arguments of `Population.fit`); one History per member."""
        return self.population.fit(*args, **kwargs)

    def evaluate(self, *args: Any, **kwargs: Any) -> list:
        """Each member's loss and metrics (see `Population.evaluate`)."""
        return self.population.evaluate(*args, **kwargs)

    def predict(self, x: Any, batch_size: int | None = None, return_std: bool = False):
        """The mean of the members' predictions (and their standard deviation)."""
        all_predictions = self.population.predict(x, batch_size=batch_size)
        mean = all_predictions.mean(axis=0)
        if return_std:
            return mean, all_predictions.std(axis=0)
        return mean
