"""A Keras-style progress bar that never floods logs.

On a terminal it redraws one line per epoch with `\\r`; when the output is a file, a
pipe or CI, it prints only the finished line of each epoch.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

__all__ = ["Progbar", "is_interactive"]


def is_interactive(stream: TextIO) -> bool:
    """True when `stream` redraws lines in place: a terminal or a Jupyter kernel."""
    if os.environ.get("CI"):
        return False
    if "ipykernel" in sys.modules:
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _format_value(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{f:.4f}" if abs(f) >= 1e-3 or f == 0 else f"{f:.4e}"


def _format_duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _format_per_step(seconds: float, unit: str) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """Progress of `target` steps: step counter, elapsed/ETA, time per step, metrics."""

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        unit_name: str = "step",
        stream: TextIO | None = None,
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = stream or sys.stdout
        self.dynamic = is_interactive(self.stream)
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._last_len = 0

    def update(self, current: int, values: dict | None = None, finalize: bool = False) -> None:
        """Show `current` steps done with the metric `values` (already averaged)."""
        if self.verbose == 0:
            return
        now = time.monotonic()
        if not finalize:
            if self.verbose != 1 or not self.dynamic or now - self._last_draw < self.interval:
                return
        self._last_draw = now
        elapsed = now - self.start
        metrics = "".join(f" - {k}: {_format_value(v)}" for k, v in (values or {}).items())
        counter = f"{current}/{self.target}" if self.target else f"{current}"
        if finalize:
            per_step = _format_per_step(elapsed / max(current, 1), self.unit_name)
            if self.verbose == 1:
                duration = _format_duration(elapsed)
                line = f"{counter} {self._bar(current)} - {duration} {per_step}{metrics}"
            else:
                line = f"{counter} - {_format_duration(elapsed)} - {per_step}{metrics}"
        else:
            eta = elapsed / max(current, 1) * ((self.target or current) - current)
            line = f"{counter} {self._bar(current)} - ETA: {_format_duration(eta)}{metrics}"
        if self.dynamic and self.verbose == 1:
            pad = max(self._last_len - len(line), 0)
            self.stream.write("\r" + line + " " * pad + ("\n" if finalize else ""))
            self._last_len = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def _bar(self, current: int) -> str:
        if not self.target:
            return ""
        done = int(self.width * min(current, self.target) / self.target)
        if done >= self.width:
            return "[" + "=" * self.width + "]"
        return "[" + "=" * max(done - 1, 0) + ">" + "." * (self.width - max(done, 1)) + "]"
