"""A per-thread budget for the bytes of weights created while it is active.

Loading a model from an untrusted file builds its layers from the file's config; a
budget makes the layers refuse to allocate weights beyond a limit the loader chose,
before any memory is taken (a 2 KB config can otherwise ask for gigabytes). Layers
charge the budget through `charge`; nothing is charged when no budget is active.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["WeightsBudgetExceeded", "weights_budget", "charge"]

_local = threading.local()


class WeightsBudgetExceeded(ValueError):
    """Creating a weight would take the weights past the active budget."""


class _Budget:
    def __init__(self, limit: int):
        self.limit = int(limit)
        self.used = 0


@contextlib.contextmanager
def weights_budget(max_bytes: int) -> Iterator[_Budget]:
    """While active, `charge` refuses weights beyond `max_bytes` in all (this thread)."""
    if max_bytes < 0:
        raise ValueError(f"max_bytes must be >= 0, received {max_bytes}")
    budget = _Budget(max_bytes)
    previous = getattr(_local, "budget", None)
    _local.budget = budget
    try:
        yield budget
    finally:
        _local.budget = previous


def charge(shape: tuple, dtype: Any, what: str) -> None:
    """Count a weight of `shape` and `dtype` against the active budget (if any), or raise
    WeightsBudgetExceeded naming `what` before anything is allocated."""
    budget = getattr(_local, "budget", None)
    if budget is None:
        return
    size = math.prod(int(d) for d in shape) * np.dtype(dtype).itemsize
    if budget.used + size > budget.limit:
        raise WeightsBudgetExceeded(
            f"{what}: a weight of shape {tuple(shape)} ({size:,} bytes) takes the model's "
            f"weights to {budget.used + size:,} bytes, over the limit of {budget.limit:,}")
    budget.used += size
