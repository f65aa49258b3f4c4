"""Trial: a finished or running evaluation of one set of hyperparameter values."""

from __future__ import annotations

import math
from typing import Any

from neuroflow.tuner.hyperparameters import HyperParameters

__all__ = ["MetricsTracker", "Trial", "TrialStatus"]

# Keys of the per-trial attributes neuroflow keeps in the Optuna study.
METRICS_ATTR = "neuroflow:metrics"
HISTORY_ATTR = "neuroflow:history"
BEST_STEP_ATTR = "neuroflow:best_step"
ERROR_ATTR = "neuroflow:error"
CHECKPOINT_ATTR = "neuroflow:checkpoint"
HOST_ATTR = "neuroflow:host"
WORKER_ATTR = "neuroflow:worker"
PLAN_ATTR = "neuroflow:plan"
SURPLUS_ATTR = "neuroflow:surplus"


class TrialStatus:
    """keras_tuner's status names."""

    RUNNING = "RUNNING"
    IDLE = "IDLE"
    INVALID = "INVALID"
    STOPPED = "STOPPED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @staticmethod
    def from_optuna(state: Any) -> str:
        return {"RUNNING": "RUNNING", "WAITING": "IDLE", "COMPLETE": "COMPLETED",
                "PRUNED": "STOPPED", "FAIL": "FAILED"}[state.name]


class MetricsTracker:
    """The metrics of a trial, each a list of (step, value) observations."""

    def __init__(self, metrics: dict[str, list] | None = None):
        self.metrics: dict[str, list[tuple[int, float]]] = {
            name: [(int(s), float(v)) for s, v in obs] for name, obs in (metrics or {}).items()
        }

    def exists(self, name: str) -> bool:
        return name in self.metrics

    def get_history(self, name: str) -> list[tuple[int, float]]:
        if name not in self.metrics:
            raise ValueError(f"unknown metric {name!r}; recorded: {sorted(self.metrics)}")
        return list(self.metrics[name])

    def get_last_value(self, name: str) -> float | None:
        """The value recorded last (the best epoch's value after a trial ends)."""
        history = self.metrics.get(name)
        return history[-1][1] if history else None

    def get_best_value(self, name: str, direction: str = "min") -> float | None:
        history = [v for _, v in self.metrics.get(name, []) if not math.isnan(v)]
        if not history:
            return None
        return max(history) if direction == "max" else min(history)

    def get_config(self) -> dict:
        return {name: [list(o) for o in obs] for name, obs in self.metrics.items()}


class Trial:
    """A read-only view of one trial of the study.

    Attributes: `trial_id` (str), `number`, `hyperparameters`, `score`, `best_step`,
    `status`, `metrics` (a MetricsTracker) and `history` (the per-epoch logs of the best
    execution).
    """

    def __init__(self, frozen: Any):
        self._frozen = frozen
        self.number: int = frozen.number
        self.trial_id: str = f"{frozen.number:04d}"
        self.hyperparameters = HyperParameters.from_values(dict(frozen.params))
        self.status: str = TrialStatus.from_optuna(frozen.state)
        self.score: float | None = frozen.value if frozen.state.name == "COMPLETE" else None
        attrs = frozen.user_attrs
        self.best_step: int | None = attrs.get(BEST_STEP_ATTR)
        self.metrics = MetricsTracker(attrs.get(METRICS_ATTR))
        self.history: list[dict] = list(attrs.get(HISTORY_ATTR, []))
        self.message: str | None = attrs.get(ERROR_ATTR)
        self.checkpoint: str | None = attrs.get(CHECKPOINT_ATTR)
        self.host: str | None = attrs.get(HOST_ATTR)
        self.worker: str | None = attrs.get(WORKER_ATTR)
        self.plan: dict = dict(attrs.get(PLAN_ATTR) or {})

    def summary(self, print_fn: Any = print) -> None:
        """Print the trial's id, hyperparameters and score."""
        print_fn(f"Trial {self.trial_id} summary")
        print_fn("Hyperparameters:")
        for name, value in self.hyperparameters.values.items():
            print_fn(f"{name}: {value}")
        for key in ("epochs", "initial_epoch", "bracket", "round"):
            if key in self.plan:
                print_fn(f"tuner/{key}: {self.plan[key]}")
        if self.score is not None:
            print_fn(f"Score: {self.score}")
        if self.message:
            print_fn(f"Error: {self.message}")

    def __repr__(self) -> str:
        return (f"Trial(trial_id={self.trial_id!r}, status={self.status!r}, "
                f"score={self.score!r}, hyperparameters={self.hyperparameters.values!r})")
