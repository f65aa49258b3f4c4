"""A model's architecture and compile settings as a JSON-able config, and back."""

from __future__ import annotations

import json
import warnings
from typing import Any

from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.serialization import (
    check_config,
    deserialize_layer,
    safe_mode_scope,
    serialize_layer,
)

__all__ = ["model_config", "compile_config", "model_from_config", "model_to_json",
           "model_from_json"]


def compile_config(model: Any) -> dict | None:
    """The model's `get_compile_config()`, or None (with a warning) when it cannot be saved."""
    try:
        config = model.get_compile_config()
    except (TypeError, NotImplementedError) as err:
        warnings.warn(f"Model '{model.name}': the compile settings cannot be saved ({err}); "
                      "the model will load uncompiled", stacklevel=3)
        return None
    return config


def model_config(model: Any, include_optimizer: bool = True) -> dict:
    """`serialize_layer(model)` plus, when compiled, its `compile_config`."""
    config = serialize_layer(model)
    if include_optimizer:
        compiled = compile_config(model)
        if compiled is not None:
            config["compile_config"] = compiled
    return config


def compile_from_config(model: Any, config: dict, custom_objects: dict | None) -> None:
    """Compile `model` with the settings `compile_config` recorded."""
    model.compile_from_config(config, custom_objects=custom_objects)


def model_from_config(config: Any, custom_objects: dict | None = None, compile: bool = True,
                      safe_mode: bool = True, source: str = "config") -> Any:
    """Rebuild (and, when recorded and asked, compile) a model from `model_config` output."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise FileFormatError(f"{source}: expected a model config (a dict with 'class_name' "
                              f"and 'config'), received {type(config).__name__}")
    with safe_mode_scope(safe_mode):
        check_config(config, custom_objects=custom_objects, where=source)
        layer_config = {k: v for k, v in config.items() if k != "compile_config"}
        model = deserialize_layer(layer_config, custom_objects=custom_objects)
        if not hasattr(model, "build_from_config") or not hasattr(model, "compile"):
            raise FileFormatError(f"{source}: holds a {type(model).__name__}, not a model")
        compiled = config.get("compile_config")
        if compile and compiled:
            compile_from_config(model, compiled, custom_objects)
    return model


def model_to_json(model: Any, **kwargs: Any) -> str:
    """The architecture of `model` as a JSON string (no weights, no compile settings)."""
    return json.dumps(serialize_layer(model), **kwargs)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """A new (untrained) model from `model.to_json()` output; always in safe mode."""
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"model_from_json: the string is not valid JSON: {err}") from err
    return model_from_config(config, custom_objects=custom_objects, compile=False,
                             safe_mode=True, source="model_from_json")
