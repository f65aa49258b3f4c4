"""Dense, Flatten and Activation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow import activations, constraints, initializers, regularizers
from neuroflow.autodiff import nn_ops, shape_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["Dense", "Flatten", "Activation"]

_LINEAR = nn_ops.KERNELS["linear"]


class Dense(Layer):
    """`activation(inputs @ kernel + bias)`; kernel of shape (input_dim, units)."""

    def __init__(
        self,
        units: int,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(
                f"Dense '{self.name}': units must be a positive integer, received {units!r}"
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self._kernel_fn = activations.kernel_for(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        if isinstance(input_shape, list):
            raise TypeError(
                f"Dense '{self.name}' takes a single input tensor, received a list of "
                f"{len(input_shape)} inputs of shapes {input_shape}"
            )
        self._check_input_shape(input_shape)
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(
                f"Dense '{self.name}': the last axis of the input must be known to build the "
                f"layer, received input shape {tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(int(in_dim), self.units),
            initializer=self.kernel_initializer,
            name="kernel",
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=self.bias_initializer,
                name="bias",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        kernel = self.kernel
        if not isinstance(inputs, Tensor):
            raise TypeError(
                f"Dense '{self.name}' takes a single input tensor, received "
                f"{type(inputs).__name__}"
            )
        self._check_input_shape(inputs.data.shape)
        fused = self._kernel_fn
        if fused is None:
            out = self.activation(nn_ops.dense(inputs, kernel, self.bias, _LINEAR))
        elif fused.name in ("softmax", "sigmoid"):
            logits = nn_ops.dense(inputs, kernel, self.bias, _LINEAR)
            out = nn_ops.activation(logits, fused)
            out._keras_logits = logits
        else:
            out = nn_ops.dense(inputs, kernel, self.bias, fused)
        if self.activity_regularizer is not None:
            self._add_activity_loss(self.activity_regularizer, out)
        return out

    def _check_input_shape(self, shape) -> None:
        """Dense's one input check, for building, eager calls and symbolic calls alike: a
        batch axis and a feature axis, the feature axis of the kernel's size once built
        (None, unknown, passes on symbolic inputs)."""
        shape = tuple(shape)
        if self.kernel is None:
            if len(shape) < 2:
                raise ValueError(
                    f"Dense '{self.name}' expects inputs with a batch axis and a feature axis "
                    f"(at least 2 axes), received input of shape {shape}"
                )
        elif len(shape) < 2 or shape[-1] not in (None, self.kernel.shape[0]):
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected the "
                f"last axis of the input to have size {self.kernel.shape[0]} (and a batch axis "
                f"before it), received input of shape {shape}"
            )

    def compute_output_shape(self, input_shape):
        self._check_input_shape(input_shape)
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
            bias_regularizer=regularizers.serialize(self.bias_regularizer),
            activity_regularizer=regularizers.serialize(self.activity_regularizer),
            kernel_constraint=constraints.serialize(self.kernel_constraint),
            bias_constraint=constraints.serialize(self.bias_constraint),
        )
        return config


class Flatten(Layer):
    """Flatten every axis but the batch axis: (batch, 28, 28) -> (batch, 784)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim == 2:
            return inputs
        return shape_ops.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if any(d is None for d in rest):
            return (input_shape[0], None)
        return (input_shape[0], int(math.prod(rest)))

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Activation(Layer):
    """Apply an activation function: `Activation('relu')`."""

    def __init__(self, activation: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._kernel_fn = activations.kernel_for(self.activation)

    def call(self, inputs: Tensor) -> Tensor:
        if self._kernel_fn is not None and self._kernel_fn.name in ("softmax", "sigmoid"):
            out = nn_ops.activation(inputs, self._kernel_fn)
            out._keras_logits = inputs
            return out
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
