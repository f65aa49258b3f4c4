"""Differentiable primitives that `neuroflow.ops` needs beyond the core autodiff ops.

Each is a `Primitive`: a forward kernel and a VJP kernel on raw NumPy arrays, the one
definition of its math (traceable like every other primitive). Everything else in
`neuroflow.ops` is composed from these and the ops of math_ops, reduce_ops, shape_ops
and nn_ops.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable

import numpy as np

from neuroflow.autodiff.axes import normalize_axes
from neuroflow.autodiff.primitive import Primitive, untraceable
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor, is_recording

__all__ = [
    "UNARY", "unary", "arctan2", "prod", "cumsum", "cumprod", "einsum", "index_update",
    "inv", "det", "slogdet", "solve", "cholesky", "erf_array", "erfinv_array",
    "refuse_gradient",
]


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _primitive(name: str, forward: Callable, vjp: Callable) -> Primitive:
    """A Primitive from `forward(*arrays, **params)` and `vjp(g, out, *arrays, **params)`."""

    def fwd(*arrays, **params):
        out = forward(*arrays, **params)
        return out, (out, arrays, params)

    def bwd(g, res, needs):
        out, arrays, params = res
        return vjp(g, out, *arrays, **params)

    return Primitive(name, fwd, bwd)


def _bind(prim: Primitive, inputs: tuple, **params) -> Tensor:
    return prim.bind(*(_t(x) for x in inputs), **params)


def refuse_gradient(name: str, *inputs) -> None:
    """Raise when a forward-only op would silently cut a gradient the tape needs."""
    if is_recording() and any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise NotImplementedError(
            f"neuroflow.ops.{name} has no gradient in neuroflow; call it outside the "
            "GradientTape or on stop_gradient(x)"
        )


# ---- element-wise functions of one argument -------------------------------------------
_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def erf_array(x: np.ndarray) -> np.ndarray:
    """The error function to full double precision (math.erf on every element)."""
    return np.asarray(_erf_scalar(x), dtype=np.float64).astype(x.dtype, copy=False)


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """Inverse error function: Giles' single-precision fit, polished by Newton steps."""
    y64 = np.asarray(y, dtype=np.float64)
    w = -np.log(np.clip((1.0 - y64) * (1.0 + y64), 1e-300, None))
    small = w < 5.0
    ws, wl = w - 2.5, np.sqrt(w) - 3.0
    ps = np.polyval([2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                     0.00021858087, -0.00125372503, -0.00417768164, 0.246640727,
                     1.50140941], ws)
    pl = np.polyval([-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                     0.00573950773, -0.0076224613, 0.00943887047, 1.00167406,
                     2.83297682], wl)
    x = np.where(small, ps, pl) * y64
    inside = np.abs(y64) < 1
    for _ in range(2):  # Newton on erf(x) - y
        err = erf_array(x) - y64
        x = np.where(inside, x - err / (2 / math.sqrt(math.pi) * np.exp(-x * x)), x)
    x = np.where(y64 == 1, np.inf, np.where(y64 == -1, -np.inf, x))
    x = np.where(np.abs(y64) > 1, np.nan, x)
    return x.astype(np.result_type(y.dtype, np.float16), copy=False)


def _sinc_grad(x, out):
    safe = np.where(x == 0, 1, x)
    return np.where(x == 0, 0, (np.cos(np.pi * safe) - out) / safe)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)

# name: (forward(x), derivative(x, out))
UNARY: dict[str, tuple[Callable, Callable]] = {
    "tan": (np.tan, lambda x, out: 1 + out * out),
    "sinh": (np.sinh, lambda x, out: np.cosh(x)),
    "cosh": (np.cosh, lambda x, out: np.sinh(x)),
    "arcsin": (np.arcsin, lambda x, out: 1 / np.sqrt(1 - x * x)),
    "arccos": (np.arccos, lambda x, out: -1 / np.sqrt(1 - x * x)),
    "arctan": (np.arctan, lambda x, out: 1 / (1 + x * x)),
    "arcsinh": (np.arcsinh, lambda x, out: 1 / np.sqrt(x * x + 1)),
    "arccosh": (np.arccosh, lambda x, out: 1 / np.sqrt(x * x - 1)),
    "arctanh": (np.arctanh, lambda x, out: 1 / (1 - x * x)),
    "cbrt": (np.cbrt, lambda x, out: 1 / (3 * out * out)),
    "erf": (erf_array, lambda x, out: _TWO_OVER_SQRT_PI * np.exp(-x * x)),
    "erfinv": (erfinv_array, lambda x, out: np.exp(out * out) / _TWO_OVER_SQRT_PI),
    "sinc": (np.sinc, _sinc_grad),
}


def _unary_primitive(name: str) -> Primitive:
    forward, derivative = UNARY[name]

    def fwd(a):
        return np.asarray(forward(a)).astype(a.dtype, copy=False)

    def vjp(g, out, a):
        return ((g * derivative(a, out)).astype(g.dtype, copy=False),)

    return _primitive(name, fwd, vjp)


_UNARY_PRIMITIVES = {name: _unary_primitive(name) for name in UNARY}


def unary(name: str, x) -> Tensor:
    """Apply the element-wise function `name` of UNARY (its derivative is the VJP)."""
    return _bind(_UNARY_PRIMITIVES[name], (x,))


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    from neuroflow.autodiff.math_ops import unbroadcast

    return unbroadcast(g, shape)


def _arctan2_vjp(g, out, a, b):
    r2 = a * a + b * b
    r2 = np.where(r2 == 0, 1, r2)
    return _unbroadcast(g * b / r2, a.shape), _unbroadcast(-g * a / r2, b.shape)


ARCTAN2 = _primitive("arctan2", np.arctan2, _arctan2_vjp)


def arctan2(y, x) -> Tensor:
    """Angle of the point (x, y), element-wise with broadcasting."""

    return _bind(ARCTAN2, (y, x))


# ---- reductions and scans -------------------------------------------------------------


def _prod_forward(x, axis, keepdims):
    return np.asarray(np.prod(x, axis=axis, keepdims=keepdims))


def _prod_vjp(g, out, x, axis, keepdims):
    axes = normalize_axes(axis, x.ndim, "prod")
    g = np.asarray(g)
    if not keepdims:
        g = np.expand_dims(g, axes)
    rest = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, rest + list(axes))
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (before * after).reshape(moved.shape)  # product of all the other factors
    others = np.transpose(others, np.argsort(rest + list(axes)))
    return ((g * others).astype(x.dtype, copy=False),)


PROD = _primitive("prod", _prod_forward, _prod_vjp)


def prod(x, axis=None, keepdims: bool = False) -> Tensor:
    """Product over `axis`; the gradient is exact even where factors are zero."""
    x = _t(x)
    return PROD.bind(x, axis=normalize_axes(axis, x.ndim, "prod"), keepdims=keepdims)


def _cumsum_vjp(g, out, x, axis):
    return (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)


CUMSUM = _primitive("cumsum", lambda a, axis: np.cumsum(a, axis=axis), _cumsum_vjp)


def cumsum(x, axis: int) -> Tensor:
    """Running sum along `axis` (the gradient is the reversed running sum)."""
    return _bind(CUMSUM, (x,), axis=axis)


def _cumprod_vjp(g, out, x, axis):
    if np.all(x != 0):
        return ((np.flip(np.cumsum(np.flip(g * out, axis), axis=axis), axis) / x)
                .astype(x.dtype, copy=False),)
    grad = np.empty_like(x)
    n = x.shape[axis]
    for i in range(n):  # exact with zeros: d out_j / d x_i = prod_{k <= j, k != i} x_k
        held = x.copy()
        np.moveaxis(held, axis, 0)[i] = 1
        partial = np.cumprod(held, axis=axis)
        tail = np.moveaxis(g * partial, axis, 0)[i:]
        np.moveaxis(grad, axis, 0)[i] = tail.sum(axis=0)
    return (grad,)


CUMPROD = _primitive("cumprod", lambda a, axis: np.cumprod(a, axis=axis), _cumprod_vjp)


def cumprod(x, axis: int) -> Tensor:
    """Running product along `axis`."""
    return _bind(CUMPROD, (x,), axis=axis)


# ---- einsum ---------------------------------------------------------------------------
def _parse_einsum(subscripts: str, ndims: list[int]) -> tuple[list[str], str]:
    """Explicit operand and output subscripts, with '...' spelled out as letters."""
    subscripts = subscripts.replace(" ", "")
    lhs, _, rhs = subscripts.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ndims):
        raise ValueError(
            f"einsum: the subscripts {subscripts!r} name {len(terms)} operands, received "
            f"{len(ndims)}"
        )
    used = set(subscripts)
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = max((nd - len(t.replace("...", "")) for t, nd in zip(terms, ndims, strict=True)
                 if "..." in t), default=0)
    ell = "".join(spare[:n_ell])
    out_terms = []
    for t, nd in zip(terms, ndims, strict=True):
        if "..." in t:
            k = nd - len(t.replace("...", ""))
            t = t.replace("...", ell[n_ell - k:] if k else "")
        out_terms.append(t)
    if "->" in subscripts:
        out = rhs.replace("...", ell)
    else:
        counts = {c: "".join(out_terms).count(c) for c in set("".join(out_terms))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return out_terms, out


def _einsum_vjp(g, out, *arrays, terms, output):
    grads = []
    for i, (term, a) in enumerate(zip(terms, arrays, strict=True)):
        others = [t for j, t in enumerate(terms) if j != i]
        present = set(output).union(*others) if others else set(output)
        unique = "".join(dict.fromkeys(c for c in term if c in present))
        operands = [g] + [arrays[j] for j in range(len(arrays)) if j != i]
        gi = np.einsum(",".join([output] + others) + "->" + unique, *operands)
        # letters summed away in this operand alone, and repeated letters (diagonals):
        # rebuild the operand's layout from the reduced gradient
        spare = iter(c for c in string.ascii_letters if c not in "".join(terms) + output)
        rename, factors, seen = [], [], set()
        for c, n in zip(term, a.shape, strict=True):
            if c in seen:  # a repeated letter: its diagonal, through an identity
                fresh = next(spare)
                factors.append((c + fresh, np.eye(n, dtype=a.dtype)))
                rename.append(fresh)
                continue
            seen.add(c)
            if c not in present:  # summed in this operand alone: broadcast back
                factors.append((c, np.ones(n, dtype=a.dtype)))
            rename.append(c)
        if factors:
            spec = ",".join([unique] + [f for f, _ in factors]) + "->" + "".join(rename)
            gi = np.einsum(spec, gi, *[m for _, m in factors])
        grads.append(np.asarray(gi).astype(a.dtype, copy=False))
    return tuple(grads)


def _einsum_forward(*arrays, terms, output):
    return np.asarray(np.einsum(",".join(terms) + "->" + output, *arrays))


EINSUM = _primitive("einsum", _einsum_forward, _einsum_vjp)


def einsum(subscripts: str, *operands) -> Tensor:
    """Einstein summation; the VJP of each operand is itself an einsum."""
    tensors = tuple(_t(x) for x in operands)
    terms, output = _parse_einsum(subscripts, [t.ndim for t in tensors])
    return EINSUM.bind(*tensors, terms=tuple(terms), output=output)


# ---- writes into a copy ---------------------------------------------------------------
def _update_forward(x, updates, index, add):
    out = x.copy()
    if add:
        np.add.at(out, index, updates.astype(x.dtype, copy=False))
    else:
        out[index] = updates
    return out


def _update_vjp(g, out, x, updates, index, add):
    gx = g
    if not add:
        gx = g.copy()
        gx[index] = 0
    gu = np.broadcast_to(g[index], np.broadcast_shapes(g[index].shape, updates.shape))
    return gx, _unbroadcast(np.asarray(gu), updates.shape).astype(updates.dtype, copy=False)


INDEX_UPDATE = _primitive("index_update", _update_forward, _update_vjp)


def index_update(x, index, updates, add: bool = False) -> Tensor:
    """A copy of `x` with `x[index]` set to (or, with add=True, incremented by) `updates`."""
    return _bind(INDEX_UPDATE, (x, updates), index=index, add=add)


# ---- linear algebra -------------------------------------------------------------------
def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _inv_vjp(g, out, a):
    return (-_mT(out) @ g @ _mT(out),)


INV = _primitive("inv", np.linalg.inv, _inv_vjp)


def inv(a) -> Tensor:
    """Matrix inverse over the last two axes."""
    return _bind(INV, (a,))


def _det_vjp(g, out, a):
    return ((np.asarray(g * out)[..., None, None] * _mT(np.linalg.inv(a)))
            .astype(a.dtype, copy=False),)


DET = _primitive("det", lambda a: np.asarray(np.linalg.det(a)), _det_vjp)


def det(a) -> Tensor:
    """Determinant over the last two axes."""
    return _bind(DET, (a,))


def _logabsdet_vjp(g, out, a):
    return ((np.asarray(g)[..., None, None] * _mT(np.linalg.inv(a))).astype(a.dtype),)


LOGABSDET = _primitive("logabsdet", lambda a: np.asarray(np.linalg.slogdet(a)[1]),
                       _logabsdet_vjp)


def slogdet(a) -> tuple[Tensor, Tensor]:
    """(sign, log|det|); the sign is constant, log|det| has gradient inv(a)^T."""
    a = _t(a)
    untraceable("slogdet's sign is a constant read from the matrix")
    sign = Tensor(np.asarray(np.linalg.slogdet(a.data)[0]))
    logabs = _bind(LOGABSDET, (a,))
    return sign, logabs


def _solve_forward(a, b):
    vector = b.ndim == a.ndim - 1
    return np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)


def _solve_vjp(g, out, a, b):
    vector = b.ndim == a.ndim - 1
    g2, x2 = (g[..., None], out[..., None]) if vector else (g, out)
    gb = np.linalg.solve(_mT(a), g2)
    ga = -gb @ _mT(x2)
    gb = gb[..., 0] if vector else gb
    return _unbroadcast(ga, a.shape), _unbroadcast(gb, b.shape)


SOLVE = _primitive("solve", _solve_forward, _solve_vjp)


def solve(a, b) -> Tensor:
    """x with a @ x = b (b a matrix, or a vector when it has one axis fewer than a)."""
    return _bind(SOLVE, (a, b))


def _cholesky_vjp(g, out, a):
    lower = out
    phi = np.tril(_mT(lower) @ g)
    phi[..., np.arange(a.shape[-1]), np.arange(a.shape[-1])] *= 0.5
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    lower_inv = np.linalg.solve(lower, eye)
    s = _mT(lower_inv) @ phi @ lower_inv
    return ((0.5 * (s + _mT(s))).astype(a.dtype, copy=False),)


CHOLESKY = _primitive("cholesky", np.linalg.cholesky, _cholesky_vjp)


def cholesky(a) -> Tensor:
    """Lower Cholesky factor of a symmetric positive-definite matrix (symmetric VJP)."""
    return _bind(CHOLESKY, (a,))
