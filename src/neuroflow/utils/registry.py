"""Name -> object resolution with helpful errors, shared by the `get()` functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["resolve"]

T = TypeVar("T")


def resolve(identifier: str, table: Mapping[str, T], kind: str) -> T:
    """Look `identifier` up in `table`, exactly first, then ignoring case.

    Raises a ValueError that names the `kind` of object (e.g. 'optimizer') and lists
    the valid names when nothing matches.
    """
    if not isinstance(identifier, str):
        raise TypeError(
            f"Expected the name of a {kind} as a string, received {type(identifier).__name__}"
        )
    if identifier in table:
        return table[identifier]
    folded = identifier.lower()
    for name, obj in table.items():
        if name.lower() == folded:
            return obj
    valid = ", ".join(sorted(table))
    raise ValueError(f"Unknown {kind}: {identifier!r}. Valid ones are: {valid}")
