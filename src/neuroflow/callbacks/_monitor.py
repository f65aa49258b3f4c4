"""Shared by callbacks that watch a metric: which direction is better, and by how much."""

from __future__ import annotations

import math
import warnings

__all__ = ["resolve_mode", "improved", "monitor_value"]

_MAX_HINTS = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "r2", "iou")


def resolve_mode(mode: str, monitor: str, owner: str) -> str:
    """'min' or 'max'; 'auto' picks 'max' for accuracy-like names, else 'min'."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', received {mode!r}")
    if mode != "auto":
        return mode
    name = monitor.lower()
    return "max" if any(h in name for h in _MAX_HINTS) and "loss" not in name else "min"


def improved(current: float, best: float | None, mode: str, min_delta: float = 0.0) -> bool:
    """Whether `current` beats `best` by more than `min_delta` in direction `mode`."""
    if best is None or (isinstance(best, float) and math.isnan(best)):
        return True
    delta = abs(min_delta)
    if mode == "min":
        return current < best - delta
    return current > best + delta


def monitor_value(logs: dict | None, monitor: str, owner: str) -> float | None:
    """The monitored value from the epoch logs, or None (with a warning) when missing."""
    value = (logs or {}).get(monitor)
    if value is None:
        available = ", ".join(sorted(logs or {})) or "none"
        warnings.warn(f"{owner}: the metric '{monitor}' to monitor is not in the logs "
                      f"(available: {available}); skipping", RuntimeWarning, stacklevel=3)
        return None
    return float(value)
