"""Reshape, RepeatVector and Permute (Flatten lives in core)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow.autodiff import shape_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["Reshape", "RepeatVector", "Permute"]


def _int_tuple(value: Any, layer: Layer, arg: str) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value,)
    try:
        return tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{type(layer).__name__} layer '{layer.name}': {arg} must be a tuple of integers, "
            f"received {value!r}"
        ) from None


class Reshape(Layer):
    """Reshape each sample to `target_shape` (the batch axis excluded); one entry may be -1."""

    def __init__(self, target_shape: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.target_shape = _int_tuple(target_shape, self, "target_shape")
        if sum(d == -1 for d in self.target_shape) > 1 or any(
                d == 0 or d < -1 for d in self.target_shape):
            raise ValueError(
                f"Reshape layer '{self.name}': target_shape must hold positive sizes and at "
                f"most one -1, received {self.target_shape}"
            )

    def _resolve(self, sample_shape: tuple) -> tuple:
        if any(d is None for d in sample_shape):
            if -1 in self.target_shape:
                return tuple(None if d == -1 else d for d in self.target_shape)
            return self.target_shape
        size = math.prod(sample_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                self._size_error(sample_shape)
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            self._size_error(sample_shape)
        return self.target_shape

    def _size_error(self, sample_shape: tuple):
        raise ValueError(
            f"Reshape layer '{self.name}': cannot reshape samples of shape {sample_shape} "
            f"({math.prod(sample_shape)} values) to target_shape {self.target_shape}"
        )

    def call(self, inputs: Tensor) -> Tensor:
        target = self._resolve(tuple(inputs.shape[1:]))
        return shape_ops.reshape(inputs, (inputs.shape[0],) + target)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = list(self.target_shape)
        return config


class RepeatVector(Layer):
    """Repeat a (batch, features) input `n` times: output (batch, n, features)."""

    def __init__(self, n: int, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(
                f"RepeatVector layer '{self.name}': n must be a positive integer, received {n!r}"
            )
        self.n = int(n)

    def _check(self, shape: tuple) -> None:
        if len(shape) != 2:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"2 axes (batch, features), received input of shape {shape}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        self._check(tuple(inputs.shape))
        expanded = shape_ops.expand_dims(inputs, 1)
        return shape_ops.concatenate([expanded] * self.n, axis=1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        self._check(tuple(input_shape))
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config["n"] = self.n
        return config


class Permute(Layer):
    """Permute the non-batch axes: `Permute((2, 1))` swaps axes 1 and 2 (1-based dims)."""

    def __init__(self, dims: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.dims = _int_tuple(dims, self, "dims")
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                f"Permute layer '{self.name}': dims must be a permutation of 1..{len(self.dims)} "
                f"(the batch axis 0 excluded), received {self.dims}"
            )

    def _check(self, shape: tuple) -> None:
        if len(shape) != len(self.dims) + 1:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: dims "
                f"{self.dims} need inputs of {len(self.dims) + 1} axes, received input of "
                f"shape {shape}"
            )

    def call(self, inputs: Tensor) -> Tensor:
        self._check(tuple(inputs.shape))
        return shape_ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        self._check(tuple(input_shape))
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self) -> dict:
        config = super().get_config()
        config["dims"] = list(self.dims)
        return config
