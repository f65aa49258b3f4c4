"""Element-wise arithmetic and matmul: each a `Primitive` (forward and VJP kernels).

All binary ops follow NumPy broadcasting; their VJPs sum the upstream gradient back
to each input's shape.
"""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor

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


# ---- binary -------------------------------------------------------------------------
def _add_vjp(g, shapes, needs):
    return (unbroadcast(g, shapes[0]) if needs[0] else None,
            unbroadcast(g, shapes[1]) if needs[1] else None)


def _sub_vjp(g, shapes, needs):
    return (unbroadcast(g, shapes[0]) if needs[0] else None,
            unbroadcast(-g, shapes[1]) if needs[1] else None)


def _mul_vjp(g, ab, needs):
    a, b = ab
    return (unbroadcast(g * b, a.shape) if needs[0] else None,
            unbroadcast(g * a, b.shape) if needs[1] else None)


def _div_fwd(a, b):
    out = a / b
    return out, (a, b, out)


def _div_vjp(g, res, needs):
    a, b, out = res
    return (unbroadcast(g / b, a.shape) if needs[0] else None,
            unbroadcast(-g * out / b, b.shape) if needs[1] else None)


def _pow_fwd(a, b):
    out = a**b
    return out, (a, b, out)


def _pow_vjp(g, res, needs):
    a, b, out = res
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(g * b * a ** (b - 1), a.shape)
    if needs[1]:
        gb = unbroadcast(g * out * np.log(np.where(a > 0, a, 1)), b.shape)
    return ga, gb


def _matmul_vjp(g, ab, needs):
    ad, bd = ab
    if ad.ndim == 1 and bd.ndim == 1:
        return (g * bd if needs[0] else None, g * ad if needs[1] else None)
    a2 = ad[None, :] if ad.ndim == 1 else ad
    b2 = bd[:, None] if bd.ndim == 1 else bd
    g2 = g
    if ad.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    if bd.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(ad.shape)
    if needs[1]:
        gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(bd.shape)
    return ga, gb


ADD = Primitive("add", lambda a, b: (a + b, (a.shape, b.shape)), _add_vjp)
SUBTRACT = Primitive("subtract", lambda a, b: (a - b, (a.shape, b.shape)), _sub_vjp)
MULTIPLY = Primitive("multiply", lambda a, b: (a * b, (a, b)), _mul_vjp)
DIVIDE = Primitive("divide", _div_fwd, _div_vjp)
POWER = Primitive("power", _pow_fwd, _pow_vjp)
MATMUL = Primitive("matmul", lambda a, b: (a @ b, (a, b)), _matmul_vjp)


def add(a, b) -> Tensor:
    return ADD.bind(*_pair(a, b))


def subtract(a, b) -> Tensor:
    return SUBTRACT.bind(*_pair(a, b))


def multiply(a, b) -> Tensor:
    return MULTIPLY.bind(*_pair(a, b))


def divide(a, b) -> Tensor:
    return DIVIDE.bind(*_pair(a, b))


def power(a, b) -> Tensor:
    return POWER.bind(*_pair(a, b))


def matmul(a, b) -> Tensor:
    return MATMUL.bind(*_pair(a, b))


# ---- unary --------------------------------------------------------------------------
def _unary(name: str, fwd, grad) -> Primitive:
    """A primitive whose VJP is `grad(g, x, out)` (residuals: the input and output)."""

    def forward(x):
        out = fwd(x)
        return out, (x, out)

    def vjp(g, res, needs):
        return (grad(g, res[0], res[1]),)

    return Primitive(name, forward, vjp)


NEGATIVE = _unary("negative", np.negative, lambda g, x, y: -g)
EXP = _unary("exp", np.exp, lambda g, x, y: g * y)
LOG = _unary("log", np.log, lambda g, x, y: g / x)
LOG1P = _unary("log1p", np.log1p, lambda g, x, y: g / (1 + x))
EXPM1 = _unary("expm1", np.expm1, lambda g, x, y: g * (y + 1))
SQRT = _unary("sqrt", np.sqrt, lambda g, x, y: g * 0.5 / y)
SQUARE = _unary("square", np.square, lambda g, x, y: g * 2 * x)
ABS = _unary("abs", np.abs, lambda g, x, y: g * np.sign(x))
SIGN = _unary("sign", np.sign, lambda g, x, y: np.zeros_like(g))
SIN = _unary("sin", np.sin, lambda g, x, y: g * np.cos(x))
COS = _unary("cos", np.cos, lambda g, x, y: -g * np.sin(x))
TANH = _unary("tanh", np.tanh, lambda g, x, y: g * (1 - y * y))


def negative(a) -> Tensor:
    return NEGATIVE.bind(_t(a))


def exp(a) -> Tensor:
    return EXP.bind(_t(a))


def log(a) -> Tensor:
    return LOG.bind(_t(a))


def log1p(a) -> Tensor:
    return LOG1P.bind(_t(a))


def expm1(a) -> Tensor:
    return EXPM1.bind(_t(a))


def sqrt(a) -> Tensor:
    return SQRT.bind(_t(a))


def square(a) -> Tensor:
    return SQUARE.bind(_t(a))


def abs(a) -> Tensor:
    return ABS.bind(_t(a))


def sign(a) -> Tensor:
    return SIGN.bind(_t(a))


def sin(a) -> Tensor:
    return SIN.bind(_t(a))


def cos(a) -> Tensor:
    return COS.bind(_t(a))


def tanh(a) -> Tensor:
    return TANH.bind(_t(a))


# ---- selection ----------------------------------------------------------------------
def _select_vjp(g, res, needs):
    pick_a, sa, sb = res
    return (unbroadcast(np.where(pick_a, g, 0), sa) if needs[0] else None,
            unbroadcast(np.where(pick_a, 0, g), sb) if needs[1] else None)


MAXIMUM = Primitive(
    "maximum", lambda a, b: (np.maximum(a, b), (a >= b, a.shape, b.shape)), _select_vjp
)
MINIMUM = Primitive(
    "minimum", lambda a, b: (np.minimum(a, b), (a <= b, a.shape, b.shape)), _select_vjp
)


def _where_fwd(cond, a, b):
    cond = np.asarray(cond, dtype=bool)
    pick = np.broadcast_to(cond, np.broadcast_shapes(cond.shape, a.shape, b.shape))
    return np.where(cond, a, b), (pick, a.shape, b.shape)


WHERE = Primitive("where", _where_fwd, lambda g, res, needs: (None,) + _select_vjp(
    g, res, needs[1:]))


def maximum(a, b) -> Tensor:
    """Element-wise maximum; on ties the gradient goes to the first argument."""
    return MAXIMUM.bind(*_pair(a, b))


def minimum(a, b) -> Tensor:
    """Element-wise minimum; on ties the gradient goes to the first argument."""
    return MINIMUM.bind(*_pair(a, b))


def where(condition, a, b) -> Tensor:
    """`a` where `condition` holds, else `b` (gradients flow to the chosen side)."""
    a, b = _pair(a, b)
    return WHERE.bind(_t(condition), a, b)


def _clip_fwd(a, lo, hi):
    inside = (a >= lo) & (a <= hi)
    return np.clip(a, lo, hi).astype(a.dtype, copy=False), inside


CLIP = Primitive(
    "clip", _clip_fwd,
    lambda g, inside, needs: (np.where(inside, g, 0).astype(g.dtype, copy=False),),
)


def clip(a, min_value, max_value) -> Tensor:
    """Clip to [min_value, max_value]; the gradient is zero outside the range."""
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else max_value
    return CLIP.bind(_t(a), lo=lo, hi=hi)


CAST = Primitive(
    "cast", lambda a, dtype: (a.astype(dtype), a.dtype),
    lambda g, src, needs: (g.astype(src),),
)


def cast(a, dtype) -> Tensor:
    """Convert to `dtype`; gradients are cast back to the input's type."""
    return CAST.bind(_t(a), dtype=dtype)


UFUNC_OPS = {
    np.add: add, np.subtract: subtract, np.multiply: multiply, np.divide: divide,
    np.true_divide: divide, np.negative: negative, np.power: power, np.matmul: matmul,
    np.exp: exp, np.log: log, np.sqrt: sqrt, np.square: square, np.absolute: abs,
    np.maximum: maximum, np.minimum: minimum, np.log1p: log1p, np.expm1: expm1,
    np.sin: sin, np.cos: cos, np.sign: sign, np.tanh: tanh,
}
