"""PyDataset (and its older name Sequence): a data set as an indexable list of batches,
Keras 3's way to feed data that does not fit in memory or is produced on the fly.

Subclasses implement `__len__` (batches per epoch) and `__getitem__(index)` (a batch:
`x`, `(x, y)` or `(x, y, sample_weight)`); `on_epoch_end` runs after each epoch. With
`workers > 1`, batches are prepared ahead in threads (at most `max_queue_size` ahead),
and handed out in order.
"""

from __future__ import annotations

import concurrent.futures
from collections import deque
from collections.abc import Iterator
from typing import Any

__all__ = ["PyDataset", "Sequence"]


class PyDataset:
    """Base class of indexable batch sources (see the module docstring)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        for arg, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{type(self).__name__}: {arg} must be a positive integer, "
                                 f"received {value!r}")
        if use_multiprocessing:
            raise ValueError(f"{type(self).__name__}: use_multiprocessing=True would pickle "
                             "the data set into other processes; neuroflow prepares batches "
                             "in threads (workers=N)")
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__()")

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch (`len(self)`)."""
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called before each epoch (does nothing unless overridden)."""

    def on_epoch_end(self) -> None:
        """Called after each epoch, e.g. to shuffle (does nothing unless overridden)."""

    def iter_batches(self) -> Iterator[Any]:
        """The batches of one epoch, in order (prepared ahead in threads if workers > 1)."""
        n = len(self)
        if self.workers <= 1:
            for i in range(n):
                yield self[i]
            return
        with concurrent.futures.ThreadPoolExecutor(self.workers) as pool:
            pending: deque = deque()
            nxt = 0
            while nxt < n or pending:
                while nxt < n and len(pending) < self.max_queue_size:
                    pending.append(pool.submit(self.__getitem__, nxt))
                    nxt += 1
                yield pending.popleft().result()


Sequence = PyDataset
