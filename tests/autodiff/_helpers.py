"""Shared helpers for the autodiff tests: seeded inputs and a gradient check."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff import check_gradients

__all__ = ["rand", "positive", "check_gradients"]


def rand(*shape: int, seed: int = 0) -> np.ndarray:
    """Standard-normal float64 values of `shape`, the same on every run."""
    return np.random.default_rng(seed).standard_normal(shape)


def positive(*shape: int, seed: int = 0) -> np.ndarray:
    """float64 values in [0.5, 2.0): safe for log, sqrt, division and real powers."""
    return np.random.default_rng(seed).uniform(0.5, 2.0, shape)
