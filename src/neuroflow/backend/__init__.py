"""Array namespace settings: the default float type, epsilon and the random generator."""

from __future__ import annotations

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
    "floatx", "floatx_dtype", "set_floatx", "epsilon", "set_epsilon", "global_rng", "make_rng",
    "reset_seed", "set_seed", "cast_to_floatx", "clear_session", "get_value", "set_value",
    "batch_get_value", "batch_set_value", "register_clear_session_hook",
]

_FLOATX = "float32"
_FLOATX_DTYPE = np.dtype(_FLOATX)
_EPSILON = 1e-7
_VALID_FLOATX = ("float16", "float32", "float64")


def floatx() -> str:
    """The default float type of weights and inputs, as a string ('float32')."""
    return _FLOATX


def floatx_dtype() -> np.dtype:
    """The default float type as a NumPy dtype."""
    return _FLOATX_DTYPE


def set_floatx(value: str) -> None:
    """Set the default float type: 'float16', 'float32' or 'float64'."""
    global _FLOATX, _FLOATX_DTYPE
    value = str(np.dtype(value)) if not isinstance(value, str) else value
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: expected one of {_VALID_FLOATX}, received {value!r}")
    _FLOATX = value
    _FLOATX_DTYPE = np.dtype(value)


def epsilon() -> float:
    """The fuzz factor used to keep logarithms and divisions finite (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by `epsilon()`."""
    global _EPSILON
    _EPSILON = float(value)


def cast_to_floatx(x) -> np.ndarray:
    """Return `x` as an array of the default float type (no copy when it already is one)."""
    return np.asarray(x, dtype=_FLOATX)
