"""Activation layers with hyperparameters: ReLU, LeakyReLU, PReLU, ELU, Softmax.

Each one applies the function of `neuroflow.activations` (one definition of the math);
PReLU learns its negative slope, one per feature unless `shared_axes` share it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import activations, constraints, initializers, regularizers
from neuroflow.autodiff import math_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"]


def _non_negative(layer: Layer, arg: str, value: Any, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not value >= 0:
        raise ValueError(
            f"{type(layer).__name__} layer '{layer.name}': {arg} must be a non-negative "
            f"number{' or None' if allow_none else ''}, received {value!r}"
        )
    return float(value)


class _Elementwise(Layer):
    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)


class ReLU(_Elementwise):
    """max(x, 0), with `negative_slope` below `threshold` and an optional `max_value` cap."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.max_value = _non_negative(self, "max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative(self, "negative_slope", negative_slope)
        self.threshold = _non_negative(self, "threshold", threshold)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """x for x > 0, `negative_slope * x` otherwise (Keras' layer default: 0.3)."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any):
        if "alpha" in kwargs:  # the tf.keras 2 name
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(self, "negative_slope", negative_slope)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """x for x > 0, `alpha * (exp(x) - 1)` otherwise."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Tensor) -> Tensor:
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax along `axis` (an int or a list of ints); `call(inputs, mask)` gives masked
    positions (mask False) zero probability, as Keras does."""

    def __init__(self, axis: int | list = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is not None:
            keep = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            inputs = math_ops.add(inputs, Tensor(np.where(keep, 0.0, -1e9).astype(
                inputs.dtype)))
        if isinstance(self.axis, int):
            return activations.softmax(inputs, axis=self.axis)
        from neuroflow.autodiff import reduce_ops

        axes = tuple(self.axis)
        shifted = math_ops.subtract(inputs, Tensor(inputs.data.max(axis=axes, keepdims=True)))
        e = math_ops.exp(shifted)
        return math_ops.divide(e, reduce_ops.sum(e, axis=axes, keepdims=True))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class PReLU(_Elementwise):
    """Parametric ReLU: x for x >= 0, `alpha * x` otherwise, with `alpha` learned.

    `alpha` has the shape of one sample; axes in `shared_axes` (1-based, the batch axis
    excluded) share one value, e.g. `shared_axes=[1, 2]` for one slope per channel.
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (int, np.integer)):
            self.shared_axes = [int(shared_axes)]
        else:
            self.shared_axes = [int(a) for a in shared_axes]

    def build(self, input_shape: Any) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis <= len(shape):
                raise ValueError(
                    f"PReLU layer '{self.name}': shared_axes must be in 1..{len(shape)} for "
                    f"inputs of shape {tuple(input_shape)}, received {self.shared_axes}"
                )
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(
                f"PReLU layer '{self.name}': every axis but the batch axis must have a known "
                f"size (or be in shared_axes), received input shape {tuple(input_shape)}"
            )
        self.alpha = self.add_weight(shape=shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint, name="alpha")

    def call(self, inputs: Tensor) -> Tensor:
        positive = activations.relu(inputs)
        negative = activations.relu(math_ops.negative(inputs))
        return math_ops.subtract(positive, math_ops.multiply(self.alpha, negative))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
