"""Pipeline: preprocessing layers applied one after the other, as one layer (Keras 3).
Unlike Sequential it is not a model: no weights of its own, no compile or fit."""

from __future__ import annotations

from typing import Any

from neuroflow.layers.layer import Layer

__all__ = ["Pipeline"]


class Pipeline(Layer):
    """Calls each of `layers` on the previous one's output (with `training` for layers
    that take it)."""

    def __init__(self, layers: list, name: str | None = None):
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer)
                                                            for x in layers):
            raise ValueError(f"Pipeline '{self.name}': layers must be a list of layers, "
                             f"received {layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return list(self._pipeline_layers)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # each inner layer converts (or not) its own inputs, so raw arrays pass through
        self.built = True
        return self.call(inputs, *args, **kwargs)

    def call(self, inputs: Any, training: bool | None = True) -> Any:
        for layer in self._pipeline_layers:
            if layer._call_accepts_training and training is not None:
                inputs = layer(inputs, training=training)
            else:
                inputs = layer(inputs)
        return inputs

    def get_config(self) -> dict:
        from neuroflow.saving.serialization import serialize_layer

        return {"layers": [serialize_layer(x) for x in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Pipeline:
        from neuroflow.saving.serialization import deserialize_layer

        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("Pipeline config must contain a 'layers' key mapping to a list "
                             f"of serialized layers, received layers={layers!r}")
        return cls([deserialize_layer(x, custom_objects=custom_objects) for x in layers],
                   name=config.get("name"))
