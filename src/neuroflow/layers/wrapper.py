"""Wrapper: a layer that wraps another one (Keras 3), its config carrying the inner
layer's; SpectralNormalization is one."""

from __future__ import annotations

from typing import Any

from neuroflow.layers.layer import Layer

__all__ = ["Wrapper"]


class Wrapper(Layer):
    """Base of the layers that wrap `layer` (which it builds on its first input)."""

    def __init__(self, layer: Layer, **kwargs: Any):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: expected a layer to wrap, received "
                             f"{type(layer).__name__}: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        self.layer._maybe_build(input_shape)
        self.built = True

    def get_config(self) -> dict:
        from neuroflow.saving.serialization import serialize_layer

        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Wrapper:
        from neuroflow.saving.serialization import deserialize_layer

        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
