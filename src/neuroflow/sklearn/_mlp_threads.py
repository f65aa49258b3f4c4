"""How many BLAS threads an MLP fit uses."""

from __future__ import annotations

import contextlib

__all__ = ["blas_threads_for"]


def blas_threads_for(layer_units: list[int]):
    return contextlib.nullcontext()
