"""Hyperband: successive halving in brackets; the best trials of a round continue training
from their checkpoint in the next round, with more epochs (Li et al., 2018).

The schedule is fixed by `max_epochs`, `factor` and `hyperband_iterations`; trial number n
(in order) runs place n of it. A trial of a later round waits until the round before it has
finished, then takes the values and the best weights of its rank among that round's
trials, and trains from `initial_epoch` to its round's `epochs`.
"""

from __future__ import annotations

import math
import time
from typing import Any

from neuroflow.tuner.oracle import Oracle, _is_retry
from neuroflow.tuner.random_search import split_kwargs
from neuroflow.tuner.storage import quiet, require_optuna
from neuroflow.tuner.trial import CHECKPOINT_ATTR
from neuroflow.tuner.tuner import Tuner

__all__ = ["Hyperband", "HyperbandOracle", "hyperband_schedule"]


def hyperband_schedule(max_epochs: int, factor: int = 3, iterations: int = 1) -> list[dict]:
    """Every trial place: iteration, bracket, round, rank, epochs and initial_epoch."""
    s_max = int(math.floor(math.log(max_epochs) / math.log(factor) + 1e-9))
    budget = (s_max + 1) * max_epochs
    places = []
    for iteration in range(iterations):
        for s in range(s_max, -1, -1):
            n = math.ceil(budget / max_epochs * factor ** s / (s + 1))
            r = max_epochs * factor ** (-s)
            previous = 0
            for i in range(s + 1):
                count = max(int(n * factor ** (-i) + 1e-9), 1)
                epochs = min(max(math.ceil(r * factor ** i - 1e-9), 1), max_epochs)
                for rank in range(count):
                    places.append({"iteration": iteration, "bracket": s, "round": i,
                                   "rank": rank, "epochs": epochs, "initial_epoch": previous})
                previous = epochs
    return places


class HyperbandOracle(Oracle):
    """See the module docstring. Failed trials are not retried (their place is lost)."""

    def __init__(self, objective: Any = None, max_epochs: int = 100, factor: int = 3,
                 hyperband_iterations: int = 1, seed: int | None = None, **kwargs: Any):
        for name, value, low in (("max_epochs", max_epochs, 1), ("factor", factor, 2),
                                 ("hyperband_iterations", hyperband_iterations, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"Hyperband: {name} must be an integer >= {low}, received "
                                 f"{value!r}")
        if kwargs.get("max_retries_per_trial"):
            raise ValueError("Hyperband does not retry failed trials (a later round cannot "
                             "wait for them): leave max_retries_per_trial at 0")
        kwargs.pop("max_trials", None)
        super().__init__(objective=objective, max_trials=None, seed=seed, **kwargs)
        self.max_epochs, self.factor = max_epochs, factor
        self.hyperband_iterations = hyperband_iterations
        self.schedule = hyperband_schedule(max_epochs, factor, hyperband_iterations)

    def _schedule_size(self) -> int | None:
        return len(self.schedule)

    def _ready(self, slot: int) -> bool:
        if slot >= len(self.schedule):
            return True
        place = self.schedule[slot]
        if place["round"] == 0:
            return True
        before = {(place["iteration"], place["bracket"], place["round"] - 1)}
        ordered = sorted((t for t in self._frozen_trials() if not _is_retry(t)),
                         key=lambda t: t.number)
        places = [i for i, p in enumerate(self.schedule)
                  if (p["iteration"], p["bracket"], p["round"]) in before]
        return all(i < len(ordered) and ordered[i].state.is_finished() for i in places)

    def _plan(self, trial: Any, slot: int) -> dict | None:
        place = dict(self.schedule[slot])
        if place["round"] == 0:
            return place
        first = next(i for i, p in enumerate(self.schedule)
                     if (p["iteration"], p["bracket"], p["round"])
                     == (place["iteration"], place["bracket"], place["round"] - 1))
        count = sum(1 for p in self.schedule
                    if (p["iteration"], p["bracket"], p["round"])
                    == (place["iteration"], place["bracket"], place["round"] - 1))
        previous = self._wait_for_places(range(first, first + count))
        done = [t for t in previous if t.state.name == "COMPLETE" and t.value == t.value]
        sign = -1.0 if self.objective.direction == "max" else 1.0
        done.sort(key=lambda t: (sign * t.value, t.number))
        if place["rank"] >= len(done):
            return None
        source = done[place["rank"]]
        place.update(values=dict(source.params), source=source.number,
                     checkpoint=source.user_attrs.get(CHECKPOINT_ATTR))
        return place

    def _wait_for_places(self, places: range) -> list:
        """The trials in the given schedule places, once every one of them has finished."""
        optuna = require_optuna()
        while True:
            with quiet():
                optuna.storages.fail_stale_trials(self.study)
            ordered = [t for t in self._frozen_trials() if not _is_retry(t)]
            ordered.sort(key=lambda t: t.number)
            trials = [ordered[i] for i in places if i < len(ordered)]
            if len(trials) == len(places) and all(t.state.is_finished() for t in trials):
                return trials
            time.sleep(self.poll_interval)


class Hyperband(Tuner):
    """Hyperband over the hyperparameters `hypermodel` declares.

    Args:
        max_epochs: the epochs of a fully trained model (default 100).
        factor: the reduction factor between rounds (default 3).
        hyperband_iterations: how many times the whole set of brackets runs (default 1).
    """

    def __init__(self, hypermodel: Any = None, objective: Any = None, max_epochs: int = 100,
                 factor: int = 3, hyperband_iterations: int = 1, seed: int | None = None,
                 **kwargs: Any):
        oracle_kwargs, tuner_kwargs = split_kwargs(kwargs)
        oracle = HyperbandOracle(objective=objective, max_epochs=max_epochs, factor=factor,
                                 hyperband_iterations=hyperband_iterations, seed=seed,
                                 **oracle_kwargs)
        super().__init__(oracle, hypermodel, **tuner_kwargs)
