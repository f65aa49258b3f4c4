"""Tensor creation ops of keras.ops.numpy: ranges, filled tensors, grids and windows."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import (
    cast_to,
    result_type,
    standardize_dtype,
    to_array,
    to_tensor,
    values,
)
from neuroflow.ops._shape import broadcast_to, reshape

__all__ = [
    "arange", "linspace", "logspace", "geomspace", "zeros", "ones", "full", "empty", "eye",
    "identity", "tri", "zeros_like", "ones_like", "full_like", "empty_like", "meshgrid",
    "vander", "bartlett", "blackman", "hamming", "hanning", "kaiser",
]


def _shape(shape) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)


def _dtype(dtype) -> str:
    return standardize_dtype(dtype)


def arange(start, stop=None, step=None, dtype=None) -> Tensor:
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if dtype is None:
        dtype = result_type(*(v if isinstance(v, (int, float)) else to_array(v)
                              for v in (start, stop, step)))
    return Tensor(np.arange(start, stop, step).astype(_dtype(dtype)))


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype=None, axis: int = 0):
    dtype = _dtype(dtype) if dtype is not None else result_type(start, stop, float)
    values, step = np.linspace(to_array(start), to_array(stop), num, endpoint=endpoint,
                               retstep=True, axis=axis)
    out = Tensor(values.astype(dtype))
    return (out, Tensor(np.asarray(step, dtype))) if retstep else out


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10, dtype=None,
             axis: int = 0) -> Tensor:
    dtype = _dtype(dtype) if dtype is not None else result_type(start, stop, float)
    return Tensor(np.logspace(to_array(start), to_array(stop), num, endpoint=endpoint,
                              base=base, axis=axis).astype(dtype))


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None,
              axis: int = 0) -> Tensor:
    dtype = _dtype(dtype) if dtype is not None else result_type(start, stop, float)
    return Tensor(np.geomspace(to_array(start), to_array(stop), num, endpoint=endpoint,
                               axis=axis).astype(dtype))


def zeros(shape, dtype=None) -> Tensor:
    return Tensor(np.zeros(_shape(shape), _dtype(dtype)))


def ones(shape, dtype=None) -> Tensor:
    return Tensor(np.ones(_shape(shape), _dtype(dtype)))


def empty(shape, dtype=None) -> Tensor:
    return Tensor(np.empty(_shape(shape), _dtype(dtype)))


def full(shape, fill_value, dtype=None) -> Tensor:
    """`shape` filled with `fill_value`, of floatx unless `dtype` says otherwise (Keras)."""
    dtype = _dtype(dtype)
    return broadcast_to(cast_to(fill_value, dtype), _shape(shape))


def eye(N: int, M: int | None = None, k: int = 0, dtype=None) -> Tensor:
    return Tensor(np.eye(N, M, k, dtype=_dtype(dtype)))


def identity(n: int, dtype=None) -> Tensor:
    return Tensor(np.identity(n, dtype=_dtype(dtype)))


def tri(N: int, M: int | None = None, k: int = 0, dtype=None) -> Tensor:
    return Tensor(np.tri(N, M, k, dtype=_dtype(dtype)))


def _like_dtype(x, dtype) -> str:
    return _dtype(dtype) if dtype is not None else to_array(x).dtype.name


def zeros_like(x, dtype=None) -> Tensor:
    return Tensor(np.zeros(np.shape(to_array(x)), _like_dtype(x, dtype)))


def ones_like(x, dtype=None) -> Tensor:
    return Tensor(np.ones(np.shape(to_array(x)), _like_dtype(x, dtype)))


def empty_like(x, dtype=None) -> Tensor:
    return Tensor(np.empty(np.shape(to_array(x)), _like_dtype(x, dtype)))


def full_like(x, fill_value, dtype=None) -> Tensor:
    return full(np.shape(to_array(x)), fill_value, _like_dtype(x, dtype))


def meshgrid(*x, indexing: str = "xy") -> list[Tensor]:
    """Coordinate grids; each grid is its 1-D input broadcast (so it is differentiable)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}")
    vectors = [to_tensor(v) for v in x]
    for v in vectors:
        if v.ndim != 1:
            raise ValueError(f"meshgrid: expected 1-D tensors, received shape {v.shape}")
    sizes = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        pos = i if indexing == "ij" or len(vectors) < 2 else {0: 1, 1: 0}.get(i, i)
        shape = [1] * len(vectors)
        shape[pos] = v.shape[0]
        grids.append(broadcast_to(reshape(v, shape), tuple(sizes)))
    return grids


def vander(x, N: int | None = None, increasing: bool = False) -> Tensor:
    x = to_tensor(x)
    if x.ndim != 1:
        raise ValueError(f"vander: expected a 1-D tensor, received shape {x.shape}")
    n = x.shape[0] if N is None else int(N)
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    col = reshape(x, (-1, 1))
    if x.dtype.kind != "f":
        return Tensor(np.power(values(col), powers.astype(x.dtype)))
    return m.power(col, powers.astype(x.dtype))


def _window(fn):
    def window(x) -> Tensor:
        return Tensor(fn(int(to_array(x))).astype(result_type(float)))

    window.__name__ = fn.__name__
    return window


bartlett = _window(np.bartlett)
blackman = _window(np.blackman)
hamming = _window(np.hamming)
hanning = _window(np.hanning)


def kaiser(x, beta) -> Tensor:
    return Tensor(np.kaiser(int(to_array(x)), float(to_array(beta))).astype(result_type(float)))
