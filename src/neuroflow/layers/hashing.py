"""Hashing and HashedCrossing: categorical features (integers or strings) binned by a
stable hash, with the bins Keras 3 gives (FarmHash64, or SipHash64 under a salt).

They work on raw values, never on gradients: integer and string arrays are read as they
are (not cast to floats first), so large ids hash exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.encoding import encode_categories
from neuroflow.layers.layer import Layer
from neuroflow.layers.string_hash import fingerprint64, fingerprint_cat64, siphash24

__all__ = ["Hashing", "HashedCrossing", "raw_values"]

_CROSS_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash key


def raw_values(x: Any) -> np.ndarray:
    """The values of `x` as an array, without the float cast layers apply to inputs."""
    arr = np.asarray(x.data if isinstance(x, Tensor) else x)
    if arr.dtype.kind == "f":  # Keras casts floats to int64 before hashing
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuUSOb":
        raise TypeError(f"expected integer or string values, received dtype {arr.dtype}")
    return arr


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return str(int(value)).encode()
    if isinstance(value, (str, np.str_)):
        return str(value).encode("utf-8")
    raise TypeError(f"expected integer or string values, received {value!r}")


def _map_unique(values: np.ndarray, fn) -> np.ndarray:
    """`fn` applied once per distinct value, broadcast back to the array's shape."""
    if values.size == 0:
        return np.zeros(values.shape, dtype=np.uint64)
    uniques, inverse = np.unique(values.ravel(), return_inverse=True)
    out = np.array([fn(u) for u in uniques.tolist()], dtype=np.uint64)
    return out[inverse].reshape(values.shape)


class _RawInputs(Layer):
    """Calls on concrete arrays skip the float conversion of `Layer.__call__`."""

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        leaves = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if all(isinstance(x, (np.ndarray, list, tuple, str, int, np.generic))
               and not isinstance(x, Tensor) for x in leaves):
            self.built = True
            kwargs.pop("training", None)
            return self.call(inputs, *args, **kwargs)
        return super().__call__(inputs, *args, **kwargs)


def _check_output_mode(layer: Layer, mode: str, allowed: tuple, sparse: bool) -> None:
    name = type(layer).__name__
    if mode not in allowed:
        raise ValueError(f"{name} layer '{layer.name}': output_mode must be one of "
                         f"{allowed}, received {mode!r}")
    if sparse:
        raise ValueError(f"{name} layer '{layer.name}': sparse=True needs sparse tensors, "
                         "which neuroflow does not have; use sparse=False")


class Hashing(_RawInputs):
    """Integers or strings -> bins in [0, num_bins): FarmHash64 of the value's text, or
    SipHash64 keyed by `salt` (an int, or a pair of ints). With `mask_value`, that value
    goes to bin 0 and the others to [1, num_bins). `output_mode` 'one_hot', 'multi_hot'
    or 'count' encode the bins as CategoryEncoding does."""

    def __init__(self, num_bins: int, mask_value: Any = None, salt: Any = None,
                 output_mode: str = "int", sparse: bool = False, **kwargs: Any):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) \
                or num_bins <= 0:
            raise ValueError(f"Hashing layer '{self.name}': num_bins must be a positive "
                             f"integer, received num_bins={num_bins!r}")
        _check_output_mode(self, output_mode, ("int", "one_hot", "multi_hot", "count"),
                           sparse)
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(f"Hashing layer '{self.name}': with output_mode='int' the dtype "
                             f"must be 'int32' or 'int64', received {self.dtype!r}")
        if salt is None:
            self.salt = None
        elif isinstance(salt, (tuple, list)) and len(salt) == 2 and all(
                isinstance(s, (int, np.integer)) for s in salt):
            self.salt = [int(s) for s in salt]
        elif isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
            self.salt = [int(salt), int(salt)]
        else:
            raise ValueError(f"Hashing layer '{self.name}': salt must be an integer or a "
                             f"pair of integers, received salt={salt!r}")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.strong_hash = self.salt is not None
        self.output_mode = output_mode
        self.sparse = bool(sparse)

    def _hash(self, value: Any) -> int:
        data = _as_bytes(value)
        return siphash24(self.salt, data) if self.salt else fingerprint64(data)

    def hash_values(self, values: np.ndarray) -> np.ndarray:
        """The bin of every value (int64), mask value first."""
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        out = (_map_unique(values, self._hash) % np.uint64(bins)).astype(np.int64)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def call(self, inputs: Any) -> Tensor:
        values = raw_values(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = values[..., 0]
        bins = self.hash_values(values)
        if self.output_mode == "int":
            return Tensor(bins.astype(self.dtype))
        return Tensor(encode_categories(bins, self.num_bins, self.output_mode, self.dtype))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if not shape:
            return (self.num_bins,)
        return shape[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": self.sparse}


class HashedCrossing(_RawInputs):
    """The cross of two or more categorical features (integers or strings) of equal shape
    (), (batch,) or (batch, 1), hashed into [0, num_bins) as `tf.sparse.cross_hashed`
    does: each string by FarmHash64, each integer as it is, combined in order."""

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False,
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) \
                or num_bins <= 0:
            raise ValueError(f"HashedCrossing layer '{self.name}': num_bins must be a "
                             f"positive integer, received num_bins={num_bins!r}")
        _check_output_mode(self, output_mode, ("int", "one_hot"), sparse)
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = bool(sparse)

    def _features(self, inputs: Any) -> list[np.ndarray]:
        where = f"HashedCrossing layer '{self.name}'"
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{where} should be called on a list or tuple of inputs, "
                             f"received {type(inputs).__name__}")
        if len(inputs) < 2:
            raise ValueError(f"{where} should be called on at least two inputs, received "
                             f"{len(inputs)}")
        feats = [raw_values(x) for x in inputs]
        shape = feats[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"{where}: all inputs should have shape (), (batch_size) or "
                             f"(batch_size, 1), received shape {shape}")
        if any(f.shape != shape for f in feats[1:]):
            raise ValueError(f"{where}: all inputs should have equal shape, received "
                             f"{[f.shape for f in feats]}")
        return feats

    def call(self, inputs: Any) -> Tensor:
        feats = self._features(inputs)
        shape = feats[0].shape
        columns = []
        for f in feats:
            flat = f.ravel()
            if f.dtype.kind in "iub":
                columns.append(flat.astype(np.int64).view(np.uint64).tolist())
            else:
                columns.append([fingerprint64(_as_bytes(v)) for v in flat.tolist()])
        crossed = []
        for row in zip(*columns, strict=True):
            h = _CROSS_KEY
            for value in row:
                h = fingerprint_cat64(h, value)
            crossed.append(h % self.num_bins)
        bins = np.array(crossed, dtype=np.int64).reshape(shape)
        if self.output_mode == "int":
            return Tensor(bins.astype(self.dtype))
        if bins.ndim and bins.shape[-1] == 1:
            bins = bins[..., 0]
        return Tensor(encode_categories(bins, self.num_bins, "one_hot", self.dtype))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"HashedCrossing layer '{self.name}': expected the shapes of "
                             f"two or more inputs, received {input_shape!r}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            first = first[:-1]
        return first + (self.num_bins,)

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}
