"""Data helpers of keras.utils for in-memory data: pack/unpack (x, y, sample_weight)
tuples and split arrays (or tuples/dicts of arrays) into two parts."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.trainers import data_adapter

__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight", "split_dataset"]


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The shortest of `x`, `(x,)`, `(x, y)`, `(x, y, sample_weight)` that holds them
    (`(x,)` when x is itself a tuple or list, so that it is not read as (x, y))."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data: Any) -> tuple:
    """`(x, y, sample_weight)` from `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`."""
    if isinstance(data, list):
        data = tuple(data)
    return data_adapter.unpack_x_y_sample_weight(data)


def _size(value: Any, n: int, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"split_dataset: {what} must be an int, a float or None, received "
                        f"{value!r}")
    if isinstance(value, (float, np.floating)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"split_dataset: a float {what} must be in (0, 1), received "
                             f"{value!r}")
        return int(round(value * n))
    if not 0 < value <= n:
        raise ValueError(f"split_dataset: {what} must be between 1 and the {n} samples, "
                         f"received {value!r}")
    return int(value)


def _leaves(dataset: Any) -> list[np.ndarray]:
    if isinstance(dataset, dict):
        return [np.asarray(v) for v in dataset.values()]
    if isinstance(dataset, (tuple, list)):
        return [np.asarray(v) for v in dataset]
    return [np.asarray(dataset)]


def _take(dataset: Any, idx: np.ndarray) -> Any:
    if isinstance(dataset, dict):
        return {k: np.asarray(v)[idx] for k, v in dataset.items()}
    if isinstance(dataset, (tuple, list)):
        return tuple(np.asarray(v)[idx] for v in dataset)
    return np.asarray(dataset)[idx]


def split_dataset(dataset: Any, left_size: int | float | None = None,
                  right_size: int | float | None = None, shuffle: bool = False,
                  seed: int | None = None, preferred_backend: str | None = None) -> tuple:
    """Split an array, a tuple of arrays (e.g. `(x, y)`) or a dict of arrays along the
    first axis into `(left, right)` of the same kind.

    Sizes are counts or fractions; given one, the other is the rest; given neither, the
    left part is 0.5. `shuffle` permutes the samples first (reproducibly with `seed`).
    """
    if preferred_backend not in (None, "numpy"):
        raise ValueError(f"split_dataset: neuroflow splits into NumPy arrays; "
                         f"preferred_backend must be None or 'numpy', received "
                         f"{preferred_backend!r}")
    leaves = _leaves(dataset)
    if not leaves or any(a.ndim == 0 for a in leaves):
        raise TypeError("split_dataset: expected an array, or a tuple/list/dict of arrays "
                        f"with a sample axis, received {type(dataset).__name__}")
    n = len(leaves[0])
    if any(len(a) != n for a in leaves):
        raise ValueError("split_dataset: every array must have the same number of samples, "
                         f"received {[len(a) for a in leaves]}")
    left, right = _size(left_size, n, "left_size"), _size(right_size, n, "right_size")
    if left is None and right is None:
        left = int(round(0.5 * n))
    left = n - right if left is None else left
    right = n - left if right is None else right
    if left + right > n:
        raise ValueError(f"split_dataset: left_size + right_size = {left + right} is more "
                         f"than the {n} samples")
    if left == 0 or right == 0:
        raise ValueError(f"split_dataset: both parts must hold samples; {n} samples split "
                         f"into {left} and {right}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return _take(dataset, order[:left]), _take(dataset, order[left:left + right])
