"""Axis arguments of the primitives: checked once, never wrapped into another axis."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["normalize_axis", "normalize_axes"]


def normalize_axis(axis: int, ndim: int, op: str) -> int:
    """`axis` as an index in [0, ndim), or a ValueError naming `op`.

    `axis % ndim` would turn axis 3 of a rank-2 tensor into axis 1 and silently compute
    something else; a scalar has the one axis 0 (and -1), as in keras.ops.
    """
    rank = max(ndim, 1)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an integer, received {axis!r}")
    if not -rank <= axis < rank:
        raise ValueError(f"{op}: axis {axis} is out of bounds for a tensor of rank {ndim}")
    return int(axis) % rank


def normalize_axes(axis: int | Iterable[int] | None, ndim: int, op: str) -> tuple[int, ...]:
    """The sorted axes an `axis=` argument names (None: all of them); () for a scalar."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    found = sorted({normalize_axis(a, ndim, op) for a in axes})
    if len(found) != len(axes):
        raise ValueError(f"{op}: axis {axis!r} names the same axis twice")
    return tuple(found) if ndim else ()
