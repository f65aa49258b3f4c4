"""Automatic configs: the constructor arguments an object was built with, when plain.

Keras 3 lets a subclassed layer or model save without a hand-written `get_config`: the
arguments given to `__init__` (with its defaults filled in) are its config, provided
every one of them is a plain value (str, int, float, bool, None, or lists, tuples and
dicts of them). `capture` records them when the object is created; `auto_config`
hands them back, or raises Keras' NotImplementedError saying why it cannot.
"""

from __future__ import annotations

import copy
import inspect
import textwrap
from typing import Any

__all__ = ["capture", "accepts", "auto_config", "PLAIN_TYPES"]

PLAIN_TYPES = (str, int, float, bool, type(None))

# why no config could be captured
NON_PLAIN = "non_plain"
POSITIONAL = "positional"

_SIGNATURES: dict[type, inspect.Signature | None] = {}

_EXAMPLE = """
class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({
            "arg1": self.arg1,
            "arg2": self.arg2,
        })
        return config"""


def _signature(cls: type) -> inspect.Signature | None:
    if cls not in _SIGNATURES:
        try:
            _SIGNATURES[cls] = inspect.signature(cls.__init__)
        except (TypeError, ValueError):
            _SIGNATURES[cls] = None
    return _SIGNATURES[cls]


def _plain(value: Any) -> bool:
    if isinstance(value, PLAIN_TYPES):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def capture(cls: type, args: tuple, kwargs: dict) -> tuple[dict | None, str | None]:
    """(config, None) for plain constructor arguments, else (None, why)."""
    sig = _signature(cls)
    if sig is None:
        return None, NON_PLAIN
    try:
        bound = sig.bind(None, *args, **kwargs)
    except TypeError:
        return None, NON_PLAIN  # __init__ will raise its own error
    params = list(sig.parameters.values())[1:]
    if any(p.kind is p.POSITIONAL_ONLY for p in params):
        return None, POSITIONAL
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(sig.parameters)))  # self
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            arguments.update(arguments.pop(p.name, {}))
        elif p.kind is p.VAR_POSITIONAL and arguments.pop(p.name, ()):
            return None, POSITIONAL
    arguments.pop("name", None)  # get_config gives the name
    if not all(_plain(v) for v in arguments.values()):
        return None, NON_PLAIN
    return copy.deepcopy(arguments), None


def accepts(cls: type, key: str) -> bool:
    """Whether `cls(**{key: ...})` is possible (a named parameter or **kwargs)."""
    sig = _signature(cls)
    if sig is None:
        return True
    return key in sig.parameters or any(
        p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


def auto_config(obj: Any, base: dict) -> dict:
    """`base` (name, trainable, ...) merged with the captured arguments of `obj`.

    Keys of `base` that `type(obj).__init__` cannot take are dropped. Raises Keras'
    NotImplementedError when the arguments were not plain values.
    """
    captured = getattr(obj, "_auto_config", None)
    if captured is None:
        name = type(obj).__name__
        if getattr(obj, "_auto_config_error", None) == POSITIONAL:
            why = (f"Object {name} was created by passing positional only or variadic "
                   "positional arguments (e.g., `*args`) to `__init__()`, which is not "
                   "supported by the automatic config generation. Please remove all "
                   "positional only and variadic arguments from `__init__()` or override "
                   "`get_config()` and `from_config()` to make the object serializable.")
        else:
            why = (f"Object {name} was created by passing non-serializable argument values "
                   "in `__init__()`, and therefore the object must override `get_config()` "
                   "in order to be serializable. Please implement `get_config()`.")
        raise NotImplementedError(f"{why}\n\nExample:\n{textwrap.indent(_EXAMPLE, '    ')}")
    config = copy.deepcopy(captured)
    config.update({k: v for k, v in base.items() if accepts(type(obj), k)})
    return config
