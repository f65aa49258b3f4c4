"""The limits loading enforces on a file, before it allocates anything the file asks for.

Defaults (each overridable per call of `load_model` / `load_weights`):

- `max_weights_bytes` (2 GiB): the weights a model's config may create while it is built;
  a bigger model is refused before its weights are allocated.
- weights read from a file must match the built model's shapes and dtypes, so they take
  no more than the model itself; the `.keras` weights member may inflate to at most
  `WEIGHTS_MEMBER_FACTOR` times the model's weights (its optimizer slots) plus 16 MiB.
- JSON (config, metadata): at most 64 MiB once decompressed, nested at most 100 deep.
- weights must be finite unless `allow_non_finite=True`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from neuroflow.saving.errors import FileFormatError

__all__ = ["LoadLimits", "parse_json", "weights_member_limit"]

DEFAULT_MAX_WEIGHTS_BYTES = 2 * 2**30
WEIGHTS_MEMBER_FACTOR = 5
_MEMBER_SLACK = 16 * 2**20


@dataclass(frozen=True)
class LoadLimits:
    """What a file may make loading allocate (see the module docstring)."""

    max_weights_bytes: int = DEFAULT_MAX_WEIGHTS_BYTES
    allow_non_finite: bool = False
    max_json_bytes: int = 64 * 2**20
    max_json_depth: int = 100

    def __post_init__(self) -> None:
        if not isinstance(self.max_weights_bytes, int) or self.max_weights_bytes < 0:
            raise ValueError("max_weights_bytes must be a non-negative int, received "
                             f"{self.max_weights_bytes!r}")


def weights_member_limit(model_bytes: int) -> int:
    """The most bytes a weights file for a model of `model_bytes` may inflate to."""
    return WEIGHTS_MEMBER_FACTOR * int(model_bytes) + _MEMBER_SLACK


def _depth(value: Any) -> int:
    """The nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in node)
    return deepest


def parse_json(raw: bytes | str, what: str, limits: LoadLimits) -> Any:
    """JSON from a file, refusing text that is too big or nested too deeply."""
    if len(raw) > limits.max_json_bytes:
        raise FileFormatError(f"{what} is larger than the limit of {limits.max_json_bytes:,} "
                              "bytes")
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FileFormatError(f"{what} is not valid JSON ({err})") from err
    except RecursionError as err:
        raise FileFormatError(f"{what} is nested too deeply to be a model file") from err
    if _depth(value) > limits.max_json_depth:
        raise FileFormatError(f"{what} is nested more than {limits.max_json_depth} levels "
                              "deep; no model config is")
    return value
