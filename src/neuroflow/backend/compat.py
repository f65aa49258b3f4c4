"""tf.keras 2 `keras.backend` functions: clear_session, get_value/set_value and friends.

Code written for tf.keras 2 reaches for `K = keras.backend` to reset the session
between experiments and to read or overwrite a variable, typically the optimizer's
learning rate inside a callback. Keras 3 kept `clear_session` only, so the value
functions warn (DeprecationWarning) with the newer spelling. The backend sits below the
tensors, so variables are recognised by what they do (`numpy()`, `assign()`).
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "batch_get_value", "batch_set_value", "clear_session", "get_value",
    "register_clear_session_hook", "set_value",
]

_CLEAR_SESSION_HOOKS: list[Callable[[], None]] = []


def register_clear_session_hook(hook: Callable[[], None]) -> Callable[[], None]:
    """Have `clear_session()` call `hook()` (a package above the backend forgetting its
    global state, e.g. the automatic layer names). Returns `hook`; registering twice
    is a no-op."""
    if hook not in _CLEAR_SESSION_HOOKS:
        _CLEAR_SESSION_HOOKS.append(hook)
    return hook


def clear_session(free_memory: bool = True) -> None:
    """Reset neuroflow's global state: automatic layer names start again ('dense', not
    'dense_7') and, with `free_memory`, unreachable models and their cached arrays are
    collected now. Seeds are left alone: call `set_random_seed` afterwards, as tf.keras 2
    code does."""
    for hook in list(_CLEAR_SESSION_HOOKS):
        hook()
    if free_memory:
        gc.collect()


def get_value(x: Any) -> Any:
    """Deprecated (Keras 3 has `variable.numpy()`): the value of a variable or tensor as
    NumPy, a scalar for a 0-d one, otherwise a copy (later updates of the variable do not
    change it). Anything else is returned as is."""
    _warn("get_value(x)", "x.numpy()")
    return _get(x)


def set_value(x: Any, value: Any) -> None:
    """Deprecated (Keras 3 has `variable.assign(value)`): overwrite variable `x` in place
    with `value` (a number, an array or a tensor of the same shape), cast to its dtype."""
    _warn("set_value(x, value)", "x.assign(value)")
    _set(x, value)


def batch_get_value(tensors: Iterable[Any]) -> list:
    """Deprecated: `get_value` of each of `tensors`."""
    _warn("batch_get_value(xs)", "[x.numpy() for x in xs]")
    return [_get(t) for t in tensors]


def batch_set_value(tuples: Iterable[tuple[Any, Any]]) -> None:
    """Deprecated: `set_value(x, value)` for each `(x, value)` pair."""
    _warn("batch_set_value(pairs)", "x.assign(value) for each pair")
    for x, value in tuples:
        _set(x, value)


def _warn(old: str, new: str) -> None:
    warnings.warn(f"keras.backend.{old} is deprecated (tf.keras 2); use {new} instead",
                  DeprecationWarning, stacklevel=3)


def _get(x: Any) -> Any:
    numpy = getattr(x, "numpy", None)
    if numpy is None or not callable(numpy):
        return x
    value = np.asarray(numpy())
    return value[()] if value.ndim == 0 else value.copy()


def _set(x: Any, value: Any) -> None:
    if not callable(getattr(x, "assign", None)):
        raise TypeError(
            f"set_value: expected a Variable (such as model.optimizer.learning_rate), received "
            f"{type(x).__name__} {x!r}. An optimizer created with a learning-rate schedule has "
            "no learning-rate variable; create it with a float learning_rate to change the "
            "rate from a callback"
        )
    x.assign(np.asarray(value, dtype=x.dtype))
