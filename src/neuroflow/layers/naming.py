"""Automatic, unique layer names: dense, dense_1, dense_2, ... until clear_session()."""

from __future__ import annotations

from collections import defaultdict

from neuroflow.backend import register_clear_session_hook

_counts: defaultdict[str, int] = defaultdict(int)


def unique_name(base: str) -> str:
    """`base` the first time, then `base_1`, `base_2`, ..."""
    n = _counts[base]
    _counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def reset() -> None:
    """Forget every name given so far (the next Dense is 'dense' again)."""
    _counts.clear()


register_clear_session_hook(reset)
