"""Small layers with no weights: Identity, ActivityRegularization, Rescaling."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import regularizers
from neuroflow.autodiff import math_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["Identity", "ActivityRegularization", "Rescaling"]


class _SameShape(Layer):
    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class Identity(_SameShape):
    """Return the inputs unchanged (a placeholder, e.g. where a block is switched off)."""

    def call(self, inputs: Any) -> Any:
        return inputs


class ActivityRegularization(_SameShape):
    """Pass the inputs through and add `(l1 * sum|x| + l2 * sum x**2) / batch_size` to the
    training loss (Keras 3 divides every activity penalty by the batch size)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.l1 = float(l1)
        self.l2 = float(l2)
        self._penalty = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def call(self, inputs: Tensor) -> Tensor:
        if self.l1 or self.l2:
            self._add_activity_loss(self._penalty, inputs)
        return inputs

    def get_config(self) -> dict:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}


class Rescaling(_SameShape):
    """`inputs * scale + offset` (e.g. `Rescaling(1 / 255)` for pixel values); `scale`
    and `offset` may be numbers or lists broadcast against the inputs."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            try:
                np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise ValueError(
                    f"Rescaling layer '{self.name}': {arg} must be a number or a list of "
                    f"numbers, received {value!r}"
                ) from None
        self.scale = scale
        self.offset = offset

    def _constant(self, value: Any, like: Tensor) -> Any:
        if isinstance(value, (int, float)):
            return float(value)
        return Tensor(np.asarray(value, dtype=like.dtype))

    def call(self, inputs: Tensor) -> Tensor:
        out = math_ops.multiply(inputs, self._constant(self.scale, inputs))
        return math_ops.add(out, self._constant(self.offset, inputs))

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
