"""The Callback base class and the list that dispatches hooks during fit/evaluate/predict."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["Callback", "CallbackList", "PeriodicHook"]

_BATCH_HOOKS = (
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class Callback:
    """Override any hook; `self.model` and `self.params` are set before training starts.

    `batch_hook_interval` says how often this callback needs its batch-end hooks
    (`on_train_batch_end`, `on_test_batch_end`): 0 (the default) is after every batch;
    a positive number of seconds lets fit and evaluate skip batches in between, calling
    the hook when that much time has passed and after the epoch's last batch (the batch
    index then jumps), so that they keep their fast replay loop. A progress bar that
    redraws a terminal line needs it every 0.05 s, one that writes to a file never
    (math.inf: only the last batch). Batch-begin hooks are always called on every batch.
    """

    batch_hook_interval: float = 0.0

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...
    # tf.keras 2 names for the training-batch hooks
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)


def _overrides(cb: Callback, hook: str) -> bool:
    """Whether `cb` defines `hook` (in its class, or per instance as LambdaCallback does)."""
    own = getattr(type(cb), hook, None)
    if own is not getattr(Callback, hook) or hook in getattr(cb, "__dict__", {}):
        return True
    aliases = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}
    alias = aliases.get(hook)
    return alias is not None and (
        getattr(type(cb), alias) is not getattr(Callback, alias)
        or alias in getattr(cb, "__dict__", {})
    )


class PeriodicHook:
    """The batch-end hooks of the callbacks that want them only every so often.

    `due(step)` is cheap (one clock read); call `fire(step, logs)` when it is True, and
    `finish(step, logs)` after an epoch's last batch (`step` -1: no batch ran).
    """

    __slots__ = ("_fns", "_intervals", "_next", "_last")

    def __init__(self, fns: list, intervals: list[float]):
        self._fns = fns
        self._intervals = intervals
        self._next = [time.monotonic() + t for t in intervals]
        self._last = -1

    @property
    def next_time(self) -> float:
        """The earliest `time.monotonic()` at which a hook is due (inf: none before the
        epoch's end)."""
        return min(self._next)

    def fire(self, step: int, logs: dict | None, now: float | None = None) -> float:
        """Call the hooks that are due; the new `next_time`."""
        now = time.monotonic() if now is None else now
        for k, fn in enumerate(self._fns):
            if self._next[k] <= now:
                fn(step, logs)
                self._next[k] = now + self._intervals[k]
        self._last = step
        return min(self._next)

    def finish(self, step: int, logs: dict | None) -> None:
        """After the last batch: every hook sees it (unless it just did)."""
        if step >= 0 and step != self._last:
            for fn in self._fns:
                fn(step, logs)
        self._last = -1
        now = time.monotonic()
        self._next = [now + t for t in self._intervals]


class CallbackList:
    """Calls each hook on every callback; batch hooks only on callbacks that define them."""

    def __init__(self, callbacks=None, model=None, params: dict | None = None):
        self.callbacks: list[Callback] = []
        for cb in callbacks or []:
            if not isinstance(cb, Callback) and not hasattr(cb, "on_epoch_end"):
                raise TypeError(
                    f"callbacks: expected neuroflow.callbacks.Callback instances, received "
                    f"{type(cb).__name__}"
                )
            self.callbacks.append(cb)
        self.model = model
        self.params = params or {}
        self._refresh()
        if model is not None:
            self.set_model(model)
        self.set_params(self.params)

    def _refresh(self) -> None:
        self._batch: dict[str, list] = {
            hook: [getattr(cb, hook) for cb in self.callbacks if _overrides(cb, hook)]
            for hook in _BATCH_HOOKS
        }

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        callback.set_params(self.params)
        self._refresh()

    def set_model(self, model) -> None:
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def has_batch_hooks(self, hook: str) -> bool:
        """Whether any callback defines `hook` (however often it wants it)."""
        return bool(self._batch[hook])

    def _interval(self, cb: Any, hook: str) -> float:
        if not hook.endswith("_batch_end"):
            return 0.0
        interval = getattr(cb, "batch_hook_interval", 0.0)
        return float(interval) if interval and interval > 0 else 0.0

    def needs_every_batch(self, hook: str) -> bool:
        """Whether a callback wants `hook` after every batch (`batch_hook_interval` 0)."""
        return any(self._interval(cb, hook) == 0.0
                   for cb in self.callbacks if _overrides(cb, hook))

    def periodic_hook(self, hook: str) -> PeriodicHook | None:
        """The callbacks that want `hook` only every so often, as one PeriodicHook (read
        their intervals now: call it at the start of each epoch), or None."""
        pairs = [(getattr(cb, hook), self._interval(cb, hook))
                 for cb in self.callbacks if _overrides(cb, hook)]
        pairs = [(fn, t) for fn, t in pairs if t > 0.0]
        if not pairs:
            return None
        return PeriodicHook([fn for fn, _ in pairs], [t for _, t in pairs])

    def _call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def batch_hook(self, hook: str, batch: int, logs=None) -> None:
        for fn in self._batch[hook]:
            fn(batch, logs)
