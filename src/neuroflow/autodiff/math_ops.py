"""Element-wise arithmetic and matmul, each with its vector-Jacobian product.

All binary ops follow NumPy broadcasting; their VJPs sum the upstream gradient back
to each input's shape.
"""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff.tensor import Tensor, convert_to_tensor, record

__all__ = [
    "add", "subtract", "multiply", "divide", "negative", "power", "matmul", "exp", "log",
    "sqrt", "square", "abs", "maximum", "minimum", "where", "clip", "sign", "cast",
    "log1p", "expm1", "sin", "cos", "tanh", "unbroadcast",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _pair(a, b) -> tuple[Tensor, Tensor]:
    """Both operands as tensors; a Python number takes the other side's float dtype."""
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else _like(b, a))
    if isinstance(b, Tensor):
        return _like(a, b), b
    return convert_to_tensor(a), convert_to_tensor(b)


def _like(x, ref: Tensor) -> Tensor:
    if isinstance(x, (int, float)) and ref.data.dtype.kind == "f":
        return Tensor(np.asarray(x, dtype=ref.data.dtype))
    return convert_to_tensor(x)


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `g` over the axes that broadcasting added or stretched to reach `shape`."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def add(a, b) -> Tensor:
    a, b = _pair(a, b)

    def vjp(g):
        return (
            unbroadcast(g, a.data.shape) if a.requires_grad else None,
            unbroadcast(g, b.data.shape) if b.requires_grad else None,
        )

    return record(a.data + b.data, (a, b), vjp)


def subtract(a, b) -> Tensor:
    a, b = _pair(a, b)

    def vjp(g):
        return (
            unbroadcast(g, a.data.shape) if a.requires_grad else None,
            unbroadcast(-g, b.data.shape) if b.requires_grad else None,
        )

    return record(a.data - b.data, (a, b), vjp)


def multiply(a, b) -> Tensor:
    a, b = _pair(a, b)

    def vjp(g):
        return (
            unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None,
            unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None,
        )

    return record(a.data * b.data, (a, b), vjp)


def divide(a, b) -> Tensor:
    a, b = _pair(a, b)
    out = a.data / b.data

    def vjp(g):
        return (
            unbroadcast(g / b.data, a.data.shape) if a.requires_grad else None,
            unbroadcast(-g * out / b.data, b.data.shape) if b.requires_grad else None,
        )

    return record(out, (a, b), vjp)


def negative(a) -> Tensor:
    a = _t(a)
    return record(-a.data, (a,), lambda g: (-g,))


def power(a, b) -> Tensor:
    a, b = _pair(a, b)
    out = a.data ** b.data

    def vjp(g):
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g * b.data * a.data ** (b.data - 1), a.data.shape)
        if b.requires_grad:
            safe = np.where(a.data > 0, a.data, 1)
            gb = unbroadcast(g * out * np.log(safe), b.data.shape)
        return ga, gb

    return record(out, (a, b), vjp)


def matmul(a, b) -> Tensor:
    a, b = _pair(a, b)
    ad, bd = a.data, b.data

    def vjp(g):
        ga = gb = None
        if ad.ndim == 1 and bd.ndim == 1:
            return (g * bd if a.requires_grad else None, g * ad if b.requires_grad else None)
        a2 = ad[None, :] if ad.ndim == 1 else ad
        b2 = bd[:, None] if bd.ndim == 1 else bd
        g2 = g
        if ad.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if bd.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        if a.requires_grad:
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(ad.shape)
        if b.requires_grad:
            gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(bd.shape)
        return ga, gb

    return record(ad @ bd, (a, b), vjp)


def exp(a) -> Tensor:
    a = _t(a)
    out = np.exp(a.data)
    return record(out, (a,), lambda g: (g * out,))


def log(a) -> Tensor:
    a = _t(a)
    return record(np.log(a.data), (a,), lambda g: (g / a.data,))


def log1p(a) -> Tensor:
    a = _t(a)
    return record(np.log1p(a.data), (a,), lambda g: (g / (1 + a.data),))


def expm1(a) -> Tensor:
    a = _t(a)
    out = np.expm1(a.data)
    return record(out, (a,), lambda g: (g * (out + 1),))


def sqrt(a) -> Tensor:
    a = _t(a)
    out = np.sqrt(a.data)
    return record(out, (a,), lambda g: (g * 0.5 / out,))


def square(a) -> Tensor:
    a = _t(a)
    return record(np.square(a.data), (a,), lambda g: (g * 2 * a.data,))


def abs(a) -> Tensor:
    a = _t(a)
    return record(np.abs(a.data), (a,), lambda g: (g * np.sign(a.data),))


def sign(a) -> Tensor:
    a = _t(a)
    return record(np.sign(a.data), (a,), lambda g: (np.zeros_like(g),))


def sin(a) -> Tensor:
    a = _t(a)
    return record(np.sin(a.data), (a,), lambda g: (g * np.cos(a.data),))


def cos(a) -> Tensor:
    a = _t(a)
    return record(np.cos(a.data), (a,), lambda g: (-g * np.sin(a.data),))


def tanh(a) -> Tensor:
    a = _t(a)
    out = np.tanh(a.data)
    return record(out, (a,), lambda g: (g * (1 - out * out),))


def _select(a, b, pick_a: np.ndarray, out: np.ndarray) -> Tensor:
    def vjp(g):
        return (
            unbroadcast(np.where(pick_a, g, 0), a.data.shape) if a.requires_grad else None,
            unbroadcast(np.where(pick_a, 0, g), b.data.shape) if b.requires_grad else None,
        )

    return record(out, (a, b), vjp)


def maximum(a, b) -> Tensor:
    """Element-wise maximum; on ties the gradient goes to the first argument."""
    a, b = _pair(a, b)
    return _select(a, b, a.data >= b.data, np.maximum(a.data, b.data))


def minimum(a, b) -> Tensor:
    """Element-wise minimum; on ties the gradient goes to the first argument."""
    a, b = _pair(a, b)
    return _select(a, b, a.data <= b.data, np.minimum(a.data, b.data))


def where(condition, a, b) -> Tensor:
    """`a` where `condition` holds, else `b` (gradients flow to the chosen side)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a, b = _pair(a, b)
    return _select(a, b, np.broadcast_to(cond, np.broadcast_shapes(cond.shape, a.shape, b.shape)),
                   np.where(cond, a.data, b.data))


def clip(a, min_value, max_value) -> Tensor:
    """Clip to [min_value, max_value]; the gradient is zero outside the range."""
    a = _t(a)
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    inside = (a.data >= lo) & (a.data <= hi)
    out = np.clip(a.data, lo, hi).astype(a.data.dtype, copy=False)
    return record(out, (a,), lambda g: (np.where(inside, g, 0).astype(g.dtype, copy=False),))


def cast(a, dtype) -> Tensor:
    """Convert to `dtype`; gradients are cast back to the input's type."""
    a = _t(a)
    src = a.data.dtype
    return record(a.data.astype(dtype), (a,), lambda g: (g.astype(src),))


UFUNC_OPS = {
    np.add: add, np.subtract: subtract, np.multiply: multiply, np.divide: divide,
    np.true_divide: divide, np.negative: negative, np.power: power, np.matmul: matmul,
    np.exp: exp, np.log: log, np.sqrt: sqrt, np.square: square, np.absolute: abs,
    np.maximum: maximum, np.minimum: minimum, np.log1p: log1p, np.expm1: expm1,
    np.sin: sin, np.cos: cos, np.sign: sign, np.tanh: tanh,
}
