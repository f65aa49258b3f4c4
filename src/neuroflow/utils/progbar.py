"""Keras 3's `keras.utils.Progbar` for custom training loops: running averages of the
values passed to `update`/`add`, drawn by the trainers' progress bar (one line per
redraw on a terminal, finished lines only in files and CI), or logged when
interactive logging is off."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from neuroflow.callbacks.progress_bar import Progbar as _Bar
from neuroflow.utils.io_utils import is_interactive_logging_enabled

__all__ = ["Progbar"]


class _LogStream:
    """A text stream that sends each finished line to the 'neuroflow' logger."""

    def __init__(self) -> None:
        self._pending = ""

    def write(self, text: str) -> None:
        self._pending += text.replace("\r", "")
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if line.strip():
                logging.getLogger("neuroflow").info(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Progbar:
    """A progress bar over `target` steps (None: unknown).

    `update(current, values=[(name, value), ...])` shows, for each name, the average of
    its values over the steps seen so far, weighted by the steps each covers, except
    names in `stateful_metrics` (shown as given); when `stateless_metrics` is given
    instead, only those are averaged. The finalizing update's values are shown as given
    (they are the totals). `verbose`: 0 silent, 1 bar, 2 one line at the end.
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Iterable[str] | None = None,
                 stateless_metrics: Iterable[str] | None = None, unit_name: str = "step"):
        if target is not None and (isinstance(target, bool) or not isinstance(target, int)
                                   or target < 0):
            raise ValueError(f"Progbar: target must be a non-negative integer or None, "
                             f"received {target!r}")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: verbose must be 0, 1 or 2, received {verbose!r}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None if stateful_metrics is None else set(stateful_metrics)
        self.stateless_metrics = set(stateless_metrics or ())
        self._values: dict[str, list[float]] = {}
        self._values_order: list[str] = []
        self._seen_so_far = 0
        stream = None if is_interactive_logging_enabled() else _LogStream()
        self._bar = _Bar(target, width=width, verbose=verbose, interval=interval,
                         unit_name=unit_name, stream=stream)

    def _averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current: int, values: Iterable[tuple[str, Any]] | None = None,
               finalize: bool | None = None) -> None:
        """Show `current` steps done; `finalize` defaults to `current >= target`."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            if name not in self._values_order:
                self._values_order.append(name)
            value = float(value)
            if self._averaged(name) and not finalize:  # the final value is the total
                steps = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] += value * steps
                total[1] += steps
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current
        shown = {k: self._values[k][0] / max(self._values[k][1], 1)
                 for k in self._values_order}
        self._bar.update(current, shown, finalize=finalize)

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """`update(steps seen so far + n, values)`."""
        self.update(self._seen_so_far + n, values)

    def value(self, name: str) -> float:
        """The value `name` shows now (its running average, or its last stateful value)."""
        total, count = self._values[name]
        return total / max(count, 1)
