"""Weight regularizers: callables `reg(x) -> scalar Tensor` built from autodiff ops.

The penalty is differentiable with respect to `x`, so adding it to the loss makes its
gradient flow into the weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.autodiff import math_ops, reduce_ops
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor
from neuroflow.backend import _registry
from neuroflow.backend._registry import deserialize_config, serialize_instance

__all__ = [
    "Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
    "orthogonal_regularizer", "get", "serialize", "deserialize",
]


def _factor(value: Any, name: str, owner: str) -> float:
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(
            f"{owner}: expected `{name}` to be a non-negative float, received {value!r}"
        )
    return float(value)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


class Regularizer:
    """Base class: subclasses implement `__call__(x)` and `get_config()`."""

    def __call__(self, x) -> Tensor:
        raise NotImplementedError(
            f"Regularizer {type(self).__name__} must implement __call__(x)"
        )

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        """Rebuild a regularizer from the output of `get_config()`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x**2)`; both factors default to 0."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x) -> Tensor:
        x = _as_tensor(x)
        penalty = convert_to_tensor(np.zeros((), dtype=x.dtype))
        if self.l1:
            penalty = penalty + self.l1 * reduce_ops.sum(math_ops.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * reduce_ops.sum(math_ops.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _factor(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, x) -> Tensor:
        return self.l1 * reduce_ops.sum(math_ops.abs(_as_tensor(x)))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """`l2 * sum(x**2)`."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _factor(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x) -> Tensor:
        return self.l2 * reduce_ops.sum(math_ops.square(_as_tensor(x)))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards being mutually orthogonal.

    The penalty is `factor * 0.5 * sum(|off-diagonal cosines|) / number of pairs`, the
    cosines being the dot products of the L2-normalized rows (mode='rows') or columns.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _factor(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "OrthogonalRegularizer: expected `mode` to be 'rows' or 'columns', "
                f"received {mode!r}"
            )
        self.mode = mode

    def __call__(self, x) -> Tensor:
        x = _as_tensor(x)
        if x.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer: expected a rank-2 weight, received shape {x.shape}"
            )
        axis = 1 if self.mode == "rows" else 0
        sq = reduce_ops.sum(math_ops.square(x), axis=axis, keepdims=True)
        unit = x / math_ops.sqrt(math_ops.maximum(sq, 1e-12))
        product = unit @ unit.T if self.mode == "rows" else unit.T @ unit
        size = x.shape[0] if self.mode == "rows" else x.shape[1]
        if size < 2:
            return convert_to_tensor(np.zeros((), dtype=x.dtype))
        off_diagonal = 1.0 - np.eye(size, dtype=x.dtype)
        pairs = size * (size - 1) / 2.0
        total = reduce_ops.sum(math_ops.abs(product * off_diagonal))
        return total * (self.factor * 0.5 / pairs)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """An `L1L2` regularizer whose factors default to 0.01 (the string 'l1_l2')."""
    return L1L2(l1=l1, l2=l2)


# Keras 3 exposes these snake_case names as aliases of the classes.
l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS: dict[str, Callable] = {
    "L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer,
    "l1": L1, "l2": L2, "l1_l2": l1_l2, "l1l2": l1_l2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer: Regularizer | None) -> dict | None:
    """`{"class_name", "config", ...}` for a regularizer instance (None for None)."""
    if regularizer is None:
        return None
    return serialize_instance(regularizer, Regularizer, "keras.regularizers",
                              "regularizers.serialize")


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Regularizer:
    """Rebuild a regularizer from `serialize()` output or from a bare name."""
    return deserialize_config(config, ALL_OBJECTS, "regularizer", "regularizers.deserialize",
                              custom_objects)


def get(identifier: Any) -> Callable | None:
    """A regularizer from None, a name, a config dict, an instance, a class or a callable."""
    return _registry.get(identifier, deserialize, "regularizer")
