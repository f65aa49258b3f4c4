"""Array namespace settings: the default float type, epsilon and the random generator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from neuroflow.backend.compat import (
    batch_get_value,
    batch_set_value,
    clear_session,
    get_value,
    register_clear_session_hook,
    set_value,
)
from neuroflow.backend.random import global_rng, make_rng, reset_seed, set_seed

__all__ = [
    "floatx", "floatx_dtype", "floatx_scope", "set_floatx", "epsilon", "set_epsilon",
    "global_rng", "make_rng", "reset_seed", "set_seed", "cast_to_floatx", "clear_session",
    "get_value", "set_value",
    "batch_get_value", "batch_set_value", "register_clear_session_hook",
]

_FLOATX = "float32"
_FLOATX_DTYPE = np.dtype(_FLOATX)
_EPSILON = 1e-7
_VALID_FLOATX = ("float16", "float32", "float64")


_scoped = threading.local()  # floatx_scope() overrides, per thread


def floatx() -> str:
    """The default float type of weights and inputs, as a string ('float32')."""
    return getattr(_scoped, "name", _FLOATX)


def floatx_dtype() -> np.dtype:
    """The default float type as a NumPy dtype."""
    return getattr(_scoped, "dtype", _FLOATX_DTYPE)


def _checked(value) -> str:
    value = str(np.dtype(value)) if not isinstance(value, str) else value
    if value not in _VALID_FLOATX:
        raise ValueError(f"floatx: expected one of {_VALID_FLOATX}, received {value!r}")
    return value


def set_floatx(value: str) -> None:
    """Set the default float type: 'float16', 'float32' or 'float64'."""
    global _FLOATX, _FLOATX_DTYPE
    _FLOATX = _checked(value)
    _FLOATX_DTYPE = np.dtype(_FLOATX)


@contextmanager
def floatx_scope(value: str) -> Iterator[None]:
    """Use `value` as the default float type inside the block, in this thread only."""
    value = _checked(value)
    previous = getattr(_scoped, "name", None), getattr(_scoped, "dtype", None)
    _scoped.name, _scoped.dtype = value, np.dtype(value)
    try:
        yield
    finally:
        if previous[0] is None:
            del _scoped.name, _scoped.dtype
        else:
            _scoped.name, _scoped.dtype = previous


def epsilon() -> float:
    """The fuzz factor used to keep logarithms and divisions finite (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by `epsilon()`."""
    global _EPSILON
    _EPSILON = float(value)


def cast_to_floatx(x) -> np.ndarray:
    """Return `x` as an array of the default float type (no copy when it already is one)."""
    return np.asarray(x, dtype=floatx())
