"""One call that makes weight init, shuffling and dropout reproducible."""

from __future__ import annotations

from neuroflow.backend import random as _random

__all__ = ["set_random_seed"]


def set_random_seed(seed: int) -> None:
    """Seed neuroflow, NumPy's global generator and Python's `random` with `seed`."""
    if seed is None:
        raise ValueError("set_random_seed: expected an integer seed, received None")
    _random.set_seed(seed)
