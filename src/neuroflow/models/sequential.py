"""Sequential: a plain stack of layers, each feeding the next."""

from __future__ import annotations

from typing import Any

from neuroflow.backend.keras_tensor import KerasTensor
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.layer import Layer
from neuroflow.models.legacy import SequentialLegacyMixin
from neuroflow.models.model import Model

__all__ = ["Sequential"]


class Sequential(SequentialLegacyMixin, Model):
    """`Sequential([Flatten(input_shape=[28, 28]), Dense(300, activation="relu"), ...])`."""

    def __init__(self, layers: list | None = None, trainable: bool = True, name: str | None = None):
        super().__init__(name=name, trainable=trainable)
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self.inputs: list[KerasTensor] = []
        self.outputs: list[KerasTensor] = []
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(
                f"Sequential: layers must be a list of layers, received {type(layers).__name__}"
            )
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or an `Input(...)` as the first item)."""
        if isinstance(layer, KerasTensor) and isinstance(
            getattr(layer.node, "layer", None), InputLayer
        ):
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential '{self.name}': only layers can be added, received {layer!r} "
                f"({type(layer).__name__})"
            )
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(
                    f"Sequential '{self.name}': an Input can only be the first item of the model"
                )
            self._input_layer = layer
        else:
            names = {existing.name for existing in self._layers}
            if layer.name in names:
                raise ValueError(
                    f"Sequential '{self.name}': all layers must have unique names; '{layer.name}' "
                    "is already in the model"
                )
            self._layers.append(layer)
            self._track(layer)
        self.built = False
        self._forget_caches()
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise IndexError(f"Sequential '{self.name}': there are no layers to pop")
        layer = self._layers.pop()
        self._tracked_layers.remove(layer)
        self.built = False
        self._forget_caches()
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _declared_input_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._layers and self._layers[0]._batch_input_shape is not None:
            return self._layers[0]._batch_input_shape
        return None

    def _maybe_rebuild(self) -> None:
        shape = self._declared_input_shape()
        if shape is not None and self._layers:
            self.build(shape)

    def build(self, input_shape: Any = None) -> None:
        """Build every layer for inputs of `input_shape` (batch axis included)."""
        if input_shape is None:
            input_shape = self._declared_input_shape()
        if input_shape is None:
            raise ValueError(
                f"Sequential '{self.name}': build() needs an input_shape, e.g. "
                "model.build((None, 28, 28)), or give input_shape= to the first layer"
            )
        if not self._layers:
            raise ValueError(f"Sequential '{self.name}' has no layers to build")
        batch_shape = (None,) + tuple(input_shape)[1:]
        source = self._input_layer
        if source is None or tuple(source.batch_shape)[1:] != batch_shape[1:]:
            # named after the first layer (as tf.keras did), so it survives save and load
            source = InputLayer(batch_shape=batch_shape, name=f"{self._layers[0].name}_input")
        x = source.output
        for layer in self._layers:
            x = layer(x)
        self.inputs = [source.output]
        self.outputs = [x]
        self.built = True
        self._build_input_shape = batch_shape

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    call.replays_layer_graph = True  # the trainer may cache its forward plan

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def output_names(self) -> list[str]:
        return [self._layers[-1].name] if self._layers else ["output"]

    @property
    def input_shape(self):
        shape = self._declared_input_shape() or self._build_input_shape
        if shape is None:
            raise AttributeError(
                f"Sequential '{self.name}' has no input shape yet: it is not built"
            )
        return tuple(shape)

    @property
    def output_shape(self):
        if not self.outputs:
            raise AttributeError(
                f"Sequential '{self.name}' has no output shape yet: it is not built"
            )
        return self.outputs[0].shape

    def get_config(self) -> dict:
        from neuroflow.saving.serialization import serialize_layer

        layers = [serialize_layer(layer) for layer in self._layers]
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        shape = self._declared_input_shape() or self._build_input_shape
        if shape is not None:
            config["build_input_shape"] = list(shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from neuroflow.saving.serialization import deserialize_layer

        layers = [deserialize_layer(c, custom_objects=custom_objects) for c in config["layers"]]
        model = cls(layers, name=config.get("name"), trainable=config.get("trainable", True))
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
