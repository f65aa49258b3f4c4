"""Names: the one `snake_case` (Keras' `to_snake_case`) and automatic, unique layer
names (dense, dense_1, dense_2, ... until clear_session())."""

from __future__ import annotations

import re
from collections import defaultdict

from neuroflow.backend.compat import register_clear_session_hook

__all__ = ["snake_case", "unique_name", "reset"]

_WORD = re.compile(r"(.)([A-Z][a-z]+)")
_CAP = re.compile(r"([a-z0-9])([A-Z])")
_counts: defaultdict[str, int] = defaultdict(int)


def snake_case(name: str) -> str:
    """'BatchNormalization' -> 'batch_normalization', 'MeanIoU' -> 'mean_io_u'."""
    return _CAP.sub(r"\1_\2", _WORD.sub(r"\1_\2", name)).lower()


def unique_name(base: str) -> str:
    """`base` the first time, then `base_1`, `base_2`, ..."""
    n = _counts[base]
    _counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def reset() -> None:
    """Forget every name given so far (the next Dense is 'dense' again)."""
    _counts.clear()


register_clear_session_hook(reset)
