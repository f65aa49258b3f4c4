"""Lambda: wrap a Python function of tensors as a layer (for in-memory models).

Its config names the function, never its code: loading resolves the name through the
`custom_objects` the loader passes (the user's own objects and the registry). A file
never brings code with it; the saving layer also refuses Lambda configs in safe mode.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from neuroflow.layers.layer import Layer

__all__ = ["Lambda"]


def _serialize_function(fn: Callable, layer_name: str) -> dict:
    name = getattr(fn, "__name__", None)
    if not name or name == "<lambda>":
        raise TypeError(
            f"Lambda layer '{layer_name}': a Python lambda cannot be saved (files never store "
            "code); use a named function and pass it to load_model(..., custom_objects="
            "{'name': function}) or register it with neuroflow.saving.register_serializable()"
        )
    return {"class_name": "function", "config": name}


def _deserialize_function(config: Any, layer_name: str, custom_objects: dict | None) -> Callable:
    if callable(config):
        return config
    if not isinstance(config, dict) or config.get("class_name") != "function":
        raise ValueError(f"Lambda layer '{layer_name}': cannot read function config {config!r}")
    name = config.get("config")
    fn = (custom_objects or {}).get(name)
    if fn is None or not callable(fn):
        raise ValueError(
            f"Lambda layer '{layer_name}': its function {name!r} is not among the custom "
            "objects; the file stores only the name, so pass custom_objects={"
            f"{name!r}: function}} to load_model or register the function"
        )
    return fn


class Lambda(Layer):
    """`Lambda(lambda x: x ** 2)`: a layer that applies `function(inputs, **arguments)`.

    `output_shape` (the shape without the batch axis, or a function of the input shape) is
    inferred by running the function on zeros when not given.
    """

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"Lambda layer '{self.name}': function must be callable, received "
                f"{type(function).__name__}"
            )
        self.function = function
        self.output_shape_arg = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        params = inspect.signature(function).parameters
        self._fn_takes_training = "training" in params
        self._fn_takes_mask = "mask" in params

    def call(self, inputs, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        spec = self.output_shape_arg
        if spec is None:
            return super().compute_output_shape(input_shape)
        if callable(spec):
            return spec(input_shape)
        batch = input_shape[0][0] if input_shape and isinstance(input_shape[0], (list, tuple)) \
            else input_shape[0]
        return (batch,) + tuple(spec)

    def get_config(self) -> dict:
        config = super().get_config()
        shape = self.output_shape_arg
        config.update(
            function=_serialize_function(self.function, self.name),
            output_shape=_serialize_function(shape, self.name) if callable(shape) else (
                None if shape is None else list(shape)),
            arguments=self.arguments,
        )
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Lambda:
        config = dict(config)
        name = config.get("name", "lambda")
        config["function"] = _deserialize_function(config["function"], name, custom_objects)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _deserialize_function(shape, name, custom_objects)
        return cls(**config)
