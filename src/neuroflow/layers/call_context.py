"""The `training` flag that an outer model call passes down to every nested layer."""

from __future__ import annotations

from contextlib import contextmanager

_stack: list = [None]


def current_training():
    """The training flag of the innermost model call, or None outside any."""
    return _stack[-1]


@contextmanager
def training_scope(training):
    """Layers called inside the block see `training` unless given one explicitly."""
    _stack.append(training)
    try:
        yield
    finally:
        _stack.pop()
