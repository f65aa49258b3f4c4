"""Products of keras.ops.numpy: matmul, dot, tensordot, einsum, outer/inner, kron, cross."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import reduce_ops as r
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import float_tensor, promote
from neuroflow.ops._shape import moveaxis, pad, ravel

__all__ = [
    "matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "kron", "cross",
    "correlate", "corrcoef",
]


def matmul(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: operands must have at least one axis, received shapes {a.shape} and "
            f"{b.shape}"
        )
    return m.matmul(a, b)


def einsum(subscripts: str, *operands, **kwargs) -> Tensor:
    """Einstein summation over the promoted operands (differentiable in each)."""
    if kwargs:
        raise TypeError(f"einsum: unsupported keyword arguments {sorted(kwargs)}")
    tensors, _ = promote(*operands)
    return extra_ops.einsum(subscripts, *tensors)


def tensordot(x1, x2, axes=2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    if isinstance(axes, (int, np.integer)):
        axes_a = list(range(a.ndim - int(axes), a.ndim))
        axes_b = list(range(int(axes)))
    else:
        axes_a, axes_b = ([int(v)] if np.ndim(v) == 0 else [int(i) for i in v] for v in axes)
    axes_a = [i % a.ndim for i in axes_a]
    axes_b = [i % b.ndim for i in axes_b]
    free_a = [i for i in range(a.ndim) if i not in axes_a]
    free_b = [i for i in range(b.ndim) if i not in axes_b]
    inner_size = int(np.prod([a.shape[i] for i in axes_a]))
    a2 = s.reshape(s.transpose(a, tuple(free_a + axes_a)), (-1, inner_size))
    b2 = s.reshape(s.transpose(b, tuple(axes_b + free_b)), (inner_size, -1))
    shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b)
    return s.reshape(m.matmul(a2, b2), shape)


def dot(x1, x2) -> Tensor:
    """NumPy's dot: products of scalars, inner products, matrix products."""
    (a, b), _ = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return m.multiply(a, b)
    if b.ndim == 1:
        return tensordot(a, b, ([-1], [0]))
    return tensordot(a, b, ([-1], [-2]))


def vdot(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return r.sum(m.multiply(ravel(a), ravel(b)))


def inner(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return m.multiply(a, b)
    return tensordot(a, b, ([-1], [-1]))


def outer(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    return m.multiply(s.reshape(a, (-1, 1)), s.reshape(b, (1, -1)))


def kron(x1, x2) -> Tensor:
    (a, b), _ = promote(x1, x2)
    rank = max(a.ndim, b.ndim)
    a = s.reshape(a, (1,) * (rank - a.ndim) + a.shape)
    b = s.reshape(b, (1,) * (rank - b.ndim) + b.shape)
    a_wide = s.reshape(a, tuple(v for n in a.shape for v in (n, 1)))
    b_wide = s.reshape(b, tuple(v for n in b.shape for v in (1, n)))
    shape = tuple(p * q for p, q in zip(a.shape, b.shape, strict=True))
    return s.reshape(m.multiply(a_wide, b_wide), shape)


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None) -> Tensor:
    """Cross product of 3-vectors (or the z component for 2-vectors) along the given axes."""
    if axis is not None:
        axisa = axisb = axisc = axis
    (a, b), _ = promote(x1, x2)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(
            f"cross: vectors must have 2 or 3 components, received {a.shape[-1]} and "
            f"{b.shape[-1]}"
        )

    def comp(t, i):
        return s.getitem(t, (Ellipsis, i)) if i < t.shape[-1] else np.zeros((), t.dtype)

    ax, ay, az = (comp(a, i) for i in range(3))
    bx, by, bz = (comp(b, i) for i in range(3))
    z = m.subtract(m.multiply(ax, by), m.multiply(ay, bx))
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return z
    x = m.subtract(m.multiply(ay, bz), m.multiply(az, by))
    y = m.subtract(m.multiply(az, bx), m.multiply(ax, bz))
    shape = np.broadcast_shapes(np.shape(x.data), np.shape(y.data), np.shape(z.data))
    parts = [m.add(t, np.zeros(shape, a.dtype)) for t in (x, y, z)]
    return moveaxis(s.stack(parts, axis=-1), -1, axisc)


def correlate(x1, x2, mode: str = "valid") -> Tensor:
    """Cross-correlation of two 1-D tensors (NumPy's modes 'valid', 'same', 'full')."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', received {mode!r}")
    (a, v), _ = promote(x1, x2)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(
            f"correlate: expected 1-D tensors, received shapes {a.shape} and {v.shape}"
        )
    n, k = a.shape[0], v.shape[0]
    padded = pad(a, [(k - 1, k - 1)])
    windows = s.getitem(padded, np.arange(n + k - 1)[:, None] + np.arange(k)[None, :])
    full = m.matmul(windows, v)  # lag -(k-1) ... n-1
    if mode == "full":
        return full
    if mode == "valid":
        start, length = min(n, k) - 1, abs(n - k) + 1
    else:
        length = max(n, k)
        start = (n + k - 1 - length) // 2 if n >= k else (n + k - 1 - length + 1) // 2
    return s.getitem(full, slice(start, start + length))


def corrcoef(x) -> Tensor:
    """Pearson correlation coefficients of the rows of `x`."""
    x = float_tensor(x)
    if x.ndim == 1:
        x = s.reshape(x, (1, -1))
    centered = m.subtract(x, r.mean(x, axis=1, keepdims=True))
    cov = m.matmul(centered, s.transpose(centered))
    d = m.sqrt(s.getitem(cov, (np.arange(cov.shape[0]), np.arange(cov.shape[0]))))
    out = m.divide(m.divide(cov, s.reshape(d, (-1, 1))), s.reshape(d, (1, -1)))
    return out if out.shape != (1, 1) else s.reshape(out, ())
