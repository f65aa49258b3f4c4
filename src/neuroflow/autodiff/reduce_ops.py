"""Reductions over axes (sum, mean, max, min) with their VJPs."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff.tensor import Tensor, convert_to_tensor, record

__all__ = ["sum", "mean", "max", "min", "logsumexp"]


def _axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    return tuple(a % ndim for a in axis)


def _expand(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    if keepdims:
        return g
    for a in sorted(axes):
        g = np.expand_dims(g, a)
    return g


def _full_like(shape: tuple[int, ...], value, dtype) -> np.ndarray:
    out = np.empty(shape, dtype=dtype)
    out.fill(value)
    return out


def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if axis is None and not keepdims:  # the hot case (losses): one scalar, one fill
        data = x.data
        return record(
            np.asarray(np.add.reduce(data, axis=None), dtype=data.dtype),
            (x,),
            lambda g: (_full_like(data.shape, g, data.dtype),),
        )
    axes = _axes(axis, x.ndim)
    shape = x.data.shape

    def vjp(g):
        return (np.broadcast_to(_expand(np.asarray(g), axes, keepdims), shape),)

    return record(np.asarray(x.data.sum(axis=axes, keepdims=keepdims)), (x,), vjp)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    if axis is None and not keepdims and x.data.size:  # the hot case (losses)
        data = x.data
        scale = 1.0 / data.size
        total = np.add.reduce(data, axis=None)
        return record(
            np.asarray(total * scale, dtype=data.dtype),
            (x,),
            lambda g: (_full_like(data.shape, g * scale, data.dtype),),
        )
    axes = _axes(axis, x.ndim)
    shape = x.data.shape
    count = int(np.prod([shape[a] for a in axes])) if axes else 1
    out = np.asarray(x.data.mean(axis=axes, keepdims=keepdims))

    def vjp(g):
        g = _expand(np.asarray(g), axes, keepdims) / np.asarray(count, dtype=x.data.dtype)
        return (np.broadcast_to(g, shape),)

    return record(out.astype(x.data.dtype, copy=False), (x,), vjp)


def _extreme(x, axis, keepdims: bool, fn) -> Tensor:
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    kept = fn(x.data, axis=axes, keepdims=True)
    out = kept if keepdims else np.asarray(fn(x.data, axis=axes, keepdims=False))

    def vjp(g):
        share = (x.data == kept).astype(x.data.dtype)
        share /= share.sum(axis=axes, keepdims=True)
        return (_expand(np.asarray(g), axes, keepdims) * share,)

    return record(out, (x,), vjp)


def max(x, axis=None, keepdims: bool = False) -> Tensor:
    """Maximum over `axis`; ties share the gradient equally."""
    return _extreme(x, axis, keepdims, np.max)


def min(x, axis=None, keepdims: bool = False) -> Tensor:
    """Minimum over `axis`; ties share the gradient equally."""
    return _extreme(x, axis, keepdims, np.min)


def logsumexp(x, axis=None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) computed without overflow."""
    x = x if isinstance(x, Tensor) else convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    m = x.data.max(axis=axes, keepdims=True)
    e = np.exp(x.data - m)
    s = e.sum(axis=axes, keepdims=True)
    kept = np.log(s) + m
    out = kept if keepdims else kept.reshape([n for i, n in enumerate(kept.shape) if i not in axes])

    def vjp(g):
        return (_expand(np.asarray(g), axes, keepdims) * (e / s),)

    return record(out, (x,), vjp)
