"""The object registry: which names a config may use, and what they resolve to.

A config can only name built-in neuroflow objects (looked up at call time from the
public exports of neuroflow.layers, losses, metrics, optimizers, ...) and objects the
user registered with `register_serializable` or passed as `custom_objects`. Nothing is
ever imported from a module path found in a file.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "register_serializable", "register_keras_serializable", "get_registered_name",
    "get_registered_object", "custom_object_scope", "CustomObjectScope",
    "builtin_class", "builtin_function", "resolve_class", "resolve_function", "family_of",
    "UNSAFE_CLASS_NAMES",
]

# Classes whose configs can carry code; refused in safe mode.
UNSAFE_CLASS_NAMES = frozenset({"Lambda"})

_REGISTERED: dict[str, Any] = {}
_REGISTERED_NAMES: dict[int, str] = {}
_local = threading.local()


def _scopes() -> list[dict]:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator that registers a class or function so that configs can name it.

    The registered name is `"package>name"` (name defaults to the object's `__name__`);
    a class must implement `get_config()`.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_serializable: package must be a string without '>', "
                         f"received {package!r}")

    def decorator(obj: Any) -> Any:
        obj_name = name or getattr(obj, "__name__", None)
        if not obj_name:
            raise ValueError(f"register_serializable: cannot find a name for {obj!r}; "
                             "pass name=")
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_serializable: class {obj.__name__} must implement "
                             "get_config() to be serializable")
        key = f"{package}>{obj_name}"
        previous = _REGISTERED.get(key)
        if previous is not None and previous is not obj and (
            getattr(previous, "__qualname__", None) != getattr(obj, "__qualname__", None)
            or getattr(previous, "__module__", None) != getattr(obj, "__module__", None)
        ):
            raise ValueError(f"register_serializable: the name {key!r} is already registered "
                             f"to {previous!r}")
        if previous is not None:
            _REGISTERED_NAMES.pop(id(previous), None)
        _REGISTERED[key] = obj
        _REGISTERED_NAMES[id(obj)] = key
        return obj

    return decorator


register_keras_serializable = register_serializable


def get_registered_name(obj: Any) -> str:
    """The registered `"package>name"` of `obj`, else its `__name__`."""
    key = _REGISTERED_NAMES.get(id(obj))
    if key is not None and _REGISTERED.get(key) is obj:
        return key
    return getattr(obj, "__name__", type(obj).__name__)


def _user_objects(custom_objects: dict | None) -> dict[str, Any]:
    """custom_objects given now, then the active scopes, then the registered objects."""
    table: dict[str, Any] = dict(_REGISTERED)
    for key, obj in list(_REGISTERED.items()):
        table.setdefault(key.split(">", 1)[-1], obj)  # get_custom_objects() may hold bare names
    for scope in _scopes():
        table.update(scope)
    table.update(custom_objects or {})
    return table


def get_registered_object(name: str, custom_objects: dict | None = None) -> Any | None:
    """A user object (custom_objects, scopes, registry) by name, or None."""
    return _user_objects(custom_objects).get(name)


class CustomObjectScope:
    """`with CustomObjectScope({"MyLayer": MyLayer}): ...` makes names loadable inside."""

    def __init__(self, *custom_objects: dict):
        self.custom_objects: dict[str, Any] = {}
        for objects in custom_objects:
            if objects:
                self.custom_objects.update(objects)

    def __enter__(self) -> CustomObjectScope:
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes().pop()


@contextlib.contextmanager
def custom_object_scope(*custom_objects: dict) -> Iterator[CustomObjectScope]:
    """Context manager form of `CustomObjectScope`."""
    with CustomObjectScope(*custom_objects) as scope:
        yield scope


# ---- built-in objects, looked up at call time -------------------------------------------
_NOT_OBJECTS = frozenset({"get", "serialize", "deserialize", "kernel_for", "resolve"})


def _exports(module_name: str) -> list[tuple[str, Any]]:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return []
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return [(n, getattr(module, n)) for n in names if n not in _NOT_OBJECTS and hasattr(module, n)]


def _base(module_name: str, attr: str) -> type | None:
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError):
        return None


_CLASS_SOURCES = (
    ("neuroflow.layers", "neuroflow.layers.layer", "Layer"),
    ("neuroflow.models", "neuroflow.layers.layer", "Layer"),
    ("neuroflow.models.functional", "neuroflow.layers.layer", "Layer"),
    ("neuroflow.losses", "neuroflow.losses.loss", "Loss"),
    ("neuroflow.metrics", "neuroflow.metrics", "Metric"),
    ("neuroflow.optimizers", "neuroflow.optimizers.base", "Optimizer"),
    ("neuroflow.optimizers.schedules", "neuroflow.optimizers.schedules", "LearningRateSchedule"),
    ("neuroflow.initializers", "neuroflow.initializers", "Initializer"),
    ("neuroflow.regularizers", "neuroflow.regularizers", "Regularizer"),
    ("neuroflow.constraints", "neuroflow.constraints", "Constraint"),
)

_FUNCTION_SOURCES = ("neuroflow.losses.functions", "neuroflow.losses", "neuroflow.metrics",
                     "neuroflow.activations")


def family_of(cls: type) -> str | None:
    """Keras' `module` for a built-in class ("keras.initializers", ...), else None.

    Configs carry it because class names repeat across families (the Identity layer and the
    Identity initializer); it only selects a family below, it is never imported.
    """
    for module_name, base_module, base_name in _CLASS_SOURCES:
        base = _base(base_module, base_name)
        if base is not None and issubclass(cls, base) and builtin_class(cls.__name__) is not None:
            if any(obj is cls for _, obj in _exports(module_name)):
                return "keras." + module_name.split(".", 1)[1]
    return None


def builtin_class(name: str, module: str | None = None) -> type | None:
    """The built-in neuroflow class exported under `name` (layers, models, losses, ...);
    `module` ("keras.initializers", as `family_of` gives) looks in that family first."""
    sources = _CLASS_SOURCES
    if isinstance(module, str) and "." in module:
        family = "neuroflow." + module.split(".", 1)[1]
        sources = tuple(sorted(_CLASS_SOURCES, key=lambda source: source[0] != family))
    for module_name, base_module, base_name in sources:
        base = _base(base_module, base_name)
        if base is None:
            continue
        for export, obj in _exports(module_name):
            if export == name and inspect.isclass(obj) and issubclass(obj, base):
                return obj
    return None


def builtin_function(name: str) -> Callable | None:
    """The built-in loss, metric or activation function exported under `name`."""
    for module_name in _FUNCTION_SOURCES:
        for export, obj in _exports(module_name):
            if export == name and inspect.isfunction(obj):
                return obj
    return None


def resolve_class(class_name: str, registered_name: str | None = None,
                  custom_objects: dict | None = None, module: str | None = None) -> type | None:
    """The class a config names: user objects first, then built-ins (of `module`'s family
    first); None if unknown."""
    user = _user_objects(custom_objects)
    for key in (registered_name, class_name):
        if isinstance(key, str) and inspect.isclass(user.get(key)):
            return user[key]
    if registered_name not in (None, class_name):
        return None
    return builtin_class(class_name, module)


def resolve_function(name: str, custom_objects: dict | None = None) -> Callable | None:
    """The function a config names: user objects first, then built-ins; None if unknown."""
    obj = _user_objects(custom_objects).get(name)
    if obj is not None and callable(obj) and not inspect.isclass(obj):
        return obj
    return builtin_function(name)
