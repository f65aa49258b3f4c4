"""Objects <-> JSON-able configs, resolved only through the object registry.

A serialized object is `{"class_name": ..., "config": {...}, "registered_name": ...}`
(plus `"build_config"` for built layers). Objects are reached only through Keras 3's
protocols: `get_config`/`from_config`, and `get_build_config`/`build_from_config` for
layers and models (whatever has them is serialized as one), so this module imports no
layer or model. Functions are
`{"class_name": "function", "config": name}`, arrays `{"class_name": "__numpy__", ...}`.
Loading checks the whole config before creating anything: names that are neither
built-in nor registered, foreign module paths, attempts to set `safe_mode`, and (in safe
mode) Lambda layers are refused with an UnsafeConfigError.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from neuroflow.backend._registry import (
    UNSAFE_CLASS_NAMES,
    family_of,
    get_registered_name,
    resolve_class,
    resolve_function,
    user_objects,
)
from neuroflow.saving.errors import UnsafeConfigError

__all__ = [
    "serialize_object", "deserialize_object", "serialize_layer", "deserialize_layer",
    "check_config", "safe_mode_scope", "in_safe_mode",
    "serialize_keras_object", "deserialize_keras_object",
]

_local = threading.local()
_ALLOWED_MODULE_PREFIXES = ("neuroflow", "keras")
_BAD_DTYPE_KINDS = "OVSUMm"


# ---- safe mode ----------------------------------------------------------------------------
def in_safe_mode() -> bool:
    """Whether loading currently refuses Lambda layers (True unless a caller said otherwise)."""
    stack = getattr(_local, "safe_mode", None)
    return stack[-1] if stack else True


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool | None) -> Iterator[None]:
    """Run nested deserialization with `safe_mode` (None keeps the current setting)."""
    if not hasattr(_local, "safe_mode"):
        _local.safe_mode = []
    _local.safe_mode.append(in_safe_mode() if safe_mode is None else bool(safe_mode))
    try:
        yield
    finally:
        _local.safe_mode.pop()


# ---- serialize ----------------------------------------------------------------------------
def _has_build_state(obj: Any) -> bool:
    """A layer or model: it saves and restores what it was built for (Keras 3's protocol)."""
    return hasattr(obj, "get_build_config") and hasattr(obj, "build_from_config")


def _is_function(obj: Any) -> bool:
    return inspect.isfunction(obj) or inspect.isbuiltin(obj) or inspect.ismethod(obj)


def serialize_object(obj: Any) -> Any:
    """A JSON-able config for `obj` (numbers, strings, lists, dicts, arrays, functions and
    objects with `get_config`)."""
    from neuroflow.autodiff.tensor import Tensor

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.dtype):
        return str(obj)
    if isinstance(obj, Tensor):
        obj = obj.data
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (list, tuple)):
        return [serialize_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_object(v) for k, v in obj.items()}
    if _has_build_state(obj):
        return serialize_layer(obj)
    if _is_function(obj):
        name = get_registered_name(obj)
        if name == "<lambda>":
            raise TypeError("Cannot serialize a Python lambda: use a named function, "
                            "registered with neuroflow.saving.register_serializable()")
        return {"class_name": "function", "config": name,
                "registered_name": name if ">" in name else None}
    if inspect.isclass(obj):
        raise TypeError(f"Cannot serialize the class {obj.__name__} itself: serialize an "
                        "instance")
    if hasattr(obj, "get_config"):
        registered = get_registered_name(type(obj))
        out = {"class_name": type(obj).__name__,
               "config": serialize_object(obj.get_config()),
               "registered_name": registered if ">" in registered else None}
        family = family_of(type(obj))
        if family is not None:
            out["module"] = family
        return out
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: give it a "
                    "get_config() method and register it with "
                    "neuroflow.saving.register_serializable()")


def _shape_to_json(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {k: _shape_to_json(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_shape_to_json(s) for s in shape]
    dims = [None if d is None else int(d) for d in shape]
    return [None] + dims[1:] if dims else dims


def _shape_from_json(shape: Any) -> Any:
    if isinstance(shape, dict):
        return {k: _shape_from_json(v) for k, v in shape.items()}
    if isinstance(shape, list) and shape and isinstance(shape[0], (list, dict)):
        return [_shape_from_json(s) for s in shape]
    return tuple(shape)


def serialize_layer(layer: Any) -> dict:
    """The config of a layer or model, with its class name and the shape it was built for."""
    registered = get_registered_name(type(layer))
    out: dict[str, Any] = {
        "class_name": type(layer).__name__,
        "config": serialize_object(layer.get_config()),
        "registered_name": registered if ">" in registered else None,
    }
    build_config = layer.get_build_config()
    if build_config is not None and build_config.get("input_shape") is not None:
        out["build_config"] = {"input_shape": _shape_to_json(build_config["input_shape"])}
    return out


serialize_keras_object = serialize_object


# ---- safety check -------------------------------------------------------------------------
def check_config(config: Any, safe_mode: bool | None = None,
                 custom_objects: dict | None = None, where: str = "config") -> None:
    """Refuse (UnsafeConfigError) a config that names anything loading may not create."""
    safe = in_safe_mode() if safe_mode is None else bool(safe_mode)
    _check(config, safe, custom_objects, where)


def _check(node: Any, safe: bool, custom_objects: dict | None, where: str) -> None:
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check(item, safe, custom_objects, f"{where}[{i}]")
        return
    if not isinstance(node, dict):
        return
    if "safe_mode" in node:
        raise UnsafeConfigError(f"{where}: the file tries to set 'safe_mode'; a file can "
                                "never change safe mode, so it is refused")
    module = node.get("module")
    if module is not None and not _allowed_module(module) and not _names_user_object(
            node, custom_objects):
        named = node.get("config") if node.get("class_name") == "function" else \
            node.get("class_name")
        raise UnsafeConfigError(f"{where}: refers to {named!r} of module {module!r}; a config "
                                "may only name neuroflow objects and registered classes")
    if "class_name" in node:
        _check_object(node, safe, custom_objects, where)
    for key, value in node.items():
        _check(value, safe, custom_objects, f"{where}.{key}")


def _allowed_module(module: Any) -> bool:
    return isinstance(module, str) and (
        module == "builtins" or module.split(".")[0] in _ALLOWED_MODULE_PREFIXES)


def _names_user_object(node: dict, custom_objects: dict | None) -> bool:
    """True when the object is one the user vouched for (registered or custom_objects);
    its module field is then only a label, never imported."""
    user = user_objects(custom_objects)
    if node.get("class_name") == "function":
        return isinstance(node.get("config"), str) and node["config"] in user
    return any(isinstance(k, str) and k in user
               for k in (node.get("registered_name"), node.get("class_name")))


def _check_object(node: dict, safe: bool, custom_objects: dict | None, where: str) -> None:
    class_name = node["class_name"]
    if not isinstance(class_name, str):
        raise UnsafeConfigError(f"{where}: 'class_name' must be a string, received "
                                f"{class_name!r}")
    if class_name == "__numpy__":
        dtype = (node.get("config") or {}).get("dtype")
        try:
            kind = np.dtype(dtype).kind
        except TypeError as err:
            raise UnsafeConfigError(f"{where}: invalid array dtype {dtype!r}") from err
        if kind in _BAD_DTYPE_KINDS:
            raise UnsafeConfigError(f"{where}: arrays of dtype {dtype!r} are not allowed")
        return
    if class_name in ("__tuple__", "__keras_tensor__"):  # structure / a Functional graph edge
        return
    if class_name == "function":
        name = node.get("config")
        if not isinstance(name, str) or resolve_function(name, custom_objects) is None:
            raise UnsafeConfigError(
                f"{where}: unknown function {name!r}; a config may only name built-in "
                "neuroflow functions and functions registered with "
                "neuroflow.saving.register_serializable() or passed in custom_objects"
            )
        return
    registered = node.get("registered_name")
    if registered is not None and not isinstance(registered, str):
        raise UnsafeConfigError(f"{where}: 'registered_name' must be a string, received "
                                f"{registered!r}")
    cls = resolve_class(class_name, registered, custom_objects, _module(node))
    if cls is None:
        shown = registered if registered not in (None, class_name) else class_name
        raise UnsafeConfigError(
            f"{where}: unknown class {shown!r}; it is neither a built-in neuroflow object "
            "nor a class registered with neuroflow.saving.register_serializable(). Register "
            "it, or pass custom_objects={'" + str(shown) + "': TheClass}"
        )
    if safe and (class_name in UNSAFE_CLASS_NAMES and cls.__name__ in UNSAFE_CLASS_NAMES):
        raise UnsafeConfigError(
            f"{where}: the file holds a {class_name} layer, which can run arbitrary code and "
            "is refused in safe mode. If you trust this file, load it with safe_mode=False "
            "(its function must then be given in custom_objects)"
        )


# ---- deserialize --------------------------------------------------------------------------
def _call_from_config(cls: type, config: dict, custom_objects: dict | None) -> Any:
    if not isinstance(config, dict):
        raise ValueError(f"the config of {cls.__name__} must be a dict, received "
                         f"{type(config).__name__}")
    try:
        params = inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        params = {}
    if "custom_objects" in params:
        return cls.from_config(config, custom_objects=user_objects(custom_objects))
    return cls.from_config(config)


def _decode(node: Any, custom_objects: dict | None, full: bool) -> Any:
    """Arrays, tuples, functions and user objects inside a config; built-in object dicts
    stay dicts unless `full` (layers read those with their own `get`)."""
    if isinstance(node, list):
        return [_decode(x, custom_objects, full) for x in node]
    if not isinstance(node, dict):
        return node
    class_name = node.get("class_name")
    if isinstance(class_name, str) and "config" in node:
        if class_name == "__numpy__":
            cfg = node["config"]
            return np.asarray(cfg["value"], dtype=cfg["dtype"])
        if class_name == "__tuple__":
            return tuple(_decode(x, custom_objects, full) for x in node["config"]["value"])
        if class_name == "function":
            return resolve_function(node["config"], custom_objects)
        if full or _is_user_non_layer(node, custom_objects):
            return _deserialize(node, custom_objects)
    return {k: _decode(v, custom_objects, full) for k, v in node.items()}


def _module(node: dict) -> str | None:
    """The config's `module` when it is a string (it only picks a family of built-ins)."""
    module = node.get("module")
    return module if isinstance(module, str) else None


def _is_user_non_layer(node: dict, custom_objects: dict | None) -> bool:
    """A user object other than a layer (nested layer configs are left to the layer's
    own from_config, which calls deserialize_layer)."""
    user = user_objects(custom_objects)
    obj = user.get(node.get("registered_name")) or user.get(node["class_name"])
    return obj is not None and not (inspect.isclass(obj) and _has_build_state(obj))


def _deserialize(node: dict, custom_objects: dict | None) -> Any:
    cls = resolve_class(node["class_name"], node.get("registered_name"), custom_objects,
                        _module(node))
    if cls is None:  # checked before; kept as a second line of defence
        raise UnsafeConfigError(f"unknown class {node['class_name']!r}")
    if _has_build_state(cls):
        return _deserialize_layer(cls, node, custom_objects)
    config = _decode(node.get("config") or {}, custom_objects, full=True)
    return _call_from_config(cls, config, custom_objects)


def deserialize_object(config: Any, custom_objects: dict | None = None,
                       safe_mode: bool | None = None) -> Any:
    """Rebuild what `serialize_object` wrote; names resolve only through the registry."""
    with safe_mode_scope(safe_mode):
        check_config(config, custom_objects=custom_objects)
        return _decode(config, custom_objects, full=True)


deserialize_keras_object = deserialize_object


def _user_strings(config: dict, custom_objects: dict | None) -> dict:
    """Replace string arguments (e.g. activation='my_act') that name user functions."""
    user = user_objects(custom_objects)
    out = {}
    for key, value in config.items():
        if key not in ("name", "dtype") and isinstance(value, str) and value in user \
                and not inspect.isclass(user[value]):
            value = user[value]
        out[key] = value
    return out


def _deserialize_layer(cls: type, node: dict, custom_objects: dict | None) -> Any:
    config = node.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"the config of layer class {cls.__name__} must be a dict, received "
                         f"{type(config).__name__}")
    config = _user_strings(_decode(config, custom_objects, full=False), custom_objects)
    try:
        layer = _call_from_config(cls, config, custom_objects)
    except TypeError as err:
        raise TypeError(f"Could not rebuild layer {config.get('name')!r} of class "
                        f"{cls.__name__} from its config: {err}") from err
    shape = (node.get("build_config") or {}).get("input_shape")
    if shape is not None and not layer.built:
        layer.build_from_config({"input_shape": _shape_from_json(shape)})
    return layer


def deserialize_layer(config: dict, custom_objects: dict | None = None,
                      safe_mode: bool | None = None) -> Any:
    """A layer (or model) from `serialize_layer` output."""
    if _has_build_state(config) and not isinstance(config, dict):
        return config
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError("deserialize_layer: expected a dict with 'class_name' and 'config', "
                         f"received {config!r}")
    with safe_mode_scope(safe_mode):
        check_config(config, custom_objects=custom_objects)
        cls = resolve_class(config["class_name"], config.get("registered_name"), custom_objects)
        if cls is None or not _has_build_state(cls):
            raise UnsafeConfigError(f"{config['class_name']!r} is not a layer class")
        return _deserialize_layer(cls, config, custom_objects)
