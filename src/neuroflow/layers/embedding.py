"""Embedding: integer ids to learned dense vectors (a row lookup in a weight matrix)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import constraints, initializers, regularizers
from neuroflow.autodiff import shape_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["Embedding"]


def _positive_int(layer: Layer, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Embedding layer '{layer.name}': {arg} must be a positive integer, "
                         f"received {value!r}")
    return int(value)


class Embedding(Layer):
    """Map ids in [0, input_dim) to rows of an `(input_dim, output_dim)` matrix.

    Gradients reach only the rows that were looked up (repeated ids add up).
    `mask_zero=True` needs Keras' masks, which neuroflow does not propagate, so it is
    refused; `weights=[matrix]` sets the initial embeddings.
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, weights: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.input_dim = _positive_int(self, "input_dim", input_dim)
        self.output_dim = _positive_int(self, "output_dim", output_dim)
        if mask_zero:
            raise ValueError(f"Embedding layer '{self.name}': mask_zero=True needs masks "
                             "propagated between layers, which neuroflow does not do; use "
                             "mask_zero=False")
        self.mask_zero = False
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self._initial = None
        if weights is not None:
            self._initial = np.asarray(weights[0] if isinstance(weights, (list, tuple))
                                       else weights)
            if self._initial.shape != (self.input_dim, self.output_dim):
                raise ValueError(
                    f"Embedding layer '{self.name}': weights must be one array of shape "
                    f"{(self.input_dim, self.output_dim)}, received {self._initial.shape}")

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
            name="embeddings")
        if self._initial is not None:
            self.embeddings.assign(self._initial.astype(self.embeddings.dtype))

    def call(self, inputs: Any) -> Tensor:
        raw = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        ids = raw.astype(np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise ValueError(
                f"Embedding layer '{self.name}': ids must be in [0, {self.input_dim}), "
                f"received ids from {ids.min()} to {ids.max()}")
        return shape_ops.getitem(self.embeddings, ids)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self) -> dict:
        return {
            **super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
