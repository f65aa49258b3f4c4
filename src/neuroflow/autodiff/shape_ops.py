"""Shape primitives: reshape, transpose, indexing, concatenate, stack, expand/squeeze."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor

__all__ = [
    "reshape", "transpose", "getitem", "concatenate", "stack", "expand_dims", "squeeze",
    "flatten_batch", "one_hot",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _back_to_shape(g, shape, needs):
    return (g.reshape(shape),)


RESHAPE = Primitive("reshape", lambda x, shape: (x.reshape(shape), x.shape), _back_to_shape)
EXPAND_DIMS = Primitive(
    "expand_dims", lambda x, axis: (np.expand_dims(x, axis), x.shape), _back_to_shape
)
SQUEEZE = Primitive("squeeze", lambda x, axis: (np.squeeze(x, axis), x.shape), _back_to_shape)


def reshape(x, shape) -> Tensor:
    return RESHAPE.bind(_t(x), shape=shape)


def flatten_batch(x) -> Tensor:
    """Reshape to (batch, everything else)."""
    x = _t(x)
    return reshape(x, (x.data.shape[0], -1))


def _transpose_fwd(x, axes):
    inverse = None if axes is None else tuple(np.argsort([a % x.ndim for a in axes]))
    return np.transpose(x, axes), inverse


TRANSPOSE = Primitive(
    "transpose", _transpose_fwd, lambda g, inverse, needs: (np.transpose(g, inverse),)
)


def transpose(x, axes=None) -> Tensor:
    return TRANSPOSE.bind(_t(x), axes=axes)


def _getitem_fwd(x, index, basic):
    return np.asarray(x[index]), (x.shape, x.dtype, index, basic)


def _getitem_vjp(g, res, needs):
    shape, dtype, index, basic = res
    out = np.zeros(shape, dtype=dtype)
    if basic:  # each element picked at most once: a plain assignment is enough
        out[index] = g
    else:
        np.add.at(out, index, g)
    return (out,)


GETITEM = Primitive("getitem", _getitem_fwd, _getitem_vjp)


def getitem(x, index) -> Tensor:
    """`x[index]` for any NumPy index; repeated integer indices accumulate gradients."""
    x = _t(x)
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    basic = all(_is_basic(i) for i in (index if isinstance(index, tuple) else (index,)))
    return GETITEM.bind(x, index=index, basic=basic)


def _is_basic(i) -> bool:
    return i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))


def _concatenate_fwd(*arrays, axis):
    out = np.concatenate(arrays, axis=axis)
    ax = axis % out.ndim
    return out, (np.cumsum([a.shape[ax] for a in arrays])[:-1], ax)


CONCATENATE = Primitive(
    "concatenate", _concatenate_fwd,
    lambda g, res, needs: tuple(np.split(g, res[0], axis=res[1])),
)


def concatenate(tensors, axis: int = -1) -> Tensor:
    ts = tuple(_t(t) for t in tensors)
    if not ts:
        raise ValueError("concatenate: expected at least one tensor, received none")
    return CONCATENATE.bind(*ts, axis=axis)


def _stack_fwd(*arrays, axis):
    out = np.stack(arrays, axis=axis)
    return out, (axis % out.ndim, len(arrays))


STACK = Primitive(
    "stack", _stack_fwd,
    lambda g, res, needs: tuple(np.take(g, i, axis=res[0]) for i in range(res[1])),
)


def stack(tensors, axis: int = 0) -> Tensor:
    return STACK.bind(*(_t(t) for t in tensors), axis=axis)


def expand_dims(x, axis: int) -> Tensor:
    return EXPAND_DIMS.bind(_t(x), axis=axis)


def squeeze(x, axis=None) -> Tensor:
    return SQUEEZE.bind(_t(x), axis=axis)


def one_hot(indices, num_classes: int, dtype=None) -> Tensor:
    """A constant one-hot encoding of integer `indices` (no gradient)."""
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices).astype(np.int64)
    from neuroflow import backend

    out = np.zeros(idx.shape + (num_classes,), dtype=dtype or backend.floatx())
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor(out)
