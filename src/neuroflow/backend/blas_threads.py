"""How many BLAS threads a training loop uses: whichever of one and the default is faster.

A dense network's step is a chain of products too small to share well between threads
(batch 32), and on a busy machine threads that wait for a core make every product
slower; on a quiet one a wide network gains from them. So a fit (`Model.fit`, the
scikit-learn MLPs) times its first steps both ways, alternately, and keeps the faster
for the rest. Thread counts do not change the arithmetic in any
way that matters (products may round differently in the last bit on some shapes; over
a whole fit the weights agree to about 1e-15).
"""

from __future__ import annotations

import time
from functools import lru_cache

__all__ = ["ThreadChooser", "WIDE_WEIGHTS"]

WIDE_WEIGHTS = 10_000
"""A weight matrix this large makes batch-32 products where BLAS threads may pay: below
it, one thread is never slower, and on a busy machine much faster."""


@lru_cache(maxsize=1)
def _controller():
    """threadpoolctl's view of the loaded BLAS libraries (None without threadpoolctl)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return None
    return ThreadpoolController()


class ThreadChooser:
    """Times steps with one BLAS thread and with the default, then keeps the faster.

    The first `4 * trial_steps` steps run in rounds of `trial_steps`: one thread,
    default, one thread, default. Use `step()` around every step and `close()` at the
    end (it restores the threads the process had). `trial=False` skips the trials
    and keeps one thread until `close()`.
    """

    def __init__(self, trial_steps: int = 4, *, trial: bool = True) -> None:
        controller = _controller()
        blas = controller.select(user_api="blas") if controller is not None else None
        default = max((lib.num_threads for lib in blas.lib_controllers), default=1) \
            if blas is not None else 1
        self.default = default
        self.threads = default
        self._controller = controller
        self._limiter = None
        self._trial = trial and default > 1
        self._schedule = [1, default] * 2 if self._trial else []
        self._trial_steps = trial_steps
        self._steps = 0
        self._elapsed = {1: 0.0, default: 0.0}
        self._start = 0.0
        if not trial:  # products too small to share: one thread, never slower
            self._use(1)

    def _use(self, threads: int) -> None:
        if threads != self.threads:
            self.threads = threads
            if self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None
            if threads != self.default:
                self._limiter = self._controller.limit(limits=threads, user_api="blas")

    @property
    def trying(self) -> bool:
        """Whether the trial rounds are still running (`start`/`stop` still needed)."""
        return bool(self._schedule)

    def start(self) -> None:
        """Call before a step."""
        if self._schedule:
            self._use(self._schedule[self._steps // self._trial_steps])
            self._start = time.perf_counter()

    def stop(self) -> None:
        """Call after a step."""
        if not self._schedule:
            return
        self._elapsed[self.threads] += time.perf_counter() - self._start
        self._steps += 1
        if self._steps == len(self._schedule) * self._trial_steps:
            self._schedule = []
            self._use(min(self._elapsed, key=self._elapsed.get))

    def restart(self) -> None:
        """Run the trial rounds again from the next step (the machine's load changes:
        a long fit re-chooses, e.g. every epoch); nothing when trials are off."""
        if self._trial:
            self._schedule = [1, self.default] * 2
            self._steps = 0
            self._elapsed = dict.fromkeys(self._elapsed, 0.0)

    def close(self) -> None:
        """Give the process back its own thread counts."""
        self._schedule = []
        self._use(self.default)
