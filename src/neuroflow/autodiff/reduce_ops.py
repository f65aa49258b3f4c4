"""Reductions over axes (sum, mean, max, min, logsumexp): primitives with their VJPs."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff.axes import normalize_axes
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor

__all__ = ["sum", "mean", "max", "min", "logsumexp"]




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


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _sum_all_fwd(x):
    return np.asarray(np.add.reduce(x, axis=None), dtype=x.dtype), (x.shape, x.dtype)


def _sum_fwd(x, axes, keepdims):
    return np.asarray(x.sum(axis=axes, keepdims=keepdims)), (x.shape, axes, keepdims)


def _sum_vjp(g, res, needs):
    shape, axes, keepdims = res
    return (np.broadcast_to(_expand(np.asarray(g), axes, keepdims), shape),)


# The hot case of losses (everything to one scalar) is a primitive of its own: one fill.
SUM_ALL = Primitive(
    "sum_all", _sum_all_fwd, lambda g, res, needs: (_full_like(res[0], g, res[1]),)
)
SUM = Primitive("sum", _sum_fwd, _sum_vjp)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if axis is None and not keepdims:
        return SUM_ALL.bind(x)
    return SUM.bind(x, axes=normalize_axes(axis, x.ndim, "sum"), keepdims=keepdims)


def _mean_all_fwd(x):
    scale = 1.0 / x.size
    total = np.add.reduce(x, axis=None)
    return np.asarray(total * scale, dtype=x.dtype), (x.shape, x.dtype, scale)


def _mean_fwd(x, axes, keepdims):
    count = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    out = np.asarray(x.mean(axis=axes, keepdims=keepdims)).astype(x.dtype, copy=False)
    return out, (x.shape, x.dtype, axes, keepdims, count)


def _mean_vjp(g, res, needs):
    shape, dtype, axes, keepdims, count = res
    g = _expand(np.asarray(g), axes, keepdims) / np.asarray(count, dtype=dtype)
    return (np.broadcast_to(g, shape),)


MEAN_ALL = Primitive(
    "mean_all", _mean_all_fwd,
    lambda g, res, needs: (_full_like(res[0], g * res[2], res[1]),),
)
MEAN = Primitive("mean", _mean_fwd, _mean_vjp)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    if axis is None and not keepdims and x.data.size:
        return MEAN_ALL.bind(x)
    return MEAN.bind(x, axes=normalize_axes(axis, x.ndim, "mean"), keepdims=keepdims)


def _extreme_fwd(x, axes, keepdims, fn):
    kept = fn(x, axis=axes, keepdims=True)
    out = kept if keepdims else np.asarray(fn(x, axis=axes, keepdims=False))
    return out, (x, kept, axes, keepdims)


def _extreme_vjp(g, res, needs):
    x, kept, axes, keepdims = res
    share = (x == kept).astype(x.dtype)
    share /= share.sum(axis=axes, keepdims=True)
    return (_expand(np.asarray(g), axes, keepdims) * share,)


EXTREME = Primitive("extreme", _extreme_fwd, _extreme_vjp)


def max(x, axis=None, keepdims: bool = False) -> Tensor:
    """Maximum over `axis`; ties share the gradient equally."""
    x = _t(x)
    return EXTREME.bind(x, axes=normalize_axes(axis, x.ndim, "max"), keepdims=keepdims,
                        fn=np.max)


def min(x, axis=None, keepdims: bool = False) -> Tensor:
    """Minimum over `axis`; ties share the gradient equally."""
    x = _t(x)
    return EXTREME.bind(x, axes=normalize_axes(axis, x.ndim, "min"), keepdims=keepdims,
                        fn=np.min)


def _logsumexp_fwd(x, axes, keepdims):
    m = x.max(axis=axes, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=axes, keepdims=True)
    kept = np.log(s) + m
    out = kept if keepdims else kept.reshape(
        [n for i, n in enumerate(kept.shape) if i not in axes])
    return out, (e / s, axes, keepdims)


LOGSUMEXP = Primitive(
    "logsumexp", _logsumexp_fwd,
    lambda g, res, needs: (_expand(np.asarray(g), res[1], res[2]) * res[0],),
)


def logsumexp(x, axis=None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) computed without overflow."""
    x = _t(x)
    return LOGSUMEXP.bind(x, axes=normalize_axes(axis, x.ndim, "logsumexp"),
                          keepdims=keepdims)
