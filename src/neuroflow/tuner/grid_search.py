"""GridSearch: every combination of the hyperparameters' values, in order.

The space is discovered before the first trial by building the model with the default
values and again with each value of every discrete hyperparameter (to reach conditional
ones). Trial number n (not counting retries) runs grid point n, so workers sharing the study
split the grid. Hyperparameters first declared in `HyperModel.fit` are not in the grid;
they are sampled at random.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from neuroflow.tuner.hyperparameters import HyperParameter, HyperParameters
from neuroflow.tuner.oracle import Oracle
from neuroflow.tuner.random_search import split_kwargs
from neuroflow.tuner.tuner import Tuner

__all__ = ["GridSearch", "GridSearchOracle", "grid_points"]

_MAX_POINTS = 1_000_000
_MAX_DISCOVERY_BUILDS = 200


def grid_points(space: list[HyperParameter]) -> list[dict]:
    """The distinct combinations of active values, the first hyperparameter slowest."""
    lists = [hp.grid_values() for hp in space]
    total = math.prod(len(v) for v in lists)
    if total > _MAX_POINTS:
        raise ValueError(f"GridSearch: the grid has {total} points (more than {_MAX_POINTS}); "
                         "give steps to Int/Float hyperparameters or use RandomSearch")
    seen, points = set(), []
    for combo in itertools.product(*lists):
        values: dict = {}
        for hp, value in zip(space, combo, strict=True):
            if all(values.get(c.name) in c.values for c in hp.conditions):
                values[hp.name] = value
        key = tuple(values.items())
        if key not in seen:
            seen.add(key)
            points.append(values)
    return points


def discover_space(build: Any) -> list[HyperParameter]:
    """Hyperparameters `build(hp)` declares, across the values of discrete ones."""
    known: dict[str, HyperParameter] = {}
    order: list[HyperParameter] = []
    queue: list[dict] = [{}]
    tried: set = set()
    while queue and len(tried) < _MAX_DISCOVERY_BUILDS:
        preset = queue.pop(0)
        key = tuple(sorted(preset.items(), key=lambda kv: kv[0]))
        if key in tried:
            continue
        tried.add(key)
        hp = HyperParameters.from_values(preset)
        build(hp)
        for entry in hp.space:
            if entry.name in known:
                continue
            known[entry.name] = entry
            order.append(entry)
            if entry.kind in ("Choice", "Boolean") or (
                    entry.kind == "Int" and len(entry.grid_values()) <= 10):
                queue.extend({**preset, entry.name: v} for v in entry.grid_values())
    return order


class GridSearchOracle(Oracle):
    """Hands out the grid points in order; `max_trials` (default None) caps the count."""

    def __init__(self, objective: Any = None, max_trials: int | None = None,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(objective=objective, max_trials=max_trials, seed=seed, **kwargs)
        self._points: list[dict] | None = None

    def _prepare_search(self, tuner: Any) -> None:
        if self._points is None:
            def build(hp: HyperParameters) -> None:
                tuner.hypermodel.declare_hyperparameters(hp)
                tuner.hypermodel.build(hp)

            self._points = grid_points(discover_space(build))

    def _schedule_size(self) -> int | None:
        return None if self._points is None else len(self._points)

    def _plan(self, trial: Any, slot: int) -> dict | None:
        return {"values": self._points[slot], "grid_index": slot}


class GridSearch(Tuner):
    """Grid search: tries every combination (see the module docstring)."""

    def __init__(self, hypermodel: Any = None, objective: Any = None,
                 max_trials: int | None = None, seed: int | None = None, **kwargs: Any):
        oracle_kwargs, tuner_kwargs = split_kwargs(kwargs)
        oracle = GridSearchOracle(objective=objective, max_trials=max_trials, seed=seed,
                                  **oracle_kwargs)
        super().__init__(oracle, hypermodel, **tuner_kwargs)
