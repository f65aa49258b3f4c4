"""keras.ops.linalg: decompositions, solves and norms over the last two axes.

inv, det, slogdet, solve and cholesky have VJPs (autodiff.extra_ops); the composites
built on them (solve_triangular, cholesky_inverse, logdet, most norms) inherit them.
Decompositions without a VJP here (eig, eigh, qr, svd, lu_factor, lstsq, pinv,
matrix_rank and the spectral norms) compute their values and refuse, clearly, to be
differentiated.
"""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import reduce_ops as r
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import cast_to, float_tensor, result_type, values
from neuroflow.ops._shape import _axis as check_axis
from neuroflow.ops._shape import swapaxes, tril, triu
from neuroflow.ops._unsupported import unsupported_op

__all__ = [
    "cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "lstsq", "lu_factor",
    "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular", "svd", "slogdet",
    "logdet", "jvp",
]


def _square(x, op: str) -> Tensor:
    x = float_tensor(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{op}: expected square matrices (..., n, n), received shape {x.shape}")
    return x


def _forward_only(name: str, x) -> np.ndarray:
    extra_ops.refuse_gradient(f"linalg.{name}", x)
    return values(x)


def inv(x) -> Tensor:
    return extra_ops.inv(_square(x, "inv"))


def det(x) -> Tensor:
    return extra_ops.det(_square(x, "det"))


def slogdet(x) -> tuple[Tensor, Tensor]:
    return extra_ops.slogdet(_square(x, "slogdet"))


def logdet(x) -> Tensor:
    """log(det(x)) of a positive-definite matrix (NaN where det <= 0)."""
    sign, logabs = slogdet(x)
    return m.where(values(sign) > 0, logabs, np.asarray(np.nan, logabs.dtype))


def solve(a, b) -> Tensor:
    dtype = result_type(a, b, float)
    return extra_ops.solve(_square(cast_to(a, dtype), "solve"), cast_to(b, dtype))


def solve_triangular(a, b, lower: bool = False) -> Tensor:
    a = _square(a, "solve_triangular")
    return solve(tril(a) if lower else triu(a), b)


def cholesky(x, upper: bool = False) -> Tensor:
    factor = extra_ops.cholesky(_square(x, "cholesky"))
    return swapaxes(factor, -1, -2) if upper else factor


def cholesky_inverse(x, upper: bool = False) -> Tensor:
    """inv(A) from A's Cholesky factor (lower L with A = L L^T, or upper U with A = U^T U)."""
    f = _square(x, "cholesky_inverse")
    ft = swapaxes(f, -1, -2)
    return extra_ops.inv(m.matmul(ft, f) if upper else m.matmul(f, ft))


def eig(x) -> tuple[Tensor, Tensor]:
    w, v = np.linalg.eig(_forward_only("eig", _square(x, "eig")))
    if np.iscomplexobj(w):
        raise ValueError("eig: this matrix has complex eigenvalues; neuroflow tensors are real")
    return Tensor(w), Tensor(v)


def eigh(x) -> tuple[Tensor, Tensor]:
    w, v = np.linalg.eigh(_forward_only("eigh", _square(x, "eigh")))
    return Tensor(w), Tensor(v)


def qr(x, mode: str = "reduced") -> tuple[Tensor, Tensor]:
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    q, rr = np.linalg.qr(_forward_only("qr", float_tensor(x)), mode=mode)
    return Tensor(q), Tensor(rr)


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    data = _forward_only("svd", float_tensor(x))
    if not compute_uv:
        return Tensor(np.linalg.svd(data, compute_uv=False))
    u, sv, vh = np.linalg.svd(data, full_matrices=full_matrices)
    return Tensor(u), Tensor(sv), Tensor(vh)


def lu_factor(x) -> tuple[Tensor, Tensor]:
    """LU with partial pivoting, packed as (lu, pivots) like scipy.linalg.lu_factor."""
    a = np.array(_forward_only("lu_factor", _square(x, "lu_factor")))
    n = a.shape[-1]
    piv = np.zeros(a.shape[:-1], dtype=result_type(int))
    for idx in np.ndindex(a.shape[:-2]):
        lu = a[idx]
        for k in range(n):
            p = k + int(np.argmax(np.abs(lu[k:, k])))
            piv[idx + (k,)] = p
            if p != k:
                lu[[k, p]] = lu[[p, k]]
            if lu[k, k] != 0:
                lu[k + 1:, k] /= lu[k, k]
                lu[k + 1:, k + 1:] -= np.outer(lu[k + 1:, k], lu[k, k + 1:])
    return Tensor(a), Tensor(piv)


def lstsq(a, b, rcond=None) -> Tensor:
    dtype = result_type(a, b, float)
    a, b = cast_to(a, dtype), cast_to(b, dtype)
    extra_ops.refuse_gradient("linalg.lstsq", a, b)
    return Tensor(np.linalg.lstsq(values(a), values(b), rcond=rcond)[0])


def pinv(x, rcond=None) -> Tensor:
    data = _forward_only("pinv", float_tensor(x))
    return Tensor(np.linalg.pinv(data, rcond=1e-15 if rcond is None else rcond)
                  .astype(data.dtype))


def matrix_rank(x, tol=None) -> Tensor:
    data = _forward_only("matrix_rank", float_tensor(x))
    return Tensor(np.asarray(np.linalg.matrix_rank(data, tol=tol), dtype=result_type(int)))


def norm(x, ord=None, axis=None, keepdims: bool = False) -> Tensor:
    """Vector norms over one axis, matrix norms over two (NumPy's `ord` values)."""
    x = float_tensor(x)
    if axis is None:
        axis = tuple(range(x.ndim)) if ord is None or x.ndim in (1, 2) else None
        if axis is None:
            raise ValueError(f"norm: give axis for ord={ord!r} on a tensor of rank {x.ndim}")
        if ord is None:
            return m.sqrt(r.sum(m.square(x), axis=axis, keepdims=keepdims))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(check_axis(int(a), x.ndim, "norm") for a in axes)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: axis must name one or two axes, received {axis!r}")


def _vector_norm(x: Tensor, ord, axis: int, keepdims: bool) -> Tensor:
    if ord is None or ord == 2:
        return m.sqrt(r.sum(m.square(x), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return r.max(m.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return r.min(m.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return Tensor(np.sum(values(x) != 0, axis=axis, keepdims=keepdims).astype(x.dtype))
    if isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is a matrix norm; give two axes")
    p = float(ord)
    return m.power(r.sum(m.power(m.abs(x), p), axis=axis, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x: Tensor, ord, axes: tuple[int, int], keepdims: bool) -> Tensor:
    row, col = axes
    if ord is None or ord == "fro":
        return m.sqrt(r.sum(m.square(x), axis=axes, keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = r.sum(m.abs(x), axis=summed, keepdims=True)
        pick = r.max if ord in (1, np.inf) else r.min
        out = pick(sums, axis=other, keepdims=True)
        return out if keepdims else s.squeeze(out, axes)
    if ord in ("nuc", 2, -2):
        moved = np.moveaxis(_forward_only(f"norm(ord={ord!r})", x), axes, (-2, -1))
        sv = np.linalg.svd(moved, compute_uv=False)
        value = {"nuc": sv.sum(-1), 2: sv.max(-1), -2: sv.min(-1)}[ord]
        if keepdims:
            value = np.expand_dims(value, axes)
        return Tensor(value.astype(x.dtype))
    raise ValueError(f"norm: unsupported ord={ord!r} for a matrix norm")


jvp = unsupported_op("jvp", "linalg")
