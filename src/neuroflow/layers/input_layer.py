"""`Input(shape=...)` and the InputLayer that marks where a model's data enters."""

from __future__ import annotations

import warnings
from typing import Any

from neuroflow import backend
from neuroflow.layers.layer import Layer, as_shape

__all__ = ["InputLayer", "Input"]


class InputLayer(Layer):
    """The entry point of a model: holds the input shape and produces a KerasTensor."""

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        batch_shape: Any = None,
        name: str | None = None,
        input_shape: Any = None,
        batch_input_shape: Any = None,
        **kwargs: Any,
    ):
        kwargs.pop("sparse", None)
        kwargs.pop("ragged", None)
        if input_shape is not None:
            warnings.warn(
                "InputLayer: input_shape= is the tf.keras 2 spelling; the newer one is shape=",
                DeprecationWarning, stacklevel=2,
            )
        if shape is None:
            shape = input_shape
        if batch_shape is None:
            batch_shape = batch_input_shape
        if shape is None and batch_shape is None:
            raise ValueError("InputLayer: give `shape` (without the batch axis) or `batch_shape`")
        if batch_shape is None:
            batch_shape = (batch_size,) + as_shape(shape, "Input: shape")
        super().__init__(name=name, dtype=dtype or backend.floatx(), **kwargs)
        self.batch_shape = as_shape(batch_shape, "Input: batch_shape")
        self._batch_input_shape = self.batch_shape
        self.built = True
        from neuroflow.backend.keras_tensor import KerasTensor, Node

        node = Node(self, (), (), {})
        node.outputs = KerasTensor(self.batch_shape, dtype=self.dtype, name=self.name, node=node)
        self._inbound_nodes.append(node)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return self.batch_shape

    def get_config(self) -> dict:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "name": self.name}


def Input(  # noqa: N802 - Keras' spelling
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    name: str | None = None,
    batch_shape: Any = None,
    **kwargs: Any,
) -> Any:
    """A symbolic input tensor of `shape` (the batch axis excluded) for building models."""
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        batch_shape=batch_shape,
        name=name,
        **kwargs,
    )
    return layer.output
