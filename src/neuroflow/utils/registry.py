"""Name -> object resolution with helpful errors, shared by the `get()` functions."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, TypeVar

__all__ = ["resolve", "serialize_instance", "deserialize_config"]

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


def serialize_instance(obj: Any, base: type, module: str, caller: str) -> dict:
    """Keras' `{"module", "class_name", "config", "registered_name"}` dict for `obj`."""
    if not isinstance(obj, base):
        raise TypeError(
            f"{caller}: expected a {base.__name__} instance, received {type(obj).__name__}"
        )
    return {
        "module": module,
        "class_name": type(obj).__name__,
        "config": obj.get_config(),
        "registered_name": None,
    }


def deserialize_config(config: Any, table: Mapping[str, Any], kind: str, caller: str,
                       custom_objects: dict | None = None) -> Any:
    """Rebuild an object from a name or a `serialize_instance` dict, through `table`.

    A name builds the class with its defaults; a dict calls the class's `from_config`
    (or, for a factory function, calls it with the config as keyword arguments).
    """
    table = {**table, **(custom_objects or {})}
    if isinstance(config, str):
        return resolve(config, table, kind)()
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"{caller}: expected a name or a dict with 'class_name' and 'config', "
            f"received {config!r}"
        )
    obj = resolve(config["class_name"], table, kind)
    kwargs = dict(config.get("config") or {})
    if inspect.isclass(obj):
        return obj.from_config(kwargs)
    return obj(**kwargs)
