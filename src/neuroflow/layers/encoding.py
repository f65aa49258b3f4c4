"""Preprocessing of categorical and bucketed features: CategoryEncoding, Discretization.

Both work on the raw values (no gradient flows through a category index) and run the
same in training and inference; Discretization can learn its bin boundaries with
`adapt`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["CategoryEncoding", "Discretization"]

_MODES = ("one_hot", "multi_hot", "count")


def _raw(x: Any) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def _check_sparse(layer: Layer, sparse: bool) -> None:
    if sparse:
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}': sparse=True needs "
                         "sparse tensors, which neuroflow does not have; use sparse=False")


def encode_categories(values: np.ndarray, num_tokens: int, mode: str, dtype: Any,
                      count_weights: np.ndarray | None = None) -> np.ndarray:
    """One-hot, multi-hot or count encoding of integer `values` in [0, num_tokens)."""
    if mode == "one_hot":
        if values.ndim >= 1 and values.shape[-1] == 1 and values.ndim > 1:
            values = values[..., 0]
        out = np.zeros(values.shape + (num_tokens,), dtype=dtype)
        np.put_along_axis(out, values[..., None], 1, axis=-1)
        return out
    if values.ndim == 1:
        values = values[:, None]
        if count_weights is not None:
            count_weights = count_weights[:, None]
    rows = np.broadcast_to(np.arange(values.shape[0])[:, None], values.shape)
    out = np.zeros((values.shape[0], num_tokens), dtype=dtype)
    if mode == "multi_hot":
        out[rows, values] = 1
        return out
    weights = np.ones(values.shape) if count_weights is None else count_weights
    np.add.at(out, (rows, values), weights.astype(dtype))
    return out


class CategoryEncoding(Layer):
    """Integer categories in [0, num_tokens) as one-hot, multi-hot or count vectors.

    `one_hot` encodes each value (a trailing axis of size 1 is dropped); `multi_hot` and
    `count` encode each row of a (batch,) or (batch, k) input as one vector.
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if output_mode not in _MODES:
            raise ValueError(f"CategoryEncoding layer '{self.name}': output_mode must be one "
                             f"of {_MODES}, received {output_mode!r}")
        if num_tokens is None or isinstance(num_tokens, bool) or not isinstance(
                num_tokens, (int, np.integer)) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding layer '{self.name}': num_tokens must be a "
                             f"positive integer, received {num_tokens!r}")
        _check_sparse(self, sparse)
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = bool(sparse)

    def call(self, inputs: Any, count_weights: Any = None) -> Tensor:
        raw = _raw(inputs)
        values = np.rint(raw).astype(np.int64)
        if raw.dtype.kind == "f" and not np.array_equal(values, raw):
            raise ValueError(f"CategoryEncoding layer '{self.name}': expected integer "
                             "category values, received non-integer numbers")
        if values.size and (values.min() < 0 or values.max() >= self.num_tokens):
            raise ValueError(
                f"CategoryEncoding layer '{self.name}': input values must be in the range "
                f"0 <= values < num_tokens with num_tokens={self.num_tokens}, received "
                f"values from {values.min()} to {values.max()}"
            )
        if values.ndim > 2 or (self.output_mode != "one_hot" and values.ndim == 0):
            raise ValueError(f"CategoryEncoding layer '{self.name}': expected inputs of rank "
                             f"1 or 2, received shape {values.shape}")
        weights = None if count_weights is None else _raw(count_weights)
        if weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding layer '{self.name}': count_weights only "
                             f"applies to output_mode='count', not {self.output_mode!r}")
        return Tensor(encode_categories(values, self.num_tokens, self.output_mode, self.dtype,
                                        weights))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(shape) > 1 and shape[-1] == 1:
                shape = shape[:-1]
            return shape + (self.num_tokens,)
        return (shape[0], self.num_tokens)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


class Discretization(Layer):
    """Bucket numbers by `bin_boundaries` (bucket i holds boundaries[i-1] <= x <
    boundaries[i]), or learn `num_bins` equal-frequency buckets with `adapt(data)`.

    `output_mode='int'` gives the bucket index (int64); 'one_hot', 'multi_hot' and 'count'
    encode it as CategoryEncoding does.
    """

    def __init__(self, bin_boundaries: Any = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 dtype: Any = None, name: str | None = None):
        super().__init__(name=name, dtype=dtype)
        if output_mode not in ("int",) + _MODES:
            raise ValueError(f"Discretization layer '{self.name}': output_mode must be one "
                             f"of {('int',) + _MODES}, received {output_mode!r}")
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError(f"Discretization layer '{self.name}': give exactly one of "
                             f"bin_boundaries and num_bins, received bin_boundaries="
                             f"{bin_boundaries!r}, num_bins={num_bins!r}")
        if num_bins is not None and (isinstance(num_bins, bool) or not isinstance(
                num_bins, (int, np.integer)) or num_bins < 1):
            raise ValueError(f"Discretization layer '{self.name}': num_bins must be a positive "
                             f"integer, received {num_bins!r}")
        _check_sparse(self, sparse)
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in
                                                                   bin_boundaries]
        if self.bin_boundaries is not None and np.any(np.diff(self.bin_boundaries) < 0):
            raise ValueError(f"Discretization layer '{self.name}': bin_boundaries must be "
                             f"sorted, received {bin_boundaries!r}")
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon = float(epsilon)
        self.output_mode = output_mode
        self.sparse = bool(sparse)

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Set the boundaries to the quantiles that split `data` into num_bins equal parts."""
        if self.num_bins is None:
            raise ValueError(f"Discretization layer '{self.name}': adapt() learns num_bins "
                             "buckets; this layer was given fixed bin_boundaries")
        values = np.asarray(_raw(data), dtype=np.float64).ravel()
        if values.size == 0:
            raise ValueError(f"Discretization layer '{self.name}': adapt() received no data")
        qs = np.linspace(0.0, 1.0, self.num_bins + 1)[1:-1]
        self.bin_boundaries = [float(b) for b in np.quantile(values, qs)]

    def call(self, inputs: Any) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization layer '{self.name}': call adapt(data) first, "
                             "or give bin_boundaries")
        buckets = np.digitize(_raw(inputs), self.bin_boundaries).astype(np.int64)
        if self.output_mode == "int":
            return Tensor(buckets)
        depth = len(self.bin_boundaries) + 1
        return Tensor(encode_categories(buckets, depth, self.output_mode, self.dtype))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = len(self.bin_boundaries or [0] * ((self.num_bins or 1) - 1)) + 1
        if self.output_mode == "one_hot":
            return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (depth,)
        return (shape[0], depth)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse}
