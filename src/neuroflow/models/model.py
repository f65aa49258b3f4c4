"""Model: a Layer that can be trained (compile/fit/...), inspected and saved.

`Model(inputs=..., outputs=...)` builds a Functional model; subclassing `Model` and
writing `call` gives a subclassed model whose weights are tracked from its attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.layers.auto_config import auto_config
from neuroflow.layers.call_context import pop_training, push_training
from neuroflow.layers.layer import Layer
from neuroflow.trainers.trainer import Trainer

__all__ = ["Model", "register_exporter"]

# The function `Model.export` calls: neuroflow.export (which sits above models and knows
# their graphs) files its export_model here, through neuroflow/_builtins.
_EXPORTER: list[Callable[..., str]] = []


def register_exporter(exporter: Callable[..., str]) -> None:
    """Make `Model.export(filepath, **options)` call `exporter(model, filepath, **options)`."""
    _EXPORTER[:] = [exporter]


class Model(Trainer, Layer):
    """Groups layers into an object with training and inference features."""

    def __new__(cls, *args: Any, **kwargs: Any):
        if cls is Model and ("inputs" in kwargs or len(args) >= 2):
            from neuroflow.models.functional import Functional

            return Functional.__new__(Functional)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}: a subclassed Model takes no inputs/outputs; create "
                "layers in __init__ and use them in call(), or use Model(inputs=..., outputs=...)"
            )
        Layer.__init__(
            self,
            name=kwargs.pop("name", None),
            trainable=kwargs.pop("trainable", True),
            dtype=kwargs.pop("dtype", None),
            **kwargs,
        )
        self._init_trainer()

    def __call__(self, inputs, *args, training=None, **kwargs):
        if type(inputs) is np.ndarray and not (training or args or kwargs) and self.built:
            out = self._call_with_plan(inputs)  # inference on an array: the forward plan
            if out is not None:
                return out
        push_training(training)
        try:
            return Layer.__call__(self, inputs, *args, training=training, **kwargs)
        finally:
            pop_training()

    def call(self, inputs, training=None):
        raise NotImplementedError(
            f"Model '{self.name}' ({type(self).__name__}) has no call() method: subclasses of "
            "Model must implement call(self, inputs, training=None)"
        )

    # ---- structure ----------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The layers of the model, in the order they were set as attributes."""
        return [layer for layer in self._tracked_layers if type(layer).__name__ != "InputLayer"]

    @property
    def input(self):
        """The model's symbolic input (a list when it has several)."""
        inputs = getattr(self, "inputs", None)
        if inputs:
            return inputs[0] if len(inputs) == 1 else list(inputs)
        return Layer.input.fget(self)

    @property
    def output(self):
        """The model's symbolic output (a list when it has several)."""
        outputs = getattr(self, "outputs", None)
        if outputs:
            return outputs[0] if len(outputs) == 1 else list(outputs)
        return Layer.output.fget(self)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by its name or by its index in `layers`."""
        if index is not None and name is not None:
            raise ValueError("get_layer: give either name or index, not both")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"get_layer: index {index} is out of range for model '{self.name}' with "
                    f"{len(layers)} layers"
                )
            return layers[index]
        if name is None:
            raise ValueError("get_layer: give a layer name or an index")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name!r} in model '{self.name}'. Existing layers are: "
            f"{[layer.name for layer in layers]}"
        )

    def build(self, input_shape: Any = None) -> None:
        """Create the weights by calling the model on zeros of `input_shape`."""
        if input_shape is None:
            raise ValueError(f"Model '{self.name}': build() needs an input_shape")

        def zeros(shape):
            return np.zeros([1 if d is None else d for d in shape], dtype=self.dtype)

        if (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        ):
            probe = [zeros(s) for s in input_shape]
        elif isinstance(input_shape, dict):
            probe = {k: zeros(s) for k, s in input_shape.items()}
        else:
            probe = zeros(input_shape)
        self.built = True
        self._build_input_shape = input_shape
        try:
            self(probe, training=False)
        except Exception:
            self.built = False
            raise

    def build_from_config(self, config: dict) -> None:
        """Build for the recorded input shape by calling the model on zeros (see `build`)."""
        shape = config.get("input_shape")
        if shape is not None:
            self.build(shape)

    def _saveable_children(self) -> list[Layer]:
        """A model's weights are stored under its `layers`."""
        return list(self.layers)

    def summary(
        self,
        line_length: int | None = None,
        positions=None,
        print_fn=None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range=None,
    ) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        from neuroflow.models.sequential import Sequential
        from neuroflow.models.summary import print_summary

        if not self.built and not isinstance(self, Sequential):
            raise ValueError(
                f"Model '{self.name}' ({type(self).__name__}) has not been built yet, so its "
                "weights do not exist: call it on a batch of data, fit it, or call "
                "model.build(input_shape) before summary()"
            )
        print_summary(
            self,
            line_length=line_length,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
        )

    def get_config(self) -> dict:
        """The model's name and trainability; for a subclassed model that does not
        override `get_config`, also the plain arguments it was built with (Keras 3's
        automatic config), or a NotImplementedError saying why there are none."""
        config = {"name": self.name, "trainable": self.trainable}
        if type(self).get_config is Model.get_config and type(self).__init__ is not Model.__init__:
            return auto_config(self, config)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        try:
            return cls(**config)
        except TypeError as err:
            raise TypeError(
                "Unable to revive model from config. When overriding the `get_config()` "
                "method, make sure that the returned config contains all items used as "
                f"arguments in the constructor to {cls.__name__}, which is the default "
                "behavior. You can override this default behavior by defining a "
                f"`from_config(cls, config)` class method to specify how to create an "
                f"instance of {cls.__name__} from its config.\n\nReceived config={config}"
                f"\n\nError encountered during deserialization: {err}"
            ) from err

    # ---- saving (implemented in neuroflow.saving) ----------------------------------
    def save(self, filepath, overwrite: bool = True, **kwargs: Any) -> None:
        """Save architecture, weights and optimizer state (.keras zip or .h5)."""
        from neuroflow import saving

        saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, **kwargs: Any) -> None:
        """Save the weights only."""
        from neuroflow import saving

        saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, **kwargs: Any):
        """Load weights saved by save_weights (shapes must match)."""
        from neuroflow import saving

        return saving.load_weights(self, filepath, **kwargs)

    def export(self, filepath, format: str = "onnx", verbose: bool | None = None,  # noqa: A002
               input_signature: Any = None, opset_version: int | None = None) -> str:
        """Export the inference graph (Keras 3's `export`): "onnx" is the default and the
        only format; see neuroflow.export.export_model."""
        if not _EXPORTER:
            raise RuntimeError("Model.export: no exporter is registered; import neuroflow "
                               "(neuroflow.export registers it)")
        return _EXPORTER[0](self, filepath, format=format, verbose=verbose,
                            input_signature=input_signature, opset_version=opset_version)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as a JSON string (see neuroflow.models.model_from_json)."""
        from neuroflow import saving

        return saving.model_to_json(self, **kwargs)
