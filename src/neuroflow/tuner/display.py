"""The per-trial progress display of a search (keras_tuner's layout)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from neuroflow.tuner.objective import Objective

__all__ = ["Display", "format_duration"]


def format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600:02d}h {seconds % 3600 // 60:02d}m {seconds % 60:02d}s"


class Display:
    """Prints the start, values and outcome of each trial when `verbose` is not 0."""

    def __init__(self, objective: Objective, verbose: int = 1,
                 print_fn: Callable[[str], Any] = print):
        self.objective = objective
        self.verbose = verbose
        self.print_fn = print_fn
        self._search_start = time.monotonic()
        self._trial_start = self._search_start

    def _print(self, text: str) -> None:
        if self.verbose:
            self.print_fn(text)

    def on_trial_begin(self, number: int) -> None:
        self._trial_start = time.monotonic()
        self._print(f"\nSearch: Running Trial #{number + 1}\n")

    def on_trial_end(self, number: int, values: dict, score: float | None,
                     best_values: dict | None, best_score: float | None,
                     error: str | None = None) -> None:
        if not self.verbose:
            return
        rows = [("Value", "Best Value So Far", "Hyperparameter")]
        best_values = best_values or {}
        for name in list(values) + [n for n in best_values if n not in values]:
            rows.append((_short(values.get(name, "?")), _short(best_values.get(name, "?")),
                         name))
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        for r in rows:
            self._print(f"{r[0]:<{widths[0]}} |{r[1]:<{widths[1]}} |{r[2]}")
        elapsed = format_duration(time.monotonic() - self._trial_start)
        if error is not None:
            self._print(f"\nTrial {number + 1} failed [{elapsed}]: {error}")
        else:
            self._print(f"\nTrial {number + 1} Complete [{elapsed}]")
            self._print(f"{self.objective.name}: {score}")
        self._print(f"\nBest {self.objective.name} So Far: {best_score}")
        self._print(f"Total elapsed time: "
                    f"{format_duration(time.monotonic() - self._search_start)}")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
