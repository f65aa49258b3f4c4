"""keras.ops.math: segment reductions, top-k, logsumexp, pairwise distances, erf family."""

from __future__ import annotations

import numpy as np

from neuroflow.autodiff import extra_ops
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import reduce_ops as r
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._dtypes import cast_to, result_type, to_array, to_tensor, values
from neuroflow.ops._elementwise import erf, erfc, erfinv, rsqrt
from neuroflow.ops._reduce import logsumexp
from neuroflow.ops._shape import take_along_axis
from neuroflow.ops._unsupported import unsupported_op
from neuroflow.ops.linalg import logdet

__all__ = [
    "segment_sum", "segment_max", "segment_min", "segment_prod", "top_k", "in_top_k",
    "logsumexp", "cdist", "rsqrt", "erf", "erfc", "erfinv", "logdet", "extract_sequences",
    "fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft", "view_as_complex",
    "view_as_real",
]


def _segments(data, segment_ids, num_segments):
    data = to_tensor(data)
    ids = to_array(segment_ids).astype(np.intp)
    if ids.shape != data.shape[:1]:
        raise ValueError(
            f"segment op: segment_ids of shape {ids.shape} for data of shape {data.shape}; "
            "expected one id per row"
        )
    n = int(ids.max()) + 1 if num_segments is None and ids.size else int(num_segments or 0)
    valid = np.nonzero((ids >= 0) & (ids < n))[0]
    return data, ids[valid], valid, n


def segment_sum(data, segment_ids, num_segments=None, sorted: bool = False) -> Tensor:
    """Sum of the rows of `data` that share a segment id (ids < 0 are dropped)."""
    data, ids, valid, n = _segments(data, segment_ids, num_segments)
    base = np.zeros((n,) + data.shape[1:], dtype=data.dtype)
    return extra_ops.index_update(base, (ids,), s.getitem(data, valid), add=True)


def _segment_extreme(data, segment_ids, num_segments, largest: bool) -> Tensor:
    data, ids, valid, n = _segments(data, segment_ids, num_segments)
    rows = s.getitem(data, valid)
    fill = -np.inf if largest else np.inf
    best = np.full((n,) + data.shape[1:], fill, dtype=data.dtype)
    (np.maximum if largest else np.minimum).at(best, ids, values(rows))
    hit = (values(rows) == best[ids]).astype(data.dtype)  # ties share the gradient
    count = np.zeros_like(best)
    np.add.at(count, ids, hit)
    share = hit / count[ids]
    picked = extra_ops.index_update(np.zeros_like(best), (ids,), m.multiply(rows, share),
                                    add=True)
    return m.where(count > 0, picked, best)


def segment_max(data, segment_ids, num_segments=None, sorted: bool = False) -> Tensor:
    return _segment_extreme(data, segment_ids, num_segments, True)


def segment_min(data, segment_ids, num_segments=None, sorted: bool = False) -> Tensor:
    return _segment_extreme(data, segment_ids, num_segments, False)


def segment_prod(data, segment_ids, num_segments=None, sorted: bool = False) -> Tensor:
    data, ids, valid, n = _segments(data, segment_ids, num_segments)
    parts = []
    for k in range(n):
        rows = valid[ids == k]
        parts.append(extra_ops.prod(s.getitem(data, rows), axis=0) if rows.size else
                     Tensor(np.ones(data.shape[1:], data.dtype)))
    return s.stack(parts) if parts else Tensor(np.ones((0,) + data.shape[1:], data.dtype))


def top_k(x, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:
    """The k largest values along the last axis and their indices (earliest first on ties)."""
    x = to_tensor(x)
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"top_k: k={k} for a last axis of length {x.shape[-1]}")
    order = np.argsort(-values(x) if x.dtype.kind != "b" else ~values(x), axis=-1,
                       kind="stable")[..., :k]
    return take_along_axis(x, order, axis=-1), Tensor(order.astype(result_type(int)))


def in_top_k(targets, predictions, k: int) -> Tensor:
    """Whether each target class is among the k highest predictions of its row."""
    preds = to_array(predictions)
    tgt = to_array(targets).astype(np.intp)
    target_values = np.take_along_axis(preds, tgt[:, None], axis=-1)
    kth = -np.sort(-preds, axis=-1)[..., k - 1:k] if k > 0 else np.full_like(
        target_values, np.inf)
    return Tensor(np.any(target_values >= kth, axis=-1))


def cdist(x, y) -> Tensor:
    """Euclidean distances between the rows of x (..., n, d) and y (..., m, d)."""
    dtype = result_type(x, y, float)
    a, b = cast_to(x, dtype), cast_to(y, dtype)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"cdist: expected (..., n, d) and (..., m, d) with the same d, received {a.shape} "
            f"and {b.shape}"
        )
    diff = m.subtract(s.expand_dims(a, -2), s.expand_dims(b, -3))
    return m.sqrt(r.sum(m.square(diff), axis=-1))


extract_sequences = unsupported_op("extract_sequences", "math")
fft = unsupported_op("fft", "math")
fft2 = unsupported_op("fft2", "math")
ifft2 = unsupported_op("ifft2", "math")
rfft = unsupported_op("rfft", "math")
irfft = unsupported_op("irfft", "math")
stft = unsupported_op("stft", "math")
istft = unsupported_op("istft", "math")
view_as_complex = unsupported_op("view_as_complex", "math")
view_as_real = unsupported_op("view_as_real", "math")
