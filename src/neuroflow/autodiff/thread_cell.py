"""A one-item cell whose value is its own in every thread.

The engine's recording state (how many tapes are recording, which trace takes the
binds) lives in such cells, so that it is per thread, as TensorFlow's tapes are: a
tape or a trace in one thread never records the ops of another (a population trains
its packs on several threads at once). Cells are read and written as `cell[0]`, the
way the one-item lists they replace were.
"""

from __future__ import annotations

import threading
from typing import Any

__all__ = ["ThreadCell"]


class ThreadCell(threading.local):
    """`cell[0]`: this thread's value, `initial` in a thread that never set one."""

    def __init__(self, initial: Any):
        self.value = initial

    def __getitem__(self, index: int) -> Any:
        return self.value

    def __setitem__(self, index: int, value: Any) -> None:
        self.value = value
