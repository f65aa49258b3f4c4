"""Reductions, statistics, scans, sorting and searching of keras.ops.numpy.

Differentiable reductions compose reduce_ops (and extra_ops.prod/cumsum/cumprod);
quantiles are a sort (a gather) and an interpolation, so they are differentiable too.
The NaN-ignoring variants mask NaN with the reduction's neutral value first.
"""

from __future__ import annotations

import builtins

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import reduce_ops as r
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import cast_to, float_tensor, result_type, to_array, to_tensor, values
from neuroflow.ops._shape import _axis as check_axis
from neuroflow.ops._shape import moveaxis, take_along_axis

__all__ = [
    "sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "all", "any",
    "argmax", "argmin", "count_nonzero", "average", "median", "quantile", "percentile",
    "ptp", "cumsum", "cumprod", "logsumexp", "nansum", "nanmean", "nanmax", "nanmin",
    "nanprod", "nanstd", "nanvar", "nanargmax", "nanargmin", "nancumsum", "nancumprod",
    "nanmedian", "nanquantile", "nanpercentile", "sort", "argsort", "argpartition",
    "searchsorted", "digitize", "unique", "nonzero", "histogram", "bincount", "isin",
    "unravel_index", "diff", "trapezoid",
]

_WIDE = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
         "uint16": "uint32"}


def _int32() -> str:
    return result_type(int)


def _axis(axis, ndim: int, op: str):
    """`axis` as the reductions take it (None, an int or a tuple of ints), every axis
    checked against the rank, so an axis out of range is an error, never another axis."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if ndim == 0 and axes:
        raise ValueError(f"{op}: axis {axes[0]} is out of bounds for a tensor of rank 0")
    checked = tuple(check_axis(int(a), ndim, op) for a in axes)
    return checked[0] if isinstance(axis, (int, np.integer)) else checked


def _accumulating(x) -> Tensor:
    """Sums and products widen small integers and bools, as in Keras."""
    x = to_tensor(x)
    return cast_to(x, _WIDE.get(x.dtype.name, x.dtype.name))


def _keep(out: Tensor, dtype: np.dtype) -> Tensor:
    """NumPy widens integer sums to 64 bits; Keras keeps the accumulating type."""
    return out if out.dtype == dtype else cast_to(out, dtype.name)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    x = _accumulating(x)
    return _keep(r.sum(x, axis=_axis(axis, x.ndim, "sum"), keepdims=keepdims), x.dtype)


def prod(x, axis=None, keepdims: bool = False, dtype=None) -> Tensor:
    x = _accumulating(x) if dtype is None else to_tensor(x, dtype)
    axis = _axis(axis, x.ndim, "prod")
    return _keep(extra_ops.prod(x, axis=axis, keepdims=keepdims), x.dtype)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    x = float_tensor(x)
    return r.mean(x, axis=_axis(axis, x.ndim, "mean"), keepdims=keepdims)


def _extreme(fn, x, axis, keepdims, initial, op: str) -> Tensor:
    x = to_tensor(x)
    axis = _axis(axis, x.ndim, op)
    if x.size == 0 and initial is None:
        raise ValueError(f"{op}: cannot reduce an empty tensor without `initial`")
    if x.size == 0:
        reduce = np.max if fn is r.max else np.min
        return Tensor(np.asarray(reduce(values(x), axis=axis, keepdims=keepdims,
                                        initial=initial)))
    out = fn(x, axis=axis, keepdims=keepdims)
    if initial is not None:
        pick = m.maximum if fn is r.max else m.minimum
        out = pick(out, np.asarray(initial, dtype=x.dtype))
    return out


def max(x, axis=None, keepdims: bool = False, initial=None) -> Tensor:
    return _extreme(r.max, x, axis, keepdims, initial, "max")


def min(x, axis=None, keepdims: bool = False, initial=None) -> Tensor:
    return _extreme(r.min, x, axis, keepdims, initial, "min")


def amax(x, axis=None, keepdims: bool = False) -> Tensor:
    return max(x, axis, keepdims)


def amin(x, axis=None, keepdims: bool = False) -> Tensor:
    return min(x, axis, keepdims)


def var(x, axis=None, keepdims: bool = False) -> Tensor:
    x = float_tensor(x)
    axis = _axis(axis, x.ndim, "var")
    centered = m.subtract(x, r.mean(x, axis=axis, keepdims=True))
    return r.mean(m.square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims: bool = False) -> Tensor:
    return m.sqrt(var(x, axis, keepdims))


def all(x, axis=None, keepdims: bool = False) -> Tensor:
    data = to_array(x)
    return Tensor(np.asarray(np.all(data, axis=_axis(axis, data.ndim, "all"), keepdims=keepdims)))


def any(x, axis=None, keepdims: bool = False) -> Tensor:
    data = to_array(x)
    return Tensor(np.asarray(np.any(data, axis=_axis(axis, data.ndim, "any"), keepdims=keepdims)))


def argmax(x, axis=None, keepdims: bool = False) -> Tensor:
    out = np.argmax(to_array(x), axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=_int32()))


def argmin(x, axis=None, keepdims: bool = False) -> Tensor:
    out = np.argmin(to_array(x), axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=_int32()))


def count_nonzero(x, axis=None) -> Tensor:
    data = to_array(x)
    axis = _axis(axis, data.ndim, "count_nonzero")
    return Tensor(np.asarray(np.count_nonzero(data, axis=axis), dtype=_int32()))


def average(x, axis=None, weights=None) -> Tensor:
    if weights is None:
        return mean(x, axis)
    dtype = result_type(x, weights, float)
    x, w = cast_to(x, dtype), cast_to(weights, dtype)
    axis = _axis(axis, x.ndim, "average")
    if w.ndim != x.ndim:
        if axis is None or w.ndim != 1:
            raise ValueError(
                f"average: weights of shape {w.shape} for a tensor of shape {x.shape}; "
                "give weights of the same shape, or 1-D weights along `axis`"
            )
        shape = [1] * x.ndim
        shape[axis] = w.shape[0]
        w = s.reshape(w, tuple(shape))
    return m.divide(r.sum(m.multiply(x, w), axis=axis),
                    r.sum(m.add(w, np.zeros(x.shape, dtype)), axis=axis))


def ptp(x, axis=None, keepdims: bool = False) -> Tensor:
    return m.subtract(max(x, axis, keepdims), min(x, axis, keepdims))


def _scan_input(x, dtype, op: str):
    x = to_tensor(x)
    if dtype is not None:
        x = cast_to(x, np.dtype(dtype).name)
    elif x.dtype == np.bool_:
        x = cast_to(x, _int32())
    return x


def cumsum(x, axis=None, dtype=None) -> Tensor:
    x = _scan_input(x, dtype, "cumsum")
    if axis is None:
        x, axis = s.reshape(x, (-1,)), 0
    return _keep(extra_ops.cumsum(x, axis=check_axis(int(axis), x.ndim, "cumsum")), x.dtype)


def cumprod(x, axis=None, dtype=None) -> Tensor:
    x = _scan_input(x, dtype, "cumprod")
    if axis is None:
        x, axis = s.reshape(x, (-1,)), 0
    return _keep(extra_ops.cumprod(x, axis=check_axis(int(axis), x.ndim, "cumprod")), x.dtype)


def logsumexp(x, axis=None, keepdims: bool = False) -> Tensor:
    x = float_tensor(x)
    return r.logsumexp(x, axis=_axis(axis, x.ndim, "logsumexp"), keepdims=keepdims)


# ---- quantiles ------------------------------------------------------------------------
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(x, q, axis, method: str, keepdims: bool, skip_nan: bool, op: str) -> Tensor:
    if method not in _METHODS:
        raise ValueError(f"{op}: method must be one of {_METHODS}, received {method!r}")
    x = float_tensor(x)
    qs = np.asarray(to_array(q), dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"{op}: q must lie in [0, 1] (percentiles in [0, 100])")
    axes = tuple(range(x.ndim)) if axis is None else tuple(
        check_axis(int(a), x.ndim, op) for a in np.atleast_1d(axis))
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = moveaxis(x, axes, tuple(range(x.ndim - len(axes), x.ndim)))
    lead = tuple(x.shape[i] for i in kept)
    flat = s.reshape(moved, lead + (-1,))
    order = np.argsort(values(flat), axis=-1, kind="stable")  # NaN sorts last
    ordered = take_along_axis(flat, order, axis=-1)
    nan = np.isnan(values(flat))
    n = (flat.shape[-1] - nan.sum(axis=-1)) if skip_nan else np.full(lead, flat.shape[-1])
    pos = qs.reshape(qs.shape + (1,) * len(lead)) * np.maximum(n - 1, 0)  # q.shape + lead
    lo, hi = np.floor(pos).astype(np.intp), np.ceil(pos).astype(np.intp)
    if method == "lower":
        hi = lo
    elif method == "higher":
        lo = hi
    elif method == "nearest":
        lo = hi = np.round(pos).astype(np.intp)

    def gather(idx):  # (q.shape + lead) -> values of shape q.shape + lead
        moved_idx = np.moveaxis(idx.reshape((-1,) + lead), 0, -1)
        vals = take_along_axis(ordered, moved_idx, axis=-1)
        return s.reshape(moveaxis(vals, -1, 0), qs.shape + lead)

    v_lo, v_hi = gather(lo), gather(hi)
    if method == "linear":
        frac = (pos - lo).astype(x.dtype)
        out = m.add(v_lo, m.multiply(m.subtract(v_hi, v_lo), frac))
    elif method == "midpoint":
        out = m.multiply(m.add(v_lo, v_hi), np.asarray(0.5, x.dtype))
    else:
        out = v_lo
    invalid = (n == 0) if skip_nan else nan.any(axis=-1)
    if invalid.any():
        out = m.where(np.broadcast_to(invalid, out.shape), np.asarray(np.nan, x.dtype), out)
    if keepdims:
        shape = list(x.shape)
        for a in axes:
            shape[a] = 1
        out = s.reshape(out, qs.shape + tuple(shape))
    return out


def quantile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    return _quantile(x, q, axis, method, keepdims, False, "quantile")


def percentile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    return _quantile(x, to_array(q) / 100.0, axis, method, keepdims, False, "percentile")


def median(x, axis=None, keepdims: bool = False) -> Tensor:
    return _quantile(x, 0.5, axis, "linear", keepdims, False, "median")


def nanquantile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    return _quantile(x, q, axis, method, keepdims, True, "nanquantile")


def nanpercentile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    return _quantile(x, to_array(q) / 100.0, axis, method, keepdims, True, "nanpercentile")


def nanmedian(x, axis=None, keepdims: bool = False) -> Tensor:
    return _quantile(x, 0.5, axis, "linear", keepdims, True, "nanmedian")


# ---- NaN-ignoring reductions ----------------------------------------------------------
def _masked(x, fill) -> tuple[Tensor, np.ndarray]:
    x = to_tensor(x)
    nan = np.isnan(values(x)) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    if nan.any():
        x = m.where(nan, np.asarray(fill, x.dtype), x)
    return x, nan


def nansum(x, axis=None, keepdims: bool = False) -> Tensor:
    return sum(_masked(x, 0)[0], axis, keepdims)


def nanprod(x, axis=None, keepdims: bool = False) -> Tensor:
    return prod(_masked(x, 1)[0], axis, keepdims)


def nanmean(x, axis=None, keepdims: bool = False) -> Tensor:
    x = float_tensor(x)
    clean, nan = _masked(x, 0)
    axis = _axis(axis, x.ndim, "nanmean")
    count = np.sum(~nan, axis=axis, keepdims=keepdims).astype(x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        return m.divide(r.sum(clean, axis=axis, keepdims=keepdims), count)


def nanvar(x, axis=None, keepdims: bool = False) -> Tensor:
    x = float_tensor(x)
    centered = m.subtract(x, nanmean(x, axis, keepdims=True))
    return nanmean(m.square(centered), axis, keepdims)


def nanstd(x, axis=None, keepdims: bool = False) -> Tensor:
    return m.sqrt(nanvar(x, axis, keepdims))


def _nan_extreme(x, axis, keepdims, fill, fn) -> Tensor:
    x = to_tensor(x)
    clean, nan = _masked(x, fill)
    out = fn(clean, axis, keepdims)
    all_nan = np.all(nan, axis=axis, keepdims=keepdims)
    if np.any(all_nan):
        out = m.where(all_nan, np.asarray(np.nan, x.dtype), out)
    return out


def nanmax(x, axis=None, keepdims: bool = False) -> Tensor:
    return _nan_extreme(x, axis, keepdims, -np.inf, max)


def nanmin(x, axis=None, keepdims: bool = False) -> Tensor:
    return _nan_extreme(x, axis, keepdims, np.inf, min)


def nanargmax(x, axis=None, keepdims: bool = False) -> Tensor:
    return argmax(_masked(x, -np.inf)[0], axis, keepdims)


def nanargmin(x, axis=None, keepdims: bool = False) -> Tensor:
    return argmin(_masked(x, np.inf)[0], axis, keepdims)


def nancumsum(x, axis=None, dtype=None) -> Tensor:
    return cumsum(_masked(x, 0)[0], axis, dtype)


def nancumprod(x, axis=None, dtype=None) -> Tensor:
    return cumprod(_masked(x, 1)[0], axis, dtype)


# ---- differences and integrals --------------------------------------------------------
def diff(a, n: int = 1, axis: int = -1) -> Tensor:
    x = to_tensor(a)
    axis = check_axis(int(axis), x.ndim, "diff")
    lead = (slice(None),) * axis
    for _ in range(n):
        x = m.subtract(s.getitem(x, lead + (slice(1, None),)), s.getitem(x, lead + (
            slice(None, -1),)))
    return x


def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1) -> Tensor:
    y = float_tensor(y)
    axis = check_axis(int(axis), y.ndim, "trapezoid")
    lead = (slice(None),) * axis
    heights = m.add(s.getitem(y, lead + (slice(1, None),)), s.getitem(y, lead + (
        slice(None, -1),)))
    if x is None:
        widths = np.asarray(dx, y.dtype)
    else:
        widths = diff(cast_to(x, y.dtype.name), axis=-1 if np.ndim(to_array(x)) == 1 else axis)
        if widths.ndim == 1:
            shape = [1] * y.ndim
            shape[axis] = widths.shape[0]
            widths = s.reshape(widths, tuple(shape))
    return m.multiply(r.sum(m.multiply(heights, widths), axis=axis), np.asarray(0.5, y.dtype))


# ---- sorting and searching ------------------------------------------------------------
def sort(x, axis: int = -1) -> Tensor:
    x = to_tensor(x)
    if axis is None:
        x, axis = s.reshape(x, (-1,)), -1
    return take_along_axis(x, np.argsort(values(x), axis=axis, kind="stable"), axis=axis)


def argsort(x, axis: int = -1) -> Tensor:
    data = to_array(x)
    if axis is None:
        data, axis = data.reshape(-1), -1
    return Tensor(np.argsort(data, axis=axis, kind="stable").astype(_int32()))


def argpartition(x, kth, axis: int = -1) -> Tensor:
    return Tensor(np.argpartition(to_array(x), kth, axis=axis).astype(_int32()))


def searchsorted(sorted_sequence, values, side: str = "left") -> Tensor:
    seq = to_array(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError(
            f"searchsorted: sorted_sequence must be 1-D, received shape {seq.shape}"
        )
    return Tensor(np.asarray(np.searchsorted(seq, to_array(values), side=side), _int32()))


def digitize(x, bins) -> Tensor:
    return Tensor(np.asarray(np.digitize(to_array(x), to_array(bins)), _int32()))


def nonzero(x) -> tuple[Tensor, ...]:
    return tuple(Tensor(i.astype(_int32())) for i in np.nonzero(to_array(x)))


def unique(x, sorted: bool = True, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis=None, size=None, fill_value=None):
    """The unique values (sorted), optionally padded to `size` with `fill_value`."""
    data = to_array(x)
    out = np.unique(data, return_index=True, return_inverse=True, return_counts=True,
                    axis=axis)
    values, index, inverse, counts = out
    if not sorted:
        order = np.argsort(index, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        values, index, counts, inverse = values[order], index[order], counts[order], rank[
            inverse]
    if size is not None:
        pad = size - values.shape[0]
        if pad < 0:
            values, index, counts = values[:size], index[:size], counts[:size]
        elif pad:
            fill = values.min() if fill_value is None and values.size else (fill_value or 0)
            values = np.concatenate([values, np.full((pad,) + values.shape[1:], fill,
                                                     values.dtype)])
            index = np.concatenate([index, np.zeros(pad, index.dtype)])
            counts = np.concatenate([counts, np.zeros(pad, counts.dtype)])
    results = [Tensor(values)]
    for flag, arr in ((return_index, index), (return_inverse, inverse.reshape(
            data.shape if axis is None else -1)), (return_counts, counts)):
        if flag:
            results.append(Tensor(arr.astype(_int32())))
    return results[0] if len(results) == 1 else tuple(results)


def histogram(x, bins: int = 10, range=None) -> tuple[Tensor, Tensor]:
    data = to_array(x)
    if data.ndim != 1:
        raise ValueError(f"histogram: expected a 1-D tensor, received shape {data.shape}")
    counts, edges = np.histogram(data, bins=bins, range=range)
    dtype = result_type(data.dtype, float)
    return Tensor(counts.astype(_int32())), Tensor(edges.astype(dtype))


def bincount(x, weights=None, minlength: int = 0, sparse: bool = False) -> Tensor:
    if sparse:
        raise NotImplementedError("bincount: neuroflow has no sparse tensors (sparse=True)")
    data = to_array(x)
    if data.ndim not in (1, 2):
        raise ValueError(f"bincount: expected a 1-D or 2-D tensor, received shape {data.shape}")
    w = None if weights is None else to_array(weights)
    length = builtins.max(minlength, int(data.max()) + 1 if data.size else 0)
    dtype = _int32() if w is None else result_type(w.dtype)
    rows = data.reshape(-1, data.shape[-1]) if data.ndim == 2 else data[None]
    wrows = None if w is None else w.reshape(rows.shape)
    out = np.stack([np.bincount(row, None if wrows is None else wrows[i], minlength=length)
                    for i, row in enumerate(rows)]).astype(dtype)
    return Tensor(out if data.ndim == 2 else out[0])


def isin(x1, x2, assume_unique: bool = False, invert: bool = False) -> Tensor:
    return Tensor(np.isin(to_array(x1), to_array(x2), assume_unique=assume_unique,
                          invert=invert))


def unravel_index(indices, shape) -> tuple[Tensor, ...]:
    idx = to_array(indices)
    return tuple(Tensor(np.asarray(i, dtype=idx.dtype)) for i in np.unravel_index(idx, shape))

