"""`get_custom_objects()` (Keras 3): the global table of user objects that configs may
name, as a live dict: `get_custom_objects()["MyLayer"] = MyLayer` makes "MyLayer"
loadable, as `register_keras_serializable` does (which files it as "package>name")."""

from __future__ import annotations

from typing import Any

from neuroflow.saving import object_registry

__all__ = ["get_custom_objects"]


def get_custom_objects() -> dict[str, Any]:
    """The global dict of registered objects (edit it to register or forget names)."""
    return object_registry._REGISTERED
