"""Step functions of threshold logic units: the Heaviside step and the sign function.

Both follow the chapter's definitions exactly:

    heaviside(z) = 0 if z < 0 else 1            (so heaviside(0) = 1)
    sgn(z)       = -1 if z < 0, 0 if z == 0, +1 if z > 0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["heaviside", "sign", "sgn", "get_step"]

StepFunction = Callable[[np.ndarray], np.ndarray]


def _as_real_array(z, function: str) -> np.ndarray:
    """`z` as a real NumPy array; booleans become integers; NaN and non-numbers are refused."""
    array = np.asarray(z)
    if array.dtype == np.bool_:
        return array.astype(np.int64)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(
            f"{function}: expected real numbers for `z`, received an array of dtype {array.dtype}"
        )
    if np.issubdtype(array.dtype, np.floating) and np.isnan(array).any():
        raise ValueError(f"{function}: `z` contains NaN, which has no step value")
    return array


def _result(values: np.ndarray, like: np.ndarray):
    """Give `values` the float dtype of `like` (int64 for integer input); 0-d becomes a scalar."""
    dtype = like.dtype if np.issubdtype(like.dtype, np.floating) else np.int64
    out = values.astype(dtype)
    return out[()] if out.ndim == 0 else out


def heaviside(z):
    """Heaviside step: 0 where z < 0 and 1 where z >= 0 (elementwise).

    Returns an array of the input's float dtype, int64 for integer or boolean input,
    and a NumPy scalar for scalar input.
    """
    array = _as_real_array(z, "heaviside")
    return _result(array >= 0, array)


def sign(z):
    """Sign function sgn: -1 where z < 0, 0 where z == 0 and +1 where z > 0 (elementwise).

    Returns an array of the input's float dtype, int64 for integer or boolean input,
    and a NumPy scalar for scalar input.
    """
    array = _as_real_array(z, "sign")
    values = (array > 0).astype(np.int64) - (array < 0).astype(np.int64)
    return _result(values, array)


sgn = sign

_STEPS: dict[str, StepFunction] = {"heaviside": heaviside, "sign": sign, "sgn": sign}


def get_step(step: str | StepFunction) -> StepFunction:
    """The step function named `step` ('heaviside', 'sign' or 'sgn'), or `step` if callable."""
    if callable(step):
        return step
    if isinstance(step, str) and step in _STEPS:
        return _STEPS[step]
    raise ValueError(
        f"Unknown step function: expected one of {sorted(_STEPS)} or a callable, "
        f"received {step!r}"
    )


def step_name(step: StepFunction) -> str | None:
    """The registered name of a step function, or None for a custom callable."""
    for name, function in _STEPS.items():
        if function is step:
            return name
    return None
