"""LambdaCallback: a callback made of plain functions."""

from __future__ import annotations

from collections.abc import Callable

from neuroflow.callbacks.callback import Callback

__all__ = ["LambdaCallback"]

_HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
    "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end",
    "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)


class LambdaCallback(Callback):
    """`LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch))`.

    Each argument names a hook and gives the function to call with that hook's
    arguments: `(logs)` for begin/end of train/test/predict, `(epoch, logs)` for epochs,
    `(batch, logs)` for batches. Only the hooks given are called.
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None, on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None, **kwargs: Callable):
        super().__init__()
        given = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        for hook, fn in given.items():
            if hook not in _HOOKS:
                raise ValueError(f"LambdaCallback: unknown hook {hook!r}; valid hooks are "
                                 f"{', '.join(_HOOKS)}")
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: {hook} must be a function, received "
                                f"{type(fn).__name__}")
            setattr(self, hook, fn)
