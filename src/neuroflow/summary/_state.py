"""Per-thread summary state: the default writer, the default step, the recording switch.

As in tf.summary, each thread has its own: a writer made default in one thread does not
receive another thread's summaries.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


class _State(threading.local):
    writer: Any = None
    step: Any = None
    recording: bool | Callable[[], bool] = True


_STATE = _State()


def default_writer() -> Any:
    """Return this thread's default writer, or None."""
    return _STATE.writer


def swap_default(writer: Any, step: Any, set_step_too: bool) -> tuple[Any, Any]:
    """Make ``writer`` (and ``step`` when ``set_step_too``) the default; return the old pair."""
    if set_step_too:
        check_step(step, "step")
    old = (_STATE.writer, _STATE.step)
    _STATE.writer = writer
    if set_step_too:
        _STATE.step = step
    return old


def restore_default(old: tuple[Any, Any]) -> None:
    """Put back the pair returned by :func:`swap_default`."""
    _STATE.writer, _STATE.step = old


def as_int_step(value: Any, what: str) -> int:
    """Return ``value`` (an int, NumPy integer, 0-d array or Variable) as a Python int."""
    array = np.asarray(value)
    if array.ndim == 0 and array.dtype.kind in "iu":
        return int(array)
    if array.ndim == 0 and array.dtype.kind == "f" and float(array).is_integer():
        return int(array)
    raise ValueError(f"summary: {what} must be an integer (a scalar castable to int64), "
                     f"received {value!r}")


def check_step(step: Any, what: str) -> None:
    """Raise a clear error now for a step that could not be read later (None is fine)."""
    if step is not None:
        as_int_step(step, what)


def get_step() -> Any:
    """Return the default step (what was given to :func:`set_step`), or None."""
    return _STATE.step


def set_step(step: Any) -> None:
    """Set the default step of this thread; None unsets it.

    A Variable (such as ``optimizer.iterations``) is read each time a summary is
    written, so the step follows training.
    """
    check_step(step, "set_step's step")
    _STATE.step = step


def resolve_step(step: Any) -> int:
    """Return the step a summary is written at: ``step``, else the default step."""
    if step is None:
        step = _STATE.step
    if step is None:
        raise ValueError("summary: no step set. Pass step= to the summary call, use "
                         "writer.as_default(step=...), or summary.experimental.set_step().")
    return as_int_step(step, "step")


def is_recording() -> bool:
    """Return the recording condition set by :func:`record_if` (True by default)."""
    condition = _STATE.recording
    return bool(condition() if callable(condition) else condition)


@contextlib.contextmanager
def record_if(condition: bool | Callable[[], bool]) -> Iterator[None]:
    """Record summaries inside the block only when ``condition`` (or ``condition()``) holds."""
    old = _STATE.recording
    _STATE.recording = condition
    try:
        yield
    finally:
        _STATE.recording = old


def should_record_summaries() -> bool:
    """Return whether a summary written now would be recorded (needs a default writer)."""
    writer = _STATE.writer
    return writer is not None and writer.records and is_recording()
