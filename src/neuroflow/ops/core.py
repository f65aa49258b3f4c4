"""keras.ops core: conversion, dtype and shape queries, control flow, scatter and slices.

Control flow runs eagerly (neuroflow has no graph compiler): `cond` calls one branch,
loops are Python loops over the ops, so the tape records them like any other code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor, record
from neuroflow.autodiff.tensor import stop_gradient as _stop_gradient
from neuroflow.backend import tree
from neuroflow.ops._dtypes import cast_to, standardize_dtype, to_array, to_tensor
from neuroflow.ops._shape import unstack

__all__ = [
    "cast", "saturate_cast", "convert_to_tensor", "convert_to_numpy", "is_tensor", "dtype",
    "shape", "stop_gradient", "cond", "switch", "while_loop", "fori_loop", "scan", "map",
    "associative_scan", "vectorized_map", "custom_gradient", "scatter", "scatter_update",
    "slice", "slice_update", "unstack", "rearrange",
]


def cast(x, dtype) -> Tensor:
    """`x` as `dtype` (differentiable between float types)."""
    return cast_to(to_tensor(x), standardize_dtype(dtype))


def saturate_cast(x, dtype) -> Tensor:
    """Cast with values clipped to the target type's range first (no wrap-around)."""
    dtype = standardize_dtype(dtype)
    x = to_tensor(x)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else np.finfo(dtype)
    if x.dtype.kind in "iuf" and dtype != "bool":
        src = np.iinfo(x.dtype) if x.dtype.kind in "iu" else np.finfo(x.dtype)
        lo, hi = max(info.min, src.min), min(info.max, src.max)
        from neuroflow.ops._elementwise import clip

        x = clip(x, np.asarray(lo).astype(x.dtype), np.asarray(hi).astype(x.dtype))
    return cast_to(x, dtype)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> Tensor:
    """A Tensor from arrays, lists and scalars (Python ints become int32, floats floatx)."""
    if sparse or ragged:
        raise NotImplementedError(
            "convert_to_tensor: neuroflow has no sparse or ragged tensors (sparse=True, "
            "ragged=True)"
        )
    return to_tensor(x, dtype)


def convert_to_numpy(x) -> np.ndarray:
    """The value as a NumPy array."""
    return np.array(to_array(x))


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def dtype(x) -> str:
    return standardize_dtype(x.dtype if isinstance(x, Tensor) else to_array(x).dtype)


def shape(x) -> tuple[int, ...]:
    return tuple(x.shape if isinstance(x, Tensor) else np.shape(to_array(x)))


def stop_gradient(variable) -> Tensor:
    """The same value, cut off from the tape."""
    return _stop_gradient(variable)


def _truth(pred) -> bool:
    value = to_array(pred)
    if value.size != 1:
        raise ValueError(f"cond: pred must be a scalar, received shape {value.shape}")
    return bool(value.reshape(()))


def cond(pred, true_fn: Callable, false_fn: Callable):
    return true_fn() if _truth(pred) else false_fn()


def switch(index, branches: Sequence[Callable], *operands):
    """Call branches[index] (index clipped to the valid range, as in Keras)."""
    i = int(np.clip(int(to_array(index)), 0, len(branches) - 1))
    return branches[i](*operands)


def while_loop(cond: Callable, body: Callable, loop_vars, maximum_iterations=None):
    single = not isinstance(loop_vars, (tuple, list))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while _truth(cond(*state)) and (maximum_iterations is None or steps < maximum_iterations):
        out = body(*state)
        state = (out,) if single else tuple(out)
        steps += 1
    return state[0] if single else type(loop_vars)(state)


def fori_loop(lower: int, upper: int, body_fun: Callable, init_val):
    val = init_val
    for i in range(int(to_array(lower)), int(to_array(upper))):
        val = body_fun(i, val)
    return val


def _slices(xs, length: int | None, op: str) -> tuple[list, int]:
    leaves = [to_tensor(x) for x in tree.flatten(xs)]
    sizes = {t.shape[0] for t in leaves}
    if len(sizes) > 1:
        raise ValueError(f"{op}: every input needs the same leading length, received {sizes}")
    n = sizes.pop() if sizes else length
    if n is None:
        raise ValueError(f"{op}: give xs or length")
    return [tree.pack_sequence_as(xs, [s.getitem(t, i) for t in leaves]) for i in range(n)], n


def _stack_trees(items: list):
    if not items:
        return None
    flat = [tree.flatten(item) for item in items]
    stacked = [s.stack([to_tensor(f[j]) for f in flat]) for j in range(len(flat[0]))]
    return tree.pack_sequence_as(items[0], stacked)


def scan(f: Callable, init, xs=None, length=None, reverse: bool = False, unroll: int = 1):
    """carry, ys = scan(f, init, xs): f(carry, x) -> (carry, y), ys stacked."""
    items, n = _slices(xs, length, "scan") if xs is not None else ([None] * int(length),
                                                                  int(length))
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, [None] * n
    for i in order:
        carry, ys[i] = f(carry, items[i])
    if all(y is None for y in ys):
        return carry, None
    return carry, _stack_trees(ys)


def map(f: Callable, xs):
    """f applied along the leading axis of xs, results stacked."""
    items, _ = _slices(xs, None, "map")
    return _stack_trees([f(x) for x in items])


def vectorized_map(function: Callable, elements):
    return map(function, elements)


def associative_scan(f: Callable, elems, reverse: bool = False, axis: int = 0):
    """Prefix reductions with the associative f (computed sequentially)."""
    leaves = [to_tensor(e) for e in tree.flatten(elems)]
    moved = [s.transpose(t, _axis_first(t.ndim, axis)) for t in leaves]
    n = moved[0].shape[0]
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    acc, outs = None, [None] * n
    for i in order:
        x = tree.pack_sequence_as(elems, [s.getitem(t, i) for t in moved])
        acc = x if acc is None else f(acc, x)
        outs[i] = acc
    stacked = tree.flatten(_stack_trees(outs))
    back = [s.transpose(t, tuple(np.argsort(_axis_first(t.ndim, axis)))) for t in stacked]
    return tree.pack_sequence_as(elems, back)


def _axis_first(ndim: int, axis: int) -> tuple[int, ...]:
    axis %= ndim
    return (axis,) + tuple(i for i in range(ndim) if i != axis)


def custom_gradient(f: Callable) -> Callable:
    """Decorate f(*args) -> (y, grad_fn); the tape then uses grad_fn(upstream) as its VJP."""

    def wrapped(*args, **kwargs):
        tensors = [a for a in args if isinstance(a, Tensor)]
        y, grad_fn = f(*args, **kwargs)
        y = to_tensor(y)

        def vjp(g):
            grads = grad_fn(Tensor(g))
            grads = grads if isinstance(grads, (list, tuple)) else (grads,)
            if len(grads) != len(tensors):
                raise ValueError(
                    f"custom_gradient: the gradient function returned {len(grads)} "
                    f"gradients for {len(tensors)} tensor arguments"
                )
            return tuple(None if gr is None else to_array(gr) for gr in grads)

        return record(y.data, tuple(tensors), vjp)

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped


def _index_tuple(indices) -> tuple[np.ndarray, ...]:
    idx = to_array(indices).astype(np.intp)
    return tuple(idx[..., i] for i in range(idx.shape[-1]))


def scatter(indices, values, shape) -> Tensor:
    """Zeros of `shape` with `values` added at `indices` (duplicates add up)."""
    values = to_tensor(values)
    base = np.zeros(tuple(int(n) for n in shape), dtype=values.dtype)
    return extra_ops.index_update(base, _index_tuple(indices), values, add=True)


def scatter_update(inputs, indices, updates, reduction=None) -> Tensor:
    """A copy of `inputs` with the entries at `indices` replaced (or added: reduction='add')."""
    if reduction not in (None, "add"):
        raise ValueError(f"scatter_update: reduction must be None or 'add', received "
                         f"{reduction!r}")
    inputs = to_tensor(inputs)
    updates = cast_to(updates, inputs.dtype.name)
    return extra_ops.index_update(inputs, _index_tuple(indices), updates,
                                  add=reduction == "add")


_py_slice = type(np.s_[0:1])  # the builtin, which this module's `slice` op shadows


def _box(start_indices, sizes) -> tuple:
    starts = [int(v) for v in to_array(start_indices).reshape(-1)]
    return tuple(_py_slice(a, a + int(n)) for a, n in zip(starts, sizes, strict=True))


def slice(inputs, start_indices, shape) -> Tensor:
    """inputs[start : start + shape] along every axis."""
    return s.getitem(to_tensor(inputs), _box(start_indices, tuple(shape)))


def slice_update(inputs, start_indices, updates) -> Tensor:
    """A copy of `inputs` with the box starting at start_indices replaced by `updates`."""
    inputs = to_tensor(inputs)
    updates = cast_to(updates, inputs.dtype.name)
    return extra_ops.index_update(inputs, _box(start_indices, updates.shape), updates)



def _groups(side: str, pattern: str) -> list[list[str]]:
    groups, current = [], None
    for token in side.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            if current is not None:
                raise ValueError(f"rearrange: nested parentheses in {pattern!r}")
            current = []
        elif token == ")":
            if current is None:
                raise ValueError(f"rearrange: unbalanced parentheses in {pattern!r}")
            groups.append(current)
            current = None
        elif token == "..." or not token.isidentifier():
            raise ValueError(
                f"rearrange: {token!r} in {pattern!r} is not supported; name every axis"
            )
        elif current is not None:
            current.append(token)
        else:
            groups.append([token])
    if current is not None:
        raise ValueError(f"rearrange: unbalanced parentheses in {pattern!r}")
    return groups


def rearrange(tensor, pattern: str, **axes_lengths) -> Tensor:
    """einops-style axis regrouping: 'b (h w) c -> b h w c' with h=... given."""
    x = to_tensor(tensor)
    lhs_text, arrow, rhs_text = pattern.partition("->")
    if not arrow:
        raise ValueError(f"rearrange: the pattern {pattern!r} has no '->'")
    lhs, rhs = _groups(lhs_text, pattern), _groups(rhs_text, pattern)
    names = [n for g in lhs for n in g]
    if sorted(names) != sorted(n for g in rhs for n in g) or len(set(names)) != len(names):
        raise ValueError(
            f"rearrange: both sides of {pattern!r} must name the same axes, each once"
        )
    if len(lhs) != x.ndim:
        raise ValueError(
            f"rearrange: {pattern!r} describes {len(lhs)} axes, the tensor has {x.ndim}"
        )
    sizes = dict(axes_lengths)
    for group, n in zip(lhs, x.shape, strict=True):
        unknown = [a for a in group if a not in sizes]
        known = int(np.prod([sizes[a] for a in group if a in sizes]))
        if len(unknown) > 1:
            raise ValueError(f"rearrange: give the lengths of {unknown[1:]} in {pattern!r}")
        if unknown:
            sizes[unknown[0]] = n // known if known else 0
        if int(np.prod([sizes[a] for a in group])) != n:
            raise ValueError(
                f"rearrange: axes {group} of lengths {[sizes[a] for a in group]} do not "
                f"make an axis of length {n}"
            )
    flat = s.reshape(x, tuple(sizes[n] for n in names))
    order = [names.index(n) for g in rhs for n in g]
    moved = s.transpose(flat, tuple(order))
    return s.reshape(moved, tuple(int(np.prod([sizes[a] for a in g])) for g in rhs))
