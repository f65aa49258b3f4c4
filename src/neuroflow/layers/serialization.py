"""`layers.serialize` / `layers.deserialize` (Keras 3): a layer's config with its class
name, and back, through the one layer serializer in `saving.serialization`."""

from __future__ import annotations

from neuroflow.layers.layer import Layer

__all__ = ["serialize", "deserialize"]


def serialize(layer: Layer) -> dict:
    """`{"class_name", "config", "registered_name", "build_config"}` of `layer`."""
    from neuroflow.saving.serialization import serialize_layer

    if not isinstance(layer, Layer):
        raise TypeError(f"layers.serialize: expected a layer, received "
                        f"{type(layer).__name__}: {layer!r}")
    return serialize_layer(layer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Layer:
    """The layer `serialize` described (classes only from the registry and
    `custom_objects`: no code is loaded from a config)."""
    from neuroflow.saving.serialization import deserialize_layer

    return deserialize_layer(config, custom_objects=custom_objects)
