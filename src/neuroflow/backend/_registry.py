"""The one object registry: which names a config or a `get()` may use, and what they are.

Built-in objects come from the families (layers, losses, metrics, optimizers, ...), which
file themselves here when they are imported (`register_family`); user objects come from
`register_serializable`, `get_custom_objects()`, `CustomObjectScope` and the
`custom_objects` a caller passes. Nothing is ever imported from a module path found in a
file: this module imports no family, the families register downwards into it.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any, TypeVar

__all__ = [
    "register_serializable", "register_keras_serializable", "get_registered_name",
    "get_registered_object", "get_custom_objects", "custom_object_scope",
    "CustomObjectScope", "user_objects", "register_family", "register_functions",
    "builtin_families", "builtin_class", "builtin_function", "family_of", "resolve_class",
    "resolve_function", "resolve", "serialize_instance", "deserialize_config", "get",
    "UNSAFE_CLASS_NAMES",
]

T = TypeVar("T")

# Classes whose configs can carry code; refused in safe mode.
UNSAFE_CLASS_NAMES = frozenset({"Lambda"})

_REGISTERED: dict[str, Any] = {}
_REGISTERED_NAMES: dict[int, str] = {}
_local = threading.local()


# ---- user objects -----------------------------------------------------------------------
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


def get_custom_objects() -> dict[str, Any]:
    """Keras 3's global table of user objects, as a live dict: `get_custom_objects()
    ["MyLayer"] = MyLayer` makes "MyLayer" loadable (as `register_serializable` does,
    which files it as "package>name")."""
    return _REGISTERED


def user_objects(custom_objects: dict | None = None) -> dict[str, Any]:
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
    return user_objects(custom_objects).get(name)


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


# ---- built-in objects, filed by their families ------------------------------------------
# Keras' `module` labels in lookup order: class names repeat across families (the Identity
# layer and the Identity initializer, the MeanSquaredError loss and metric), so the order
# in which a bare class name is looked up is fixed here, not by import order.
_FAMILY_ORDER = (
    "keras.layers", "keras.models", "keras.models.functional", "keras.losses",
    "keras.metrics", "keras.optimizers", "keras.optimizers.schedules",
    "keras.initializers", "keras.regularizers", "keras.constraints",
)
_FUNCTION_ORDER = ("keras.losses.functions", "keras.losses", "keras.metrics",
                   "keras.activations")
_NOT_OBJECTS = frozenset({"get", "serialize", "deserialize", "kernel_for", "resolve"})
_FAMILIES: dict[str, tuple[type, ModuleType]] = {}
_FUNCTIONS: dict[str, ModuleType] = {}


def _checked_label(label: str, order: tuple[str, ...], caller: str) -> str:
    if label not in order:
        raise ValueError(f"{caller}: unknown family {label!r}; expected one of {order}")
    return label


def register_family(label: str, base: type, module: ModuleType) -> None:
    """File the public classes of `module` (its `__all__`, read at lookup time) that
    subclass `base` as the built-ins of family `label` ("keras.layers", ...)."""
    _FAMILIES[_checked_label(label, _FAMILY_ORDER, "register_family")] = (base, module)


def register_functions(label: str, module: ModuleType) -> None:
    """File the public functions of `module` as built-in functions of family `label`."""
    _FUNCTIONS[_checked_label(label, _FUNCTION_ORDER, "register_functions")] = module


def _exports(module: ModuleType) -> list[tuple[str, Any]]:
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return [(n, getattr(module, n)) for n in names if n not in _NOT_OBJECTS and hasattr(module, n)]


def builtin_families() -> list[tuple[str, type, list[tuple[str, Any]]]]:
    """(label, base class, exported (name, object) pairs) of every registered family, in
    lookup order."""
    return [(label, *_FAMILIES[label][:1], _exports(_FAMILIES[label][1]))
            for label in _FAMILY_ORDER if label in _FAMILIES]


def family_of(cls: type) -> str | None:
    """Keras' `module` for a built-in class ("keras.initializers", ...), else None.

    Configs carry it because class names repeat across families; it only selects a family
    below, it is never imported.
    """
    for label, base, exports in builtin_families():
        if issubclass(cls, base) and builtin_class(cls.__name__) is not None:
            if any(obj is cls for _, obj in exports):
                return label
    return None


def builtin_class(name: str, module: str | None = None) -> type | None:
    """The built-in class exported under `name` (layers, models, losses, ...); `module`
    ("keras.initializers", as `family_of` gives) looks in that family first."""
    families = builtin_families()
    if isinstance(module, str) and "." in module:
        families.sort(key=lambda family: family[0] != module)
    for _, base, exports in families:
        for export, obj in exports:
            if export == name and inspect.isclass(obj) and issubclass(obj, base):
                return obj
    return None


def builtin_function(name: str) -> Callable | None:
    """The built-in loss, metric or activation function exported under `name`."""
    for label in _FUNCTION_ORDER:
        if label in _FUNCTIONS:
            for export, obj in _exports(_FUNCTIONS[label]):
                if export == name and inspect.isfunction(obj):
                    return obj
    return None


def resolve_class(class_name: str, registered_name: str | None = None,
                  custom_objects: dict | None = None, module: str | None = None) -> type | None:
    """The class a config names: user objects first, then built-ins (of `module`'s family
    first); None if unknown."""
    user = user_objects(custom_objects)
    for key in (registered_name, class_name):
        if isinstance(key, str) and inspect.isclass(user.get(key)):
            return user[key]
    if registered_name not in (None, class_name):
        return None
    return builtin_class(class_name, module)


def resolve_function(name: str, custom_objects: dict | None = None) -> Callable | None:
    """The function a config names: user objects first, then built-ins; None if unknown."""
    obj = user_objects(custom_objects).get(name)
    if obj is not None and callable(obj) and not inspect.isclass(obj):
        return obj
    return builtin_function(name)


# ---- the family get/serialize/deserialize helpers ---------------------------------------
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


def get(identifier: Any, deserialize: Callable[[Any], Any], kind: str) -> Any:
    """The families' `get`: None stays None, a name or a config dict is deserialized, a
    class is instantiated with its defaults, and any other callable is returned as is."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")
