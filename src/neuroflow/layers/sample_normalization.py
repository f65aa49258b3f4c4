"""Per-sample normalizations: LayerNormalization, RMSNormalization, UnitNormalization.

Unlike BatchNormalization they use each sample's own statistics over `axis`, so they
behave the same in training and inference. The math is composed from autodiff ops,
so gradients flow through the statistics too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import constraints, initializers, regularizers
from neuroflow.autodiff import math_ops, reduce_ops, shape_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["LayerNormalization", "RMSNormalization", "UnitNormalization"]


def _axes(layer: Layer, axis: Any, ndim: int) -> tuple[int, ...]:
    """`axis` (an int or a list of ints) as sorted non-negative axes of an ndim input."""
    items = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = []
    for a in items:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(
                f"{type(layer).__name__} layer '{layer.name}': axis must hold integers in "
                f"[{-ndim}, {ndim}) for inputs of rank {ndim}, received axis={axis!r}"
            )
        out.append(int(a) % ndim)
    if 0 in out and ndim > 1:
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}': cannot normalize "
                         f"over the batch axis, received axis={axis!r}")
    return tuple(sorted(set(out)))


def _param_shape(input_shape: Any, axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(input_shape[a]) for a in axes)


def _broadcast(param: Tensor, axes: tuple[int, ...], ndim: int) -> Tensor:
    """A weight over `axes` reshaped to broadcast against an ndim input."""
    shape = [1] * ndim
    for a, d in zip(axes, param.shape, strict=True):
        shape[a] = d
    return shape_ops.reshape(param, tuple(shape))


class _SampleNorm(Layer):
    def __init__(self, axis: Any = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self._axes: tuple[int, ...] | None = None

    def _resolve(self, input_shape: Any) -> tuple[int, ...]:
        self._axes = _axes(self, self.axis, len(input_shape))
        if any(input_shape[a] is None for a in self._axes):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': the normalized axes {self.axis} "
                f"must have known sizes, received input shape {tuple(input_shape)}"
            )
        return self._axes

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)


class LayerNormalization(_SampleNorm):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta`, statistics over `axis` per sample."""

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any):
        super().__init__(axis=axis, **kwargs)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def build(self, input_shape: Any) -> None:
        shape = _param_shape(input_shape, self._resolve(input_shape))
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, name="gamma")
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, name="beta")

    def call(self, inputs: Tensor) -> Tensor:
        axes, ndim = self._axes, inputs.ndim
        mean = reduce_ops.mean(inputs, axis=axes, keepdims=True)
        centered = math_ops.subtract(inputs, mean)
        var = reduce_ops.mean(math_ops.square(centered), axis=axes, keepdims=True)
        out = math_ops.multiply(centered, math_ops.power(math_ops.add(var, self.epsilon), -0.5))
        if self.gamma is not None:
            out = math_ops.multiply(out, _broadcast(self.gamma, axes, ndim))
        if self.beta is not None:
            out = math_ops.add(out, _broadcast(self.beta, axes, ndim))
        return out

    def get_config(self) -> dict:
        return {
            **super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


class RMSNormalization(_SampleNorm):
    """`x / sqrt(mean(x**2) + epsilon) * scale`, over `axis` per sample; `scale` is learned."""

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any):
        super().__init__(axis=axis, **kwargs)
        self.epsilon = float(epsilon)

    def build(self, input_shape: Any) -> None:
        shape = _param_shape(input_shape, self._resolve(input_shape))
        self.scale = self.add_weight(shape=shape, initializer="ones", name="scale")

    def call(self, inputs: Tensor) -> Tensor:
        ms = reduce_ops.mean(math_ops.square(inputs), axis=self._axes, keepdims=True)
        out = math_ops.multiply(inputs, math_ops.power(math_ops.add(ms, self.epsilon), -0.5))
        return math_ops.multiply(out, _broadcast(self.scale, self._axes, inputs.ndim))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


class UnitNormalization(_SampleNorm):
    """Scale each sample to unit L2 norm over `axis` (no weights)."""

    def build(self, input_shape: Any) -> None:
        self._resolve(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        square_sum = reduce_ops.sum(math_ops.square(inputs), axis=self._axes, keepdims=True)
        # rsqrt(max(sum, 1e-24)) == min(rsqrt(sum), 1 / 1e-12): Keras' epsilon, no inf
        inv = math_ops.power(math_ops.maximum(square_sum, 1e-24), -0.5)
        return math_ops.multiply(inputs, inv)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
