"""One seeded random generator for weight init, shuffling and dropout.

A thread may draw from a generator of its own instead (`using_generator`): a
population's packs, trained on several threads at once, each draw their shuffles and
dropout masks from their own, so what one pack draws never depends on another's timing.
"""

from __future__ import annotations

import contextlib
import random as _py_random
import threading
from collections.abc import Iterator

import numpy as np

_state: dict = {"seed": None, "rng": np.random.default_rng()}
_thread = threading.local()  # .rng: this thread's own generator while using_generator


def set_seed(seed: int | None) -> None:
    """Seed neuroflow's generator, NumPy's legacy global one and Python's `random`."""
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"set_seed: expected a non-negative integer, received {seed!r}")
    _state["seed"] = None if seed is None else int(seed)
    _state["rng"] = np.random.default_rng(seed)
    if seed is not None:
        np.random.seed(int(seed) % (2**32))
        _py_random.seed(int(seed))


def reset_seed() -> None:
    """Re-seed with the last seed given to `set_seed` (fresh entropy when none was)."""
    set_seed(_state["seed"])


def global_rng() -> np.random.Generator:
    """The generator every random draw in neuroflow uses unless given a seed."""
    own = getattr(_thread, "rng", None)
    return _state["rng"] if own is None else own


@contextlib.contextmanager
def using_generator(generator: np.random.Generator | None) -> Iterator[None]:
    """Inside the block, this thread's draws from the global generator come from
    `generator` (None: leave them be); other threads keep theirs."""
    if generator is None:
        yield
        return
    saved = getattr(_thread, "rng", None)
    _thread.rng = generator
    try:
        yield
    finally:
        _thread.rng = saved


def make_rng(seed: int | np.random.Generator | None = None) -> np.random.Generator:
    """A generator for `seed`: a fresh seeded one for an int, the global one for None."""
    if seed is None:
        return global_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(int(seed))
