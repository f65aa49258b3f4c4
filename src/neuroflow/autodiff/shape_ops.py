"""Shape ops: reshape, transpose, indexing, concatenate, stack, expand/squeeze."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff.tensor import Tensor, convert_to_tensor, record

__all__ = [
    "reshape", "transpose", "getitem", "concatenate", "stack", "expand_dims", "squeeze",
    "flatten_batch", "one_hot",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def reshape(x, shape) -> Tensor:
    x = _t(x)
    src = x.data.shape
    return record(x.data.reshape(shape), (x,), lambda g: (g.reshape(src),))


def flatten_batch(x) -> Tensor:
    """Reshape to (batch, everything else)."""
    x = _t(x)
    return reshape(x, (x.data.shape[0], -1))


def transpose(x, axes=None) -> Tensor:
    x = _t(x)
    inverse = None if axes is None else tuple(np.argsort([a % x.ndim for a in axes]))
    return record(np.transpose(x.data, axes), (x,), lambda g: (np.transpose(g, inverse),))


def getitem(x, index) -> Tensor:
    """`x[index]` for any NumPy index; repeated integer indices accumulate gradients."""
    x = _t(x)
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    basic = all(_is_basic(i) for i in (index if isinstance(index, tuple) else (index,)))

    def vjp(g):
        out = np.zeros_like(x.data)
        if basic:  # each element picked at most once: a plain assignment is enough
            out[index] = g
        else:
            np.add.at(out, index, g)
        return (out,)

    return record(np.asarray(x.data[index]), (x,), vjp)


def _is_basic(i) -> bool:
    return i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))


def concatenate(tensors, axis: int = -1) -> Tensor:
    ts = tuple(_t(t) for t in tensors)
    if not ts:
        raise ValueError("concatenate: expected at least one tensor, received none")
    out = np.concatenate([t.data for t in ts], axis=axis)
    ax = axis % out.ndim
    bounds = np.cumsum([t.data.shape[ax] for t in ts])[:-1]

    def vjp(g):
        return tuple(np.split(g, bounds, axis=ax))

    return record(out, ts, vjp)


def stack(tensors, axis: int = 0) -> Tensor:
    ts = tuple(_t(t) for t in tensors)
    out = np.stack([t.data for t in ts], axis=axis)
    ax = axis % out.ndim

    def vjp(g):
        return tuple(np.take(g, i, axis=ax) for i in range(len(ts)))

    return record(out, ts, vjp)


def expand_dims(x, axis: int) -> Tensor:
    x = _t(x)
    src = x.data.shape
    return record(np.expand_dims(x.data, axis), (x,), lambda g: (g.reshape(src),))


def squeeze(x, axis=None) -> Tensor:
    x = _t(x)
    src = x.data.shape
    return record(np.squeeze(x.data, axis), (x,), lambda g: (g.reshape(src),))


def one_hot(indices, num_classes: int, dtype=None) -> Tensor:
    """A constant one-hot encoding of integer `indices` (no gradient)."""
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices).astype(np.int64)
    from neuroflow import backend

    out = np.zeros(idx.shape + (num_classes,), dtype=dtype or backend.floatx())
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor(out)
