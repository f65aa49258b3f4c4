"""The one nested-structure module: flatten, pack and map over lists, tuples and dicts.

One order everywhere, Keras 3's (`keras.tree`): list and tuple items in order, dict items
in sorted key order, so a structure and its flat list always line up, whoever built them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["flatten", "pack_sequence_as", "map_structure", "is_nested"]


def is_nested(structure: Any) -> bool:
    """True for a list, tuple or dict (which `flatten` walks into)."""
    return isinstance(structure, (list, tuple, dict))


def flatten(structure: Any) -> list:
    """The leaves of `structure`, depth first (dict values in sorted key order)."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack_sequence_as(structure: Any, flat: list) -> Any:
    """`flat` (as `flatten(structure)` orders it) back in the shape of `structure`; dicts
    keep their own key order."""
    leaves = iter(flat)

    def pack(node: Any) -> Any:
        if isinstance(node, dict):
            packed = {key: pack(node[key]) for key in sorted(node)}
            return {key: packed[key] for key in node}
        if isinstance(node, (list, tuple)):
            return type(node)(pack(item) for item in node)
        return next(leaves)

    out = pack(structure)
    if next(leaves, _END) is not _END:
        raise ValueError(f"pack_sequence_as: more values than the {len(flatten(structure))} "
                         "leaves of the structure")
    return out


_END = object()


def map_structure(fn: Callable[[Any], Any], structure: Any) -> Any:
    """`structure` with every leaf replaced by `fn(leaf)`."""
    return pack_sequence_as(structure, [fn(leaf) for leaf in flatten(structure)])
