"""Micro-batching: concurrent predict requests for one model become one model call.

Requests wait in a queue; a worker takes the first one, everything already queued behind
it, and (under concurrent traffic) what arrives within `max_wait_s`, up to
`max_batch_size` rows, concatenates them,
runs the model in a thread (the event loop stays free) and hands each request its rows
of the outputs. Only requests with the same key (the same model version and the same
trailing input shapes) share a call. If a shared call fails, each request is run alone,
so that one bad request cannot fail the others.

The same rows give the same answer whatever the batching: a request is always judged
(finite outputs or not) as if it were computed alone. A shared call runs with floating
point overflow, invalid and divide-by-zero raising, and is split into lone calls when any
occurs; a request whose rows come out of a shared call non-finite is computed alone
again. (A product over one row and over many rows sums in different orders, so near the
float limits one may overflow where the other does not.)
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

__all__ = ["MicroBatcher", "PredictFn"]

PredictFn = Callable[[list[np.ndarray]], dict[str, np.ndarray]]


@dataclass
class _Item:
    key: Hashable
    fn: PredictFn
    arrays: list[np.ndarray]
    rows: int
    future: asyncio.Future = field(repr=False)


def _alone(item: _Item) -> dict[str, np.ndarray] | BaseException:
    """One request's outputs computed by itself: the reference answer."""
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return item.fn(item.arrays)
    except Exception as err:  # noqa: BLE001 - handed back to the waiting request
        return err


def _finite(outputs: dict[str, np.ndarray]) -> bool:
    return all(np.isfinite(v).all() for v in outputs.values()
               if isinstance(v, np.ndarray) and v.dtype.kind in "fc")


def _run_batch(batch: list[_Item]) -> list[dict[str, np.ndarray] | BaseException]:
    """Outputs for each item of `batch` (run in a worker thread)."""
    if len(batch) == 1:
        return [_alone(batch[0])]
    n_inputs = len(batch[0].arrays)
    joined = [np.concatenate([item.arrays[i] for item in batch]) for i in range(n_inputs)]
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            outputs = batch[0].fn(joined)
        total = sum(item.rows for item in batch)
        if any(len(v) != total for v in outputs.values()):
            raise ValueError("the outputs do not have one row per input row")
    except Exception:  # noqa: BLE001 - a failure or overflow: run each request alone
        return [_alone(item) for item in batch]
    results: list[dict[str, np.ndarray] | BaseException] = []
    start = 0
    for item in batch:
        stop = start + item.rows
        rows = {k: v[start:stop] for k, v in outputs.items()}
        results.append(rows if _finite(rows) else _alone(item))
        start = stop
    return results


class MicroBatcher:
    """Gathers concurrent requests into batches of at most `max_batch_size` rows.

    `max_wait_s` is how long a batch waits for more requests (default 2 ms); it waits only
    under concurrent traffic (the previous batch or the queue held several requests), so a
    lone request is answered at once. Model calls run on `executor`.
    """

    def __init__(self, executor: Executor, max_batch_size: int = 256, max_wait_s: float = 0.002):
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, received {max_batch_size}")
        if max_wait_s < 0:
            raise ValueError(f"max_wait_s must be >= 0, received {max_wait_s}")
        self.executor = executor
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_s
        self.batches_run = 0
        self._last_batch_items = 0
        self._queue: deque[_Item] = deque()
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task | None = None

    async def submit(self, key: Hashable, fn: PredictFn, arrays: list[np.ndarray],
                     rows: int) -> dict[str, np.ndarray]:
        """The outputs of `fn` for `arrays` (`rows` rows), computed in a shared batch."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._worker is None or self._worker.done():
            self._start(loop)
        future = loop.create_future()
        self._queue.append(_Item(key, fn, arrays, rows, future))
        self._wakeup.set()
        return await future

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._wakeup = asyncio.Event()
        self._queue = deque(item for item in self._queue if not item.future.done())
        self._worker = loop.create_task(self._work())

    async def close(self) -> None:
        """Stop the worker (requests still queued are cancelled)."""
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
            self._worker = None
        while self._queue:
            self._queue.popleft().future.cancel()

    def _take(self, batch: list[_Item], rows: int) -> int:
        """Move queued items that fit the batch (same key) into it; return the row count."""
        key = batch[0].key
        kept: deque[_Item] = deque()
        while self._queue:
            item = self._queue.popleft()
            if item.future.done():
                continue
            if item.key == key and rows + item.rows <= self.max_batch_size:
                batch.append(item)
                rows += item.rows
            else:
                kept.append(item)
        self._queue = kept
        return rows

    async def _next_batch(self) -> list[_Item]:
        while True:
            while not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            first = self._queue.popleft()
            if not first.future.done():
                break
        batch = [first]
        rows = self._take(batch, first.rows)
        if len(batch) == 1 and self._last_batch_items <= 1:
            return batch  # no sign of concurrent traffic: answer without waiting
        deadline = self._loop.time() + self.max_wait_s
        while rows < self.max_batch_size:
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                break
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except asyncio.TimeoutError:
                break
            rows = self._take(batch, rows)
        return batch

    async def _work(self) -> None:
        while True:
            batch = await self._next_batch()
            try:
                results = await self._loop.run_in_executor(self.executor, _run_batch, batch)
            except Exception as err:  # noqa: BLE001 - e.g. the executor was shut down
                results = [err] * len(batch)
            self.batches_run += 1
            self._last_batch_items = len(batch)
            for item, result in zip(batch, results, strict=True):
                if item.future.done():
                    continue
                if isinstance(result, BaseException):
                    item.future.set_exception(result)
                else:
                    item.future.set_result(result)
