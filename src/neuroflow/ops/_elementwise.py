"""Element-wise ops of keras.ops.numpy: arithmetic, math functions, comparisons, logic.

Differentiable ops compose the autodiff primitives, so the tape differentiates them;
ops with integer or boolean results (comparisons, rounding, bit twiddling) return
constant tensors.
"""

from __future__ import annotations

import math

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import (
    cast_to,
    float_tensor,
    promote,
    result_type,
    to_array,
    to_tensor,
    values,
)

__all__ = [
    "abs", "absolute", "add", "subtract", "multiply", "divide", "true_divide",
    "divide_no_nan", "negative", "power", "square", "sqrt", "rsqrt", "reciprocal", "exp",
    "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "sinh", "cosh",
    "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "cbrt",
    "erf", "erfc", "erfinv", "sinc", "i0", "deg2rad", "rad2deg", "hypot", "logaddexp",
    "logaddexp2", "maximum", "minimum", "fmax", "fmin", "mod", "fmod", "floor_divide",
    "clip", "sign", "signbit", "floor", "ceil", "trunc", "round", "fabs", "heaviside",
    "ldexp", "nextafter", "gcd", "lcm", "nan_to_num", "conj", "conjugate", "real", "imag",
    "angle", "isreal", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isclose",
    "allclose", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "bitwise_invert", "bitwise_left_shift",
    "bitwise_right_shift", "left_shift", "right_shift",
]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _const(data, dtype=None) -> Tensor:
    data = np.asarray(data)
    return Tensor(data if dtype is None else data.astype(dtype, copy=False))


def _binary_const(fn, x1, x2, dtype=None) -> Tensor:
    (a, b), promoted = promote(x1, x2)
    return _const(fn(values(a), values(b)), dtype or promoted)


# ---- arithmetic -----------------------------------------------------------------------
def add(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.add(a, b)


def subtract(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.subtract(a, b)


def multiply(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.multiply(a, b)


def divide(x1, x2) -> Tensor:
    dtype = result_type(x1, x2, float)
    return m.divide(cast_to(x1, dtype), cast_to(x2, dtype))


true_divide = divide


def divide_no_nan(x1, x2) -> Tensor:
    """x1 / x2, and 0 wherever x2 is 0 (with a zero gradient there)."""
    dtype = result_type(x1, x2, float)
    a, b = cast_to(x1, dtype), cast_to(x2, dtype)
    zero = values(b) == 0
    safe = m.where(zero, np.ones((), dtype), b)
    return m.where(zero, np.zeros((), dtype), m.divide(a, safe))


def negative(x) -> Tensor:
    return m.negative(to_tensor(x))


def power(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    if a.dtype.kind in "iu" and b.dtype.kind in "iu":
        return _const(np.power(values(a), values(b)))
    return m.power(a, b)


def square(x) -> Tensor:
    x = to_tensor(x)
    if x.dtype == np.bool_:
        x = cast_to(x, result_type(int))
    return m.square(x)


def abs(x) -> Tensor:
    x = to_tensor(x)
    return _const(values(x)) if x.dtype == np.bool_ else m.abs(x)


absolute = abs


def fabs(x) -> Tensor:
    return m.abs(float_tensor(x))


def sign(x) -> Tensor:
    x = to_tensor(x)
    return m.sign(x) if x.dtype.kind == "f" else _const(np.sign(values(x)))


def clip(x, x_min, x_max) -> Tensor:
    x = to_tensor(x)
    if x.dtype == np.bool_:
        x = cast_to(x, result_type(int))
    if isinstance(x_min, Tensor) or isinstance(x_max, Tensor) or np.ndim(x_min) or np.ndim(
            x_max):
        return minimum(maximum(x, x_min), x_max)
    lo, hi = (np.asarray(v, dtype=x.dtype).item() for v in (x_min, x_max))
    return m.clip(x, lo, hi)


# ---- functions of one float argument --------------------------------------------------
def _float_op(fn, name: str):
    def op(x) -> Tensor:
        return fn(float_tensor(x))

    op.__name__ = op.__qualname__ = name
    return op


def _extra(name: str):
    return _float_op(lambda t: extra_ops.unary(name, t), name)


sqrt = _float_op(m.sqrt, "sqrt")
exp = _float_op(m.exp, "exp")
expm1 = _float_op(m.expm1, "expm1")
log = _float_op(m.log, "log")
log1p = _float_op(m.log1p, "log1p")
sin = _float_op(m.sin, "sin")
cos = _float_op(m.cos, "cos")
tanh = _float_op(m.tanh, "tanh")
tan = _extra("tan")
sinh = _extra("sinh")
cosh = _extra("cosh")
arcsin = _extra("arcsin")
arccos = _extra("arccos")
arctan = _extra("arctan")
arcsinh = _extra("arcsinh")
arccosh = _extra("arccosh")
arctanh = _extra("arctanh")
cbrt = _extra("cbrt")
erf = _extra("erf")
erfinv = _extra("erfinv")
sinc = _extra("sinc")


def rsqrt(x) -> Tensor:
    return m.divide(1.0, sqrt(x))


def reciprocal(x) -> Tensor:
    """1 / x; integers stay integers (NumPy's and Keras' integer reciprocal)."""
    x = to_tensor(x)
    if x.dtype.kind in "iub":
        with np.errstate(divide="ignore"):
            return _const(np.reciprocal(values(x)))
    return m.divide(1.0, x)


def exp2(x) -> Tensor:
    return m.exp(m.multiply(float_tensor(x), _LN2))


def log2(x) -> Tensor:
    return m.divide(m.log(float_tensor(x)), _LN2)


def log10(x) -> Tensor:
    return m.divide(m.log(float_tensor(x)), _LN10)


def erfc(x) -> Tensor:
    return m.subtract(1.0, erf(x))


def deg2rad(x) -> Tensor:
    return m.multiply(float_tensor(x), math.pi / 180.0)


def rad2deg(x) -> Tensor:
    return m.multiply(float_tensor(x), 180.0 / math.pi)


def i0(x) -> Tensor:
    """Modified Bessel function of the first kind, order 0 (no gradient)."""
    x = float_tensor(x)
    extra_ops.refuse_gradient("i0", x)
    return _const(np.i0(values(x)).astype(x.dtype, copy=False))


# ---- functions of two arguments -------------------------------------------------------
def _float_pair(x1, x2) -> tuple[Tensor, Tensor]:
    dtype = result_type(x1, x2, float)
    return cast_to(x1, dtype), cast_to(x2, dtype)


def arctan2(x1, x2) -> Tensor:
    return extra_ops.arctan2(*_float_pair(x1, x2))


def hypot(x1, x2) -> Tensor:
    a, b = _float_pair(x1, x2)
    return m.sqrt(m.add(m.square(a), m.square(b)))


def logaddexp(x1, x2) -> Tensor:
    """log(exp(x1) + exp(x2)) without overflow."""
    a, b = _float_pair(x1, x2)
    top = m.maximum(a, b)
    both_inf = np.isinf(values(a)) & (values(a) == values(b))
    gap = m.where(both_inf, np.zeros((), a.dtype), m.abs(m.subtract(a, b)))
    return m.add(top, m.log1p(m.exp(m.negative(gap))))


def logaddexp2(x1, x2) -> Tensor:
    a, b = _float_pair(x1, x2)
    return m.divide(logaddexp(m.multiply(a, _LN2), m.multiply(b, _LN2)), _LN2)


def maximum(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.maximum(a, b)


def minimum(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.minimum(a, b)


def fmax(x1, x2) -> Tensor:
    """Element-wise maximum that ignores NaN when the other side is a number."""
    (a, b), _ = promote(x1, x2)
    return m.where(np.isnan(values(b)), a, m.where(np.isnan(values(a)), b, m.maximum(a, b)))


def fmin(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.where(np.isnan(values(b)), a, m.where(np.isnan(values(a)), b, m.minimum(a, b)))


def mod(x1, x2) -> Tensor:
    """Remainder with the sign of x2 (NumPy's mod); d/dx1 = 1, d/dx2 = -floor(x1/x2)."""
    (a, b), _ = promote(x1, x2)
    if a.dtype.kind != "f":
        return _const(np.mod(values(a), values(b)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return m.subtract(a, m.multiply(b, np.floor(values(a) / values(b))))


def fmod(x1, x2) -> Tensor:
    """Remainder with the sign of x1 (C's fmod)."""
    (a, b), _ = promote(x1, x2)
    if a.dtype.kind != "f":
        return _const(np.fmod(values(a), values(b)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return m.subtract(a, m.multiply(b, np.trunc(values(a) / values(b))))


def floor_divide(x1, x2) -> Tensor:
    return _binary_const(np.floor_divide, x1, x2)


def heaviside(x1, x2) -> Tensor:
    dtype = result_type(x1, x2)
    if dtype in ("bool",) or dtype.startswith(("int", "uint")):
        dtype = result_type(float)
    return _const(np.heaviside(to_array(x1).astype(dtype), to_array(x2).astype(dtype)))


def ldexp(x1, x2) -> Tensor:
    """x1 * 2**x2 for an integer exponent x2."""
    x2a = to_array(x2)
    if x2a.dtype.kind not in "iub":
        raise TypeError(f"ldexp: x2 must be integers, received dtype {x2a.dtype}")
    x = float_tensor(x1)
    return m.multiply(x, np.ldexp(np.ones((), x.dtype), x2a))


def nextafter(x1, x2) -> Tensor:
    dtype = result_type(x1, x2, float)
    return _const(np.nextafter(to_array(x1).astype(dtype), to_array(x2).astype(dtype)))


def gcd(x1, x2) -> Tensor:
    return _binary_const(np.gcd, x1, x2)


def lcm(x1, x2) -> Tensor:
    return _binary_const(np.lcm, x1, x2)


# ---- rounding (zero gradient: constants) ----------------------------------------------
def floor(x) -> Tensor:
    x = float_tensor(x)
    return _const(np.floor(values(x)))


def ceil(x) -> Tensor:
    x = float_tensor(x)
    return _const(np.ceil(values(x)))


def trunc(x) -> Tensor:
    x = to_tensor(x)
    return _const(np.trunc(values(x)) if x.dtype.kind == "f" else values(x))


def round(x, decimals: int = 0) -> Tensor:
    x = to_tensor(x)
    if x.dtype.kind == "f":
        return _const(np.round(values(x), decimals))
    if decimals >= 0:
        return _const(values(x).astype(result_type(x.dtype, int)))
    factor = 10 ** (-decimals)
    return _const((np.round(values(x) / factor) * factor).astype(x.dtype))


def nan_to_num(x, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN and infinities replaced by finite numbers (gradient flows where x is finite)."""
    x = to_tensor(x)
    if x.dtype.kind != "f":
        return x
    info = np.finfo(x.dtype)
    d = values(x)
    out = m.where(np.isnan(d), np.asarray(nan, x.dtype), x)
    out = m.where(np.isposinf(d), np.asarray(info.max if posinf is None else posinf, x.dtype),
                  out)
    return m.where(np.isneginf(d), np.asarray(info.min if neginf is None else neginf,
                                              x.dtype), out)


# ---- real tensors seen as complex numbers ---------------------------------------------
def conj(x) -> Tensor:
    return to_tensor(x)


conjugate = conj


def real(x) -> Tensor:
    return to_tensor(x)


def imag(x) -> Tensor:
    x = to_tensor(x)
    return _const(np.zeros_like(values(x)))


def angle(x) -> Tensor:
    x = float_tensor(x)
    return _const(np.angle(values(x)).astype(x.dtype))


def isreal(x) -> Tensor:
    return _const(np.isreal(to_array(x)))


# ---- predicates and comparisons -------------------------------------------------------
def _predicate(fn):
    def op(x) -> Tensor:
        return _const(fn(to_array(x)))

    op.__name__ = fn.__name__
    return op


isfinite = _predicate(np.isfinite)
isinf = _predicate(np.isinf)
isnan = _predicate(np.isnan)
isneginf = _predicate(np.isneginf)
isposinf = _predicate(np.isposinf)
signbit = _predicate(np.signbit)
logical_not = _predicate(np.logical_not)


def _compare(fn):
    def op(x1, x2) -> Tensor:
        return _binary_const(fn, x1, x2, dtype=bool)

    op.__name__ = fn.__name__
    return op


equal = _compare(np.equal)
not_equal = _compare(np.not_equal)
less = _compare(np.less)
less_equal = _compare(np.less_equal)
greater = _compare(np.greater)
greater_equal = _compare(np.greater_equal)
logical_and = _compare(np.logical_and)
logical_or = _compare(np.logical_or)
logical_xor = _compare(np.logical_xor)


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    return _binary_const(lambda a, b: np.isclose(a, b, rtol, atol, equal_nan), x1, x2, bool)


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    return _binary_const(lambda a, b: np.allclose(a, b, rtol, atol, equal_nan), x1, x2, bool)


# ---- bitwise (integers and booleans) --------------------------------------------------
def _bitwise(fn):
    def op(x, y) -> Tensor:
        return _binary_const(fn, x, y)

    op.__name__ = fn.__name__
    return op


bitwise_and = _bitwise(np.bitwise_and)
bitwise_or = _bitwise(np.bitwise_or)
bitwise_xor = _bitwise(np.bitwise_xor)
bitwise_left_shift = left_shift = _bitwise(np.left_shift)
bitwise_right_shift = right_shift = _bitwise(np.right_shift)


def bitwise_invert(x) -> Tensor:
    return _const(np.invert(to_array(x)))


bitwise_not = bitwise_invert
