"""Lambda: wrap a Python function of tensors as a layer (for in-memory models).

Its config stores the function: a module-level function by module and name, a lambda
as Python bytecode. Loading such code is the saving layer's decision: it refuses Lambda
configs in safe mode (see neuroflow.saving.object_registry.UNSAFE_CLASS_NAMES).
"""

from __future__ import annotations

import base64
import importlib
import inspect
import marshal
import types
from collections.abc import Callable
from typing import Any

from neuroflow.layers.layer import Layer

__all__ = ["Lambda"]


def _serialize_function(fn: Callable) -> dict:
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", None)
    if name and name != "<lambda>" and module and "<locals>" not in fn.__qualname__:
        return {"class_name": "function", "config": name, "module": module}
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    return {"class_name": "__lambda__",
            "config": {"code": code, "defaults": fn.__defaults__,
                       "closure": [c.cell_contents for c in fn.__closure__ or ()]}}


def _deserialize_function(config: Any, layer_name: str) -> Callable:
    if callable(config):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Lambda layer '{layer_name}': cannot read function config {config!r}")
    if config["class_name"] == "function":
        module = importlib.import_module(config["module"])
        return getattr(module, config["config"])
    inner = config["config"]
    code = marshal.loads(base64.b64decode(inner["code"]))
    closure = tuple(types.CellType(v) for v in inner.get("closure") or ())
    defaults = tuple(inner["defaults"]) if inner.get("defaults") else None
    return types.FunctionType(code, globals(), code.co_name, defaults, closure or None)


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
            function=_serialize_function(self.function),
            output_shape=_serialize_function(shape) if callable(shape) else (
                None if shape is None else list(shape)),
            arguments=self.arguments,
        )
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Lambda:
        config = dict(config)
        name = config.get("name", "lambda")
        config["function"] = _deserialize_function(config["function"], name)
        shape = config.get("output_shape")
        if isinstance(shape, dict):
            config["output_shape"] = _deserialize_function(shape, name)
        return cls(**config)
