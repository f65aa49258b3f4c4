"""The Callback base class and the list that dispatches hooks during fit/evaluate/predict."""

from __future__ import annotations

from typing import Any

__all__ = ["Callback", "CallbackList"]

_BATCH_HOOKS = (
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class Callback:
    """Override any hook; `self.model` and `self.params` are set before training starts."""

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
        return bool(self._batch[hook])

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
