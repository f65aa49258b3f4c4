"""Errors of the tuner (keras_tuner's names)."""

from __future__ import annotations

__all__ = ["FailedTrialError", "FatalError"]


class FatalError(RuntimeError):
    """Stops the whole search at once (a configuration error, not a bad trial)."""


class FailedTrialError(RuntimeError):
    """Raise it in `build` or `fit` to mark the trial failed without a traceback."""
