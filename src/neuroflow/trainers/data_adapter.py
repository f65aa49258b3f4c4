"""Turn fit/evaluate/predict arguments into validated arrays and batches.

Arrays are converted (and checked for NaN/inf) once per call, never per batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.tensor import Tensor
from neuroflow.trainers.plan import leaves_of, pack_leaves

__all__ = [
    "ArrayData",
    "to_array_structure",
    "unpack_x_y_sample_weight",
    "class_weight_to_sample_weight",
]


# Rows up to this many bytes (all arrays of a sample together) are shuffled once per
# epoch into a reused buffer and batched as views; wider rows are gathered per batch.
_NARROW_ROW_BYTES = 1024


def _is_frame(x: Any) -> bool:
    return hasattr(x, "to_numpy") and hasattr(x, "shape") and not isinstance(x, np.ndarray)


def _leaf_to_array(x: Any, what: str, cast_float: bool) -> np.ndarray:
    if isinstance(x, Tensor):
        arr = x.data
    elif _is_frame(x):
        arr = x.to_numpy()
    elif x is None:
        raise TypeError(f"{what}: expected an array, received None")
    else:
        try:
            arr = np.asarray(x)
        except ValueError:
            raise ValueError(
                f"{what}: expected a rectangular array (every row of the same length), "
                f"received a ragged nested {type(x).__name__}"
            ) from None
    if arr.dtype == object:
        try:
            arr = arr.astype(backend.floatx())
        except (TypeError, ValueError):
            raise TypeError(
                f"{what}: expected numeric data, received values that are not numbers "
                f"(an array of dtype object)"
            ) from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: expected numeric data, received an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{what}: expected an array with a batch axis, received a scalar")
    if cast_float and arr.dtype != backend.floatx():
        arr = arr.astype(backend.floatx())
    elif arr.dtype.kind == "f" and arr.dtype != backend.floatx():
        arr = arr.astype(backend.floatx())
    return arr


def _is_array_like_leaf(x: Any) -> bool:
    return isinstance(x, (np.ndarray, Tensor)) or _is_frame(x)


def to_array_structure(data: Any, what: str, cast_float: bool = True) -> Any:
    """Arrays (or a list/tuple/dict of arrays, for several inputs or outputs) as NumPy.

    Inputs (`cast_float=True`) become floatx; integer targets stay integers so that sparse
    labels keep their type, float targets become floatx.
    """
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _leaf_to_array(v, f"{what}['{k}']", cast_float) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(_is_array_like_leaf(v) for v in data):
        if len(data) == 1:
            return [_leaf_to_array(data[0], f"{what}[0]", cast_float)]
        return [_leaf_to_array(v, f"{what}[{i}]", cast_float) for i, v in enumerate(data)]
    return _leaf_to_array(data, what, cast_float)


def leaves(structure: Any) -> list[np.ndarray]:
    if structure is None:
        return []
    if isinstance(structure, dict):
        return list(structure.values())
    if isinstance(structure, list):
        return list(structure)
    return [structure]


def map_structure(fn, structure: Any) -> Any:
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: fn(v) for k, v in structure.items()}
    if isinstance(structure, list):
        return [fn(v) for v in structure]
    return fn(structure)


def check_finite(structure: Any, what: str) -> None:
    """Refuse NaN or inf, saying where the first one is."""
    items = (
        structure.items()
        if isinstance(structure, dict)
        else (enumerate(structure) if isinstance(structure, list) else [(None, structure)])
    )
    for key, arr in items:
        if arr.dtype.kind != "f":
            continue
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(arr, axis=None)  # NaN and inf propagate: one cheap pass
        if not np.isfinite(total) and not np.isfinite(arr).all():
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            label = what if key is None else f"{what}[{key!r}]"
            value = arr[where]
            raise ValueError(
                f"{label} contains {'NaN' if np.isnan(value) else 'inf'} at index {where} "
                f"(sample {where[0]}); remove or impute non-finite values before training"
            )


def num_samples(structure: Any, what: str) -> int:
    lengths = {len(a) for a in leaves(structure)}
    if len(lengths) > 1:
        raise ValueError(
            f"{what}: all arrays must have the same number of samples, received {sorted(lengths)}"
        )
    return lengths.pop() if lengths else 0


def class_weight_to_sample_weight(y: Any, class_weight: dict) -> np.ndarray:
    """One weight per sample from a {class index: weight} dict."""
    if isinstance(y, (list, dict)):
        raise ValueError("class_weight is only supported for models with a single output")
    if not isinstance(class_weight, dict):
        raise TypeError(
            "class_weight must be a dict {class index: weight}, received "
            f"{type(class_weight).__name__}"
        )
    for k, w in class_weight.items():
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(
                f"class_weight: keys must be class indices (integers >= 0), received {k!r}"
            )
        if isinstance(w, bool) or not isinstance(w, (int, float, np.integer, np.floating)):
            raise ValueError(
                f"class_weight: the weight of class {k} must be a number, received {w!r}"
            )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        ids = y.argmax(axis=1)
    elif y.ndim == 2:
        ids = np.rint(y[:, 0]).astype(np.int64) if y.dtype.kind == "f" else y[:, 0].astype(np.int64)
    else:
        ids = np.rint(y).astype(np.int64) if y.dtype.kind == "f" else y.astype(np.int64)
    n_classes = max(
        int(ids.max()) + 1 if ids.size else 0, max((int(k) for k in class_weight), default=-1) + 1
    )
    table = np.ones(n_classes, dtype=backend.floatx())
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[ids]


def unpack_x_y_sample_weight(data: Any) -> tuple:
    """(x,), (x, y) or (x, y, sample_weight) as a 3-tuple."""
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise ValueError(
            "expected data as (x,), (x, y) or (x, y, sample_weight), received a tuple of "
            f"{len(data)}"
        )
    return data, None, None


def check_batch_size(batch_size: Any, what: str) -> int:
    """`batch_size` as a positive int (32 when None), or a ValueError naming the call."""
    if batch_size is None:
        return 32
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size <= 0
    ):
        raise ValueError(f"{what}: batch_size must be a positive integer, received {batch_size!r}")
    return int(batch_size)


class ArrayData:
    """In-memory arrays split into batches, shuffled per epoch from the global generator."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = 32,
        shuffle: bool = False,
        steps: int | None = None,
        what: str = "fit",
    ):
        self.x = x
        self.y = y
        self.sample_weight = sample_weight
        self.batch_size = check_batch_size(batch_size, what)
        self.shuffle = shuffle
        self.n = num_samples(x, f"{what}: x")
        if self.n == 0 and what != "predict":
            raise ValueError(f"{what}: x has no samples (0 rows); expected at least one sample")
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps <= 0
        ):
            arg = "steps_per_epoch" if what == "fit" else "steps"
            raise ValueError(
                f"{what}: {arg} must be a positive integer or None, received {steps!r}"
            )
        if y is not None:
            ny = num_samples(y, f"{what}: y")
            if ny != self.n:
                raise ValueError(
                    f"{what}: x and y must have the same number of samples, received x with "
                    f"{self.n} and y with {ny}"
                )
        if sample_weight is not None and len(sample_weight) != self.n:
            raise ValueError(
                f"{what}: sample_weight must have one weight per sample ({self.n}), received "
                f"{len(sample_weight)}"
            )
        full = math.ceil(self.n / self.batch_size) if self.n else 0
        self.steps = full if steps is None else min(int(steps), full)
        x_leaves, y_leaves = leaves_of(x), leaves_of(y)
        self._leaves = x_leaves + y_leaves + leaves_of(sample_weight)
        self._n_leaves = (len(x_leaves), len(y_leaves))
        self._row_bytes = sum(a.itemsize * (a.size // max(len(a), 1)) for a in self._leaves)
        self._epoch_buffers: list | None = None

    def batches(self) -> Iterator[tuple]:
        """Yield (x, y, sample_weight) batches for one pass."""
        pack = self.pack
        for batch in self.leaf_batches():
            yield pack(batch)

    def leaf_batches(self) -> EpochBatches:
        """The batches of one pass, each as the flat list of its arrays (`leaves_of`
        order: x's, then y's, then the sample weights), as an `EpochBatches`.

        A shuffled pass gathers narrow rows (at most `_NARROW_ROW_BYTES` a sample over
        every array) once per epoch into a buffer reused from epoch to epoch, so that
        each batch is a view: per-batch gathers cost a NumPy call per array and step,
        which dominates a small network's step. Wide rows (images) are gathered per
        batch instead: the gathered batch stays in cache, where a whole shuffled copy of
        the data would not (measured: 3x slower for 55,000 rows of 784 floats).
        """
        leaves = self._leaves
        order = backend.global_rng().permutation(self.n) if self.shuffle else None
        if order is not None and self._row_bytes <= _NARROW_ROW_BYTES:
            if self._epoch_buffers is None:
                self._epoch_buffers = [np.empty_like(a) for a in leaves]
            for a, buf in zip(leaves, self._epoch_buffers, strict=True):
                np.take(a, order, axis=0, out=buf)
            leaves, order = self._epoch_buffers, None
        return EpochBatches(leaves, order, self.n, self.batch_size, self.steps)

    def pack(self, batch: list) -> tuple:
        """(x, y, sample_weight) of a batch given as its flat list of arrays."""
        nx, ny = self._n_leaves
        x = pack_leaves(self.x, batch[:nx])
        y = None if self.y is None else pack_leaves(self.y, batch[nx:nx + ny])
        return x, y, (None if self.sample_weight is None else batch[-1])


class EpochBatches:
    """One pass over in-memory arrays: an iterator of batches (lists of arrays) that a
    replay loop may also read directly and move past.

    Step `k`'s batch is rows `k * batch_size` to `(k + 1) * batch_size` of each of
    `sources` (views), or, when `order` is not None, the rows `order[...]` of that range
    (gathered copies). `full_steps` counts the steps whose batch has `batch_size` rows;
    `next_step` is the step `next()` yields next, and a loop that replayed steps itself
    sets it past them.
    """

    def __init__(self, sources: list, order: np.ndarray | None, n: int, batch_size: int,
                 steps: int):
        self.sources, self.order = sources, order
        self.n, self.batch_size, self.steps = n, batch_size, steps
        self.full_steps = min(steps, n // batch_size)
        self.next_step = 0

    def __iter__(self) -> EpochBatches:
        return self

    def __next__(self) -> list:
        step = self.next_step
        if step >= self.steps:
            raise StopIteration
        self.next_step = step + 1
        start = step * self.batch_size
        if self.order is None:
            stop = min(start + self.batch_size, self.n)
            return [a[start:stop] for a in self.sources]
        idx = self.order[start:start + self.batch_size]
        return [a[idx] for a in self.sources]


def split_validation(x: Any, y: Any, sw: Any, fraction: float) -> tuple:
    """Keep the last `fraction` of the samples (taken before shuffling) for validation."""
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fit: validation_split must be in [0, 1), received {fraction!r}")
    n = num_samples(x, "fit: x")
    split = int(n * (1.0 - fraction))
    if split == n or split == 0:
        raise ValueError(
            f"fit: validation_split={fraction} leaves no samples for "
            f"{'validation' if split == n else 'training'} out of {n}"
        )

    def head(a):
        return a[:split]

    def tail(a):
        return a[split:]

    return (
        (map_structure(head, x), map_structure(head, y), None if sw is None else sw[:split]),
        (map_structure(tail, x), map_structure(tail, y), None if sw is None else sw[split:]),
    )
