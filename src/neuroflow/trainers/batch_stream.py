"""Batches from a `keras.utils.PyDataset` or a Python iterator/generator, as Keras 3's
fit/evaluate/predict accept them.

BatchStream offers what the trainer's loops read from ArrayData (`steps`, `batch_size`,
`leaf_batches()`, `batches()`, `pack()`), so each batch goes to the same step functions
and the same traced plans. Each batch is converted once (x to floatx, integer targets kept)
and must keep the structure, trailing shapes and dtypes of the first one, so that a plan
traced on one batch is valid for the next of the same size.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from neuroflow.trainers import data_adapter as da
from neuroflow.trainers.plan import leaves_of, pack_leaves

__all__ = ["BatchStream", "is_batch_source"]


def _is_dataset(x: Any) -> bool:
    """The PyDataset protocol (utils sits above the trainers): indexable batches, their
    count `num_batches`, one epoch's batches from `iter_batches()`."""
    return hasattr(x, "iter_batches") and hasattr(x, "num_batches") and hasattr(
        x, "__getitem__")


def is_batch_source(x: Any) -> bool:
    """Whether `x` yields batches (a PyDataset, generator or other iterator) rather than
    holding the samples itself."""
    return _is_dataset(x) or (hasattr(x, "__next__") and hasattr(x, "__iter__"))


class BatchStream:
    """One source of batches over the epochs of a call (see the module docstring)."""

    def __init__(self, source: Any, steps: int | None, what: str, needs_y: bool,
                 check: bool = False, class_weight: dict | None = None):
        if steps is not None and (isinstance(steps, bool) or not isinstance(
                steps, (int, np.integer)) or steps <= 0):
            arg = "steps_per_epoch" if what == "fit" else "steps"
            raise ValueError(f"{what}: {arg} must be a positive integer or None, received "
                             f"{steps!r}")
        self.source = source
        self.what = what
        self.needs_y = needs_y
        self.check = check
        self.class_weight = class_weight
        self.dataset = source if _is_dataset(source) else None
        if self.dataset is not None:
            n = self.dataset.num_batches
            self.steps = n if steps is None else min(int(steps), n)
        else:
            self.steps = None if steps is None else int(steps)
        self.exhausted = False
        self._iterator = None if self.dataset is not None else iter(source)
        self._count = 0
        self._first = self._convert(self._next_raw(), 0)
        self._pending: list | None = self._first[0]
        self.x, self.y, self.sample_weight = self._first[1]
        self.batch_size = len(self._first[0][0])
        self._signature = [(a.shape[1:], a.dtype) for a in self._first[0]]

    def _next_raw(self) -> Any:
        if self.dataset is not None:
            if self.dataset.num_batches == 0:
                raise ValueError(f"{self.what}: the PyDataset has no batches (len() is 0)")
            return self.dataset[0]
        try:
            return next(self._iterator)
        except StopIteration:
            raise ValueError(f"{self.what}: the generator yielded no batch") from None

    def _convert(self, raw: Any, index: int) -> tuple[list, tuple]:
        where = f"{self.what}: batch {index}"
        x, y, sw = da.unpack_x_y_sample_weight(raw if isinstance(raw, tuple) else (raw,))
        if x is None:
            raise ValueError(f"{where}: expected x, (x, y) or (x, y, sample_weight), "
                             "received None for x")
        if self.needs_y and y is None:
            raise ValueError(f"{where}: expected (x, y) or (x, y, sample_weight) with "
                             f"targets, received a batch without y")
        x = da.to_array_structure(x, f"{where}: x", cast_float=True)
        y = None if not self.needs_y else da.to_array_structure(y, f"{where}: y",
                                                                cast_float=False)
        sw = None if sw is None or not self.needs_y else \
            da.to_array_structure(sw, f"{where}: sample_weight")
        if self.class_weight is not None:
            cw = da.class_weight_to_sample_weight(y, self.class_weight)
            sw = cw if sw is None else sw * cw
        if self.check:
            da.check_finite(x, f"{where}: x")
            da.check_finite(y, f"{where}: y")
        rows = da.num_samples(x, f"{where}: x")
        for part, name in ((y, "y"), (sw, "sample_weight")):
            if part is not None and da.num_samples(part, f"{where}: {name}") != rows:
                raise ValueError(f"{where}: x and {name} must have the same number of "
                                 f"samples, received {rows} and "
                                 f"{da.num_samples(part, where)}")
        if rows == 0:
            raise ValueError(f"{where}: the batch has no samples")
        leaves = leaves_of(x) + leaves_of(y) + leaves_of(sw)
        return leaves, (x, y, sw)

    def _check_like_first(self, batch: tuple[list, tuple], index: int) -> list:
        leaves, (x, y, sw) = batch
        same = len(leaves) == len(self._signature) and all(
            a.shape[1:] == shape and a.dtype == dtype
            for a, (shape, dtype) in zip(leaves, self._signature, strict=False))
        if not same or (y is None) != (self.y is None) or (sw is None) != (
                self.sample_weight is None):
            raise ValueError(
                f"{self.what}: batch {index} has arrays {[(a.shape, str(a.dtype)) for a in leaves]}"
                f", but the first batch had {[((None, *s), str(d)) for s, d in self._signature]}"
                "; every batch must have the same structure, feature shapes and dtypes")
        return leaves

    def _raw_batches(self) -> Iterator[Any]:
        if self.dataset is not None:
            getattr(self.dataset, "on_epoch_begin", lambda: None)()
            batches = self.dataset.iter_batches()
            return itertools.islice(batches, self.steps)
        return itertools.islice(self._iterator, self.steps)

    def leaf_batches(self) -> Iterator[list]:
        """Each batch of one epoch as its flat list of arrays (x's, y's, sample weights)."""
        step = 0
        if self._pending is not None and self.dataset is None:
            yield self._pending  # the generator's first batch, read to build the model
            step = 1
        self._pending = None
        raw = self._raw_batches()
        if self.dataset is None and self.steps is not None:
            raw = itertools.islice(raw, self.steps - step)
        for item in raw:
            yield self._check_like_first(self._convert(item, self._count + step), step)
            step += 1
        self._count += step
        if self.dataset is not None:
            getattr(self.dataset, "on_epoch_end", lambda: None)()
        elif step < (self.steps or 1):
            self.exhausted = True

    def batches(self) -> Iterator[tuple]:
        """Each batch of one epoch as (x, y, sample_weight)."""
        for batch in self.leaf_batches():
            yield self.pack(batch)

    def pack(self, batch: list) -> tuple:
        """(x, y, sample_weight) of a batch given as its flat list of arrays."""
        nx, ny = len(leaves_of(self.x)), len(leaves_of(self.y))
        x = pack_leaves(self.x, batch[:nx])
        y = None if self.y is None else pack_leaves(self.y, batch[nx:nx + ny])
        return x, y, (None if self.sample_weight is None else batch[-1])
