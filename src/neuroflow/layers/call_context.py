"""The `training` flag that an outer model call passes down to every nested layer."""

from __future__ import annotations

_stack: list = [None]


def current_training():
    """The training flag of the innermost model call, or None outside any."""
    return _stack[-1]


def push_training(training) -> None:
    """Layers called from now on see `training` unless given one explicitly; a model call
    pushes its flag and pops it in a `finally` (two calls, cheaper than a context manager
    on every eager call)."""
    _stack.append(training)


def pop_training() -> None:
    """Undo the matching `push_training`."""
    _stack.pop()
