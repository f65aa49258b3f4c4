"""Shape and indexing ops of keras.ops.numpy: reshape, join, split, gather, pad, triangles.

Every op that moves values is a composite of reshape/transpose/getitem/concatenate (or
extra_ops.index_update), so it is differentiable wherever its input is.
"""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import cast_to, promote, result_type, to_array, to_tensor, values

__all__ = [
    "reshape", "transpose", "expand_dims", "squeeze", "ravel", "broadcast_to", "swapaxes",
    "moveaxis", "flip", "fliplr", "flipud", "rot90", "roll", "tile", "repeat", "pad",
    "concatenate", "stack", "hstack", "vstack", "dstack", "append", "split", "array_split",
    "hsplit", "vsplit", "dsplit", "take", "take_along_axis", "get_item", "where", "select",
    "tril", "triu", "diag", "diagflat", "diagonal", "trace", "size", "ndim", "copy",
    "array", "unstack",
]


def _index(x):
    return to_array(x).astype(np.intp, copy=False) if not isinstance(x, (int, np.integer)) else x


def _axis(axis: int, ndim: int, op: str) -> int:
    """`axis` in [0, ndim), or a ValueError naming `op`: an axis out of range is an
    error, never silently another axis (a scalar has the one axis 0). The reductions and
    linalg.norm check their axes with it too."""
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"{op}: axis {axis} is out of bounds for a tensor of rank {ndim}")
    return int(axis) % max(ndim, 1)


def reshape(x, newshape) -> Tensor:
    shape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    return s.reshape(to_tensor(x), shape)


def transpose(x, axes=None) -> Tensor:
    return s.transpose(to_tensor(x), None if axes is None else tuple(axes))


def expand_dims(x, axis) -> Tensor:
    x = to_tensor(x)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return s.reshape(x, np.expand_dims(x.data, axes).shape)


def squeeze(x, axis=None) -> Tensor:
    x = to_tensor(x)
    return s.squeeze(x, None if axis is None else (
        axis if isinstance(axis, (int, np.integer)) else tuple(axis)))


def ravel(x) -> Tensor:
    return s.reshape(to_tensor(x), (-1,))


def broadcast_to(x, shape) -> Tensor:
    x = to_tensor(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    np.broadcast_shapes(x.shape, shape)  # a clear NumPy error when impossible
    return m.add(x, np.zeros(shape, dtype=x.dtype))


def swapaxes(x, axis1: int, axis2: int) -> Tensor:
    x = to_tensor(x)
    perm = list(range(x.ndim))
    a, b = _axis(axis1, x.ndim, "swapaxes"), _axis(axis2, x.ndim, "swapaxes")
    perm[a], perm[b] = perm[b], perm[a]
    return s.transpose(x, tuple(perm))


def moveaxis(x, source, destination) -> Tensor:
    x = to_tensor(x)
    src = [int(a) % x.ndim for a in np.atleast_1d(source)]
    dst = [int(a) % x.ndim for a in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: {len(src)} source axes for {len(dst)} destination axes"
        )
    placed = dict(zip(dst, src, strict=True))
    rest = iter(i for i in range(x.ndim) if i not in src)
    return s.transpose(x, tuple(placed[i] if i in placed else next(rest)
                                for i in range(x.ndim)))


def flip(x, axis=None) -> Tensor:
    x = to_tensor(x)
    axes = range(x.ndim) if axis is None else [
        _axis(int(a), x.ndim, "flip") for a in np.atleast_1d(axis)]
    index = [slice(None)] * x.ndim
    for a in axes:
        index[int(a)] = slice(None, None, -1)
    return s.getitem(x, tuple(index))


def fliplr(x) -> Tensor:
    return flip(x, 1)


def flipud(x) -> Tensor:
    return flip(x, 0)


def rot90(array, k: int = 1, axes=(0, 1)) -> Tensor:
    x = to_tensor(array)
    a0, a1 = (int(a) % x.ndim for a in axes)
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return flip(flip(x, a0), a1)
    perm = list(range(x.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return s.transpose(flip(x, a1), tuple(perm))
    return flip(s.transpose(x, tuple(perm)), a1)


def take(x, indices, axis=None) -> Tensor:
    x = to_tensor(x)
    if axis is None:
        x, axis = s.reshape(x, (-1,)), 0
    axis = _axis(axis, x.ndim, "take")
    return s.getitem(x, (slice(None),) * axis + (_index(indices),))


def take_along_axis(x, indices, axis=None) -> Tensor:
    """Pick x[..., indices[...], ...] along `axis`; index and x broadcast as in NumPy."""
    x = to_tensor(x)
    idx = np.asarray(_index(indices))
    if axis is None:
        x, idx, axis = s.reshape(x, (-1,)), idx.reshape(-1), 0
    axis = _axis(axis, x.ndim, "take_along_axis")
    if idx.ndim != x.ndim:
        raise ValueError(
            f"take_along_axis: indices of rank {idx.ndim} for a tensor of rank {x.ndim}; "
            "they must have the same rank"
        )
    shape = list(np.broadcast_shapes(
        tuple(n for i, n in enumerate(x.shape) if i != axis),
        tuple(n for i, n in enumerate(idx.shape) if i != axis)))
    shape.insert(axis, idx.shape[axis])
    x = broadcast_to(x, tuple(n if i != axis else x.shape[axis] for i, n in enumerate(shape)))
    idx = np.broadcast_to(idx, shape)
    grids = np.ogrid[tuple(slice(n) for n in shape)]
    index = tuple(idx if i == axis else grids[i] for i in range(len(shape)))
    return s.getitem(x, index)


def get_item(x, key) -> Tensor:
    if isinstance(key, Tensor):
        key = values(key)
    return s.getitem(to_tensor(x), key)


def roll(x, shift, axis=None) -> Tensor:
    x = to_tensor(x)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.shape)
    shifts, axes = np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))
    for sh, ax in zip(shifts.tolist(), axes.tolist(), strict=True):
        n = x.shape[ax]
        if n:
            x = take(x, (np.arange(n) - sh) % n, ax)
    return x


def tile(x, repeats) -> Tensor:
    x = to_tensor(x)
    reps = (repeats,) if isinstance(repeats, (int, np.integer)) else tuple(repeats)
    if len(reps) > x.ndim:
        x = s.reshape(x, (1,) * (len(reps) - x.ndim) + x.shape)
    reps = (1,) * (x.ndim - len(reps)) + reps
    for ax, r in enumerate(reps):
        if r != 1:
            x = take(x, np.tile(np.arange(x.shape[ax]), r), ax)
    return x


def repeat(x, repeats, axis=None) -> Tensor:
    x = to_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = _axis(axis, x.ndim, "repeat")
    return take(x, np.repeat(np.arange(x.shape[axis]), to_array(repeats)), axis)


_INDEX_PAD_MODES = ("edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode: str = "constant", constant_values=None) -> Tensor:
    """Pad each axis; constant, edge, reflect, symmetric and wrap modes are differentiable."""
    x = to_tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (x.ndim, 2)).tolist()
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        for ax, (before, after) in enumerate(widths):
            parts = []
            shape = list(x.shape)
            if before:
                shape[ax] = before
                parts.append(np.full(shape, value, dtype=x.dtype))
            parts.append(x)
            if after:
                shape[ax] = after
                parts.append(np.full(shape, value, dtype=x.dtype))
            if len(parts) > 1:
                x = s.concatenate(parts, axis=ax)
        return x
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only valid with mode='constant', not {mode!r}")
    if mode in _INDEX_PAD_MODES:
        for ax, (before, after) in enumerate(widths):
            if before or after:
                x = take(x, np.pad(np.arange(x.shape[ax]), (before, after), mode=mode), ax)
        return x
    if mode in ("linear_ramp", "maximum", "mean", "median", "minimum"):
        extra_ops.refuse_gradient(f"pad(mode={mode!r})", x)
        return Tensor(np.pad(values(x), widths, mode=mode))
    raise ValueError(
        f"pad: mode must be one of 'constant', {', '.join(map(repr, _INDEX_PAD_MODES))}, "
        f"'linear_ramp', 'maximum', 'mean', 'median', 'minimum'; received {mode!r}"
    )


def concatenate(xs, axis: int = 0) -> Tensor:
    xs = list(xs)
    if not xs:
        raise ValueError("concatenate: expected at least one tensor, received none")
    tensors, _ = promote(*xs)
    if axis is None:
        tensors, axis = [ravel(t) for t in tensors], 0
    return s.concatenate(tensors, axis=axis)


def stack(x, axis: int = 0) -> Tensor:
    tensors, _ = promote(*list(x))
    return s.stack(tensors, axis=axis)


def _at_least(t: Tensor, rank: int) -> Tensor:
    """NumPy's atleast_1d/2d/3d layouts: (n,) -> (1, n) or (1, n, 1); (a, b) -> (a, b, 1)."""
    if t.ndim >= rank:
        return t
    if t.ndim == 0:
        shape = (1,) * rank
    elif t.ndim == 1:
        shape = (1, t.shape[0]) if rank == 2 else (1, t.shape[0], 1)
    else:
        shape = t.shape + (1,)
    return s.reshape(t, shape)


def hstack(xs) -> Tensor:
    tensors, _ = promote(*list(xs))
    tensors = [_at_least(t, 1) for t in tensors]
    return s.concatenate(tensors, axis=0 if tensors[0].ndim == 1 else 1)


def vstack(xs) -> Tensor:
    tensors, _ = promote(*list(xs))
    return s.concatenate([_at_least(t, 2) for t in tensors], axis=0)


def dstack(xs) -> Tensor:
    tensors, _ = promote(*list(xs))
    return s.concatenate([_at_least(t, 3) for t in tensors], axis=2)


def append(x1, x2, axis=None) -> Tensor:
    return concatenate([x1, x2], axis=axis)


def _split(x: Tensor, indices_or_sections, axis: int, equal: bool, op: str) -> list[Tensor]:
    axis = _axis(axis, x.ndim, op)
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0 or (equal and n % k):
            raise ValueError(
                f"{op}: cannot split an axis of length {n} into {k} equal sections"
            )
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        bounds = np.cumsum([0] + sizes).tolist()
    else:
        bounds = [0] + [int(i) for i in to_array(indices_or_sections).tolist()] + [n]
    lead = (slice(None),) * axis
    return [s.getitem(x, lead + (slice(a, max(a, b)),)) for a, b in zip(bounds[:-1],
                                                                            bounds[1:],
                                                                            strict=True)]


def split(x, indices_or_sections, axis: int = 0) -> list[Tensor]:
    return _split(to_tensor(x), indices_or_sections, axis, True, "split")


def array_split(x, indices_or_sections, axis: int = 0) -> list[Tensor]:
    return _split(to_tensor(x), indices_or_sections, axis, False, "array_split")


def hsplit(x, indices_or_sections) -> list[Tensor]:
    x = to_tensor(x)
    return _split(x, indices_or_sections, 0 if x.ndim == 1 else 1, True, "hsplit")


def vsplit(x, indices_or_sections) -> list[Tensor]:
    return _split(to_tensor(x), indices_or_sections, 0, True, "vsplit")


def dsplit(x, indices_or_sections) -> list[Tensor]:
    return _split(to_tensor(x), indices_or_sections, 2, True, "dsplit")


def unstack(x, num=None, axis: int = 0) -> list[Tensor]:
    x = to_tensor(x)
    axis = _axis(axis, x.ndim, "unstack")
    if num is not None and num != x.shape[axis]:
        raise ValueError(f"unstack: num={num} for an axis of length {x.shape[axis]}")
    lead = (slice(None),) * axis
    return [s.getitem(x, lead + (i,)) for i in range(x.shape[axis])]


def where(condition, x1=None, x2=None):
    """x1 where condition holds, else x2; with neither, the indices where it holds."""
    cond = to_array(condition).astype(bool)
    if x1 is None and x2 is None:
        return tuple(Tensor(i.astype(result_type(int))) for i in np.nonzero(cond))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither")
    (a, b), _ = promote(x1, x2)
    return m.where(cond, a, b)


def select(condlist, choicelist, default=0) -> Tensor:
    conds = [to_array(c).astype(bool) for c in condlist]
    choices = list(choicelist)
    if len(conds) != len(choices):
        raise ValueError(
            f"select: {len(conds)} conditions for {len(choices)} choices; they must match"
        )
    tensors, dtype = promote(*choices, default)
    out = tensors[-1]
    for cond, choice in zip(reversed(conds), reversed(tensors[:-1]), strict=True):
        out = m.where(cond, choice, out)
    shape = np.broadcast_shapes(*(c.shape for c in conds), *(t.shape for t in tensors))
    return broadcast_to(cast_to(out, dtype), shape)


def _triangle(x, k: int, lower: bool) -> Tensor:
    x = to_tensor(x)
    n, mm = x.shape[-2:]
    mask = np.tri(n, mm, k, dtype=bool)
    mask = mask if lower else ~np.tri(n, mm, k - 1, dtype=bool)
    return m.where(mask, x, np.zeros((), x.dtype))


def tril(x, k: int = 0) -> Tensor:
    return _triangle(x, k, True)


def triu(x, k: int = 0) -> Tensor:
    return _triangle(x, k, False)


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    x = moveaxis(to_tensor(x), (axis1, axis2), (-2, -1))
    n, mm = x.shape[-2:]
    rows = np.arange(max(0, -offset), max(0, min(n, mm - offset)))
    return s.getitem(x, (Ellipsis, rows, rows + offset))


def diag(x, k: int = 0) -> Tensor:
    x = to_tensor(x)
    if x.ndim == 1:
        n = x.shape[0] + abs(k)
        rows = np.arange(x.shape[0]) + max(0, -k)
        return extra_ops.index_update(np.zeros((n, n), x.dtype), (rows, rows + k), x)
    if x.ndim == 2:
        return diagonal(x, k)
    raise ValueError(f"diag: expected a tensor of rank 1 or 2, received rank {x.ndim}")


def diagflat(x, k: int = 0) -> Tensor:
    return diag(ravel(x), k)


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    from neuroflow.ops._reduce import sum as _sum

    return _sum(diagonal(x, offset, axis1, axis2), axis=-1)


def size(x) -> int:
    return int(np.size(to_array(x)))


def ndim(x) -> int:
    return int(np.ndim(to_array(x)))


def copy(x) -> Tensor:
    x = to_tensor(x)
    return m.add(x, np.zeros((), x.dtype))


def array(x, dtype=None) -> Tensor:
    return to_tensor(x, dtype)
