"""A one-line text progress bar for downloads."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_MB = 1024 * 1024


class DownloadProgress:
    """Draws ``label: 42% [=====>     ] 11.1/26.4 MB`` on one line of ``stream``.

    On a terminal the line is redrawn at most every ``min_interval`` seconds; on
    anything else (a log file, a pipe) only the final line is written.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        initial: int = 0,
        stream: TextIO | None = None,
        min_interval: float = 0.1,
        width: int = 30,
    ) -> None:
        self.label = label
        self.total = total
        self.done = initial
        self.stream = stream if stream is not None else sys.stderr
        self.min_interval = min_interval
        self.width = width
        self._last_draw = 0.0
        self._live = bool(getattr(self.stream, "isatty", lambda: False)())

    def render(self) -> str:
        """Return the text of the bar for the bytes received so far."""
        done_mb = self.done / _MB
        if not self.total:
            return f"{self.label}: {done_mb:.1f} MB"
        fraction = min(self.done / self.total, 1.0)
        filled = int(fraction * self.width)
        arrow = ">" if filled < self.width else ""
        bar = ("=" * filled + arrow).ljust(self.width)
        return (
            f"{self.label}: {int(fraction * 100):3d}% [{bar}] "
            f"{done_mb:.1f}/{self.total / _MB:.1f} MB"
        )

    def update(self, n_bytes: int) -> None:
        """Count ``n_bytes`` more received bytes and redraw when due."""
        self.done += n_bytes
        now = time.monotonic()
        if self._live and now - self._last_draw >= self.min_interval:
            self._last_draw = now
            self.stream.write("\r" + self.render())
            self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line."""
        self.stream.write(("\r" if self._live else "") + self.render() + "\n")
        self.stream.flush()
