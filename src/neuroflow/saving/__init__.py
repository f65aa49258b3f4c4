"""Saving and loading: `.keras` archives, `.h5` files, weights files, JSON, the registry.

Loading never executes code from a file: configs name only built-in neuroflow objects
and registered classes, and every write is atomic (temporary file, then rename).
"""

from neuroflow.backend._registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    register_serializable,
)
from neuroflow.saving import atomic
from neuroflow.saving.errors import FileFormatError, SaveError, UnsafeConfigError
from neuroflow.saving.file_editor import KerasFileEditor
from neuroflow.saving.limits import LoadLimits
from neuroflow.saving.model_config import model_from_json, model_to_json
from neuroflow.saving.saving_api import load_model, load_weights, save_model, save_weights
from neuroflow.saving.serialization import (
    deserialize_keras_object,
    deserialize_object,
    serialize_keras_object,
    serialize_object,
)

__all__ = [
    "save_model", "load_model", "save_weights", "load_weights", "model_to_json",
    "model_from_json", "register_serializable", "register_keras_serializable",
    "get_registered_name", "get_registered_object", "CustomObjectScope",
    "custom_object_scope", "serialize_object", "deserialize_object",
    "serialize_keras_object", "deserialize_keras_object", "FileFormatError",
    "UnsafeConfigError", "SaveError", "LoadLimits", "atomic", "get_custom_objects",
    "KerasFileEditor",
]
