"""Array helpers Keras users know: to_categorical, normalize."""

from __future__ import annotations

import numpy as np

from neuroflow import backend

__all__ = ["to_categorical", "normalize"]


def to_categorical(y, num_classes: int | None = None, dtype: str | None = None) -> np.ndarray:
    """One-hot encode integer class labels: [0, 2] -> [[1, 0, 0], [0, 0, 1]]."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(
                "to_categorical: expected integer class labels, received non-integer values"
            )
        y = y.astype(np.int64)
    if y.dtype.kind not in "iub":
        raise TypeError(f"to_categorical: expected integer class labels, received dtype {y.dtype}")
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be non-negative, received {int(y.min())}")
    needed = int(y.max()) + 1 if y.size else 0
    if num_classes is None:
        num_classes = needed
    elif needed > num_classes:
        raise ValueError(
            f"to_categorical: label {needed - 1} is out of range for num_classes={num_classes}"
        )
    out = np.zeros(y.shape + (num_classes,), dtype=dtype or backend.floatx())
    np.put_along_axis(out, y[..., None].astype(np.intp), 1, axis=-1)
    return out


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale `x` to unit `order`-norm along `axis` (zero vectors stay zero)."""
    x = np.asarray(x, dtype=backend.floatx())
    norms = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norms == 0, 1, norms)
