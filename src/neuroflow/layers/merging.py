"""Merging layers: combine a list of tensors into one (Concatenate, Add, Dot, ...).

Each layer has a functional twin (`concatenate([a, b])`, `add([a, b])`, ...). Both work
on symbolic inputs (recording a node of a Functional graph) and on concrete tensors
(inside a subclassed model's `call`), where the function skips creating a layer.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np

from neuroflow.autodiff import math_ops, reduce_ops, shape_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.backend.keras_tensor import is_symbolic, register_operator
from neuroflow.layers.layer import Layer, to_tensor

__all__ = [
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
    "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot",
]


def _as_input_list(layer_name: str, cls_name: str, inputs: Any) -> list:
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"{cls_name} layer '{layer_name}' should be called on a list of inputs, received "
            f"a single {type(inputs).__name__}"
        )
    return list(inputs)


def _is_shape_list(input_shape: Any) -> bool:
    return isinstance(input_shape, (list, tuple)) and bool(input_shape) and all(
        isinstance(s, (list, tuple)) for s in input_shape)


def _broadcast_dims(a, b):
    """Broadcast one axis pair; None (unknown) stays None unless the other side decides."""
    if a is None or b is None:
        other = b if a is None else a
        return None if other in (None, 1) else other
    if a == b or b == 1:
        return a
    if a == 1:
        return b
    raise ValueError(f"sizes {a} and {b} cannot be broadcast together")


class Merge(Layer):
    """Base of the merging layers: `call` receives a list of tensors."""

    min_inputs = 1
    max_inputs: int | None = None

    def _check_shapes(self, input_shape: Any) -> list[tuple]:
        if not _is_shape_list(input_shape):
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' should be called on a list of "
                f"inputs, received input shape {input_shape}"
            )
        shapes = [tuple(s) for s in input_shape]
        n = len(shapes)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            want = (f"exactly {self.min_inputs}" if self.min_inputs == self.max_inputs
                    else f"at least {self.min_inputs}")
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}' should be called on a list of "
                f"{want} inputs, received {n} input(s) of shapes {shapes}"
            )
        return shapes

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        _as_input_list(self.name, type(self).__name__, inputs)
        return super().__call__(inputs, *args, **kwargs)


class _ElementWise(Merge):
    """Element-wise merge of inputs whose shapes broadcast together."""

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = self._check_shapes(input_shape)
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + s for s in shapes]
        out = list(padded[0])
        for s in padded[1:]:
            try:
                out = [_broadcast_dims(a, b) for a, b in zip(out, s, strict=False)]
            except ValueError:
                raise ValueError(
                    f"{type(self).__name__} layer '{self.name}' needs inputs of the same shape "
                    f"(or shapes that broadcast together), received inputs of shapes {shapes}"
                ) from None
        if shapes and all(s and s[0] is None for s in shapes):
            out[0] = None
        return tuple(out)

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def call(self, inputs: list) -> Tensor:
        return self._merge(list(inputs))


def _sum(tensors: list[Tensor]) -> Tensor:
    return reduce(math_ops.add, tensors)


def _product(tensors: list[Tensor]) -> Tensor:
    return reduce(math_ops.multiply, tensors)


def _average(tensors: list[Tensor]) -> Tensor:
    return math_ops.multiply(_sum(tensors), 1.0 / len(tensors))


def _maximum(tensors: list[Tensor]) -> Tensor:
    return reduce(math_ops.maximum, tensors)


def _minimum(tensors: list[Tensor]) -> Tensor:
    return reduce(math_ops.minimum, tensors)


def _difference(tensors: list[Tensor]) -> Tensor:
    return math_ops.subtract(tensors[0], tensors[1])


class Add(_ElementWise):
    """Element-wise sum of a list of inputs of the same shape."""

    def _merge(self, tensors):
        return _sum(tensors)


class Subtract(_ElementWise):
    """`inputs[0] - inputs[1]` for exactly two inputs of the same shape."""

    min_inputs = max_inputs = 2

    def _merge(self, tensors):
        return _difference(tensors)


class Multiply(_ElementWise):
    """Element-wise product of a list of inputs of the same shape."""

    def _merge(self, tensors):
        return _product(tensors)


class Average(_ElementWise):
    """Element-wise mean of a list of inputs of the same shape."""

    def _merge(self, tensors):
        return _average(tensors)


class Maximum(_ElementWise):
    """Element-wise maximum of a list of inputs of the same shape."""

    def _merge(self, tensors):
        return _maximum(tensors)


class Minimum(_ElementWise):
    """Element-wise minimum of a list of inputs of the same shape."""

    def _merge(self, tensors):
        return _minimum(tensors)


class Concatenate(Merge):
    """Join inputs along `axis` (default -1); the other axes must match."""

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(
                f"Concatenate layer '{self.name}': axis must be an integer, received {axis!r}"
            )
        self.axis = int(axis)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = self._check_shapes(input_shape)
        ranks = {len(s) for s in shapes}
        rank = len(shapes[0])
        if len(ranks) != 1 or not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate layer '{self.name}' (axis={self.axis}) needs inputs of the same "
                f"rank with that axis, received inputs of shapes {shapes}"
            )
        ax = self.axis % rank
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s, strict=False)):
                if i == ax:
                    continue
                if a is not None and b is not None and a != b:
                    raise ValueError(
                        f"Concatenate layer '{self.name}' requires inputs with matching shapes "
                        f"except for the concatenation axis {self.axis}, received inputs of "
                        f"shapes {shapes}"
                    )
                out[i] = a if a is not None else b
        sizes = [s[ax] for s in shapes]
        out[ax] = None if any(d is None for d in sizes) else int(sum(sizes))
        return tuple(out)

    def call(self, inputs: list) -> Tensor:
        return shape_ops.concatenate(list(inputs), axis=self.axis)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    sq = reduce_ops.sum(math_ops.square(x), axis=axis, keepdims=True)
    return math_ops.divide(x, math_ops.sqrt(math_ops.maximum(sq, 1e-12)))


def _batch_dot(x: Tensor, y: Tensor, ax: int, ay: int) -> Tensor:
    """Per-sample dot product of `x` and `y` along axes `ax`/`ay` (batch axis 0 kept)."""
    xr, yr = x.ndim, y.ndim
    x_rest = [d for i, d in enumerate(x.shape) if i not in (0, ax)]
    y_rest = [d for i, d in enumerate(y.shape) if i not in (0, ay)]
    xt = shape_ops.transpose(x, [0] + [i for i in range(1, xr) if i != ax] + [ax])
    yt = shape_ops.transpose(y, [0, ay] + [i for i in range(1, yr) if i != ay])
    b, n = x.shape[0], x.shape[ax]
    xm = shape_ops.reshape(xt, (b, int(np.prod(x_rest, dtype=int)), n))
    ym = shape_ops.reshape(yt, (b, n, int(np.prod(y_rest, dtype=int))))
    out = math_ops.matmul(xm, ym)
    return shape_ops.reshape(out, (b, *x_rest, *y_rest) if x_rest or y_rest else (b, 1))


class Dot(Merge):
    """Per-sample dot product of two inputs along `axes` (cosine similarity with
    `normalize=True`): two inputs of shape (batch, n) give (batch, 1)."""

    min_inputs = max_inputs = 2

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(axes, (int, np.integer)):
            axes = (int(axes), int(axes))
        if not (isinstance(axes, (list, tuple)) and len(axes) == 2
                and all(isinstance(a, (int, np.integer)) for a in axes)):
            raise TypeError(
                f"Dot layer '{self.name}': axes must be an integer or a pair of integers, "
                f"received {axes!r}"
            )
        self.axes = (int(axes[0]), int(axes[1]))
        self.normalize = bool(normalize)

    def _resolved_axes(self, shapes: list[tuple]) -> tuple[int, int]:
        axes = []
        for a, s in zip(self.axes, shapes, strict=False):
            if not -len(s) <= a < len(s) or a % len(s) == 0:
                raise ValueError(
                    f"Dot layer '{self.name}': axes {self.axes} are invalid for inputs of "
                    f"shapes {shapes} (the batch axis 0 cannot be reduced)"
                )
            axes.append(a % len(s))
        return axes[0], axes[1]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = self._check_shapes(input_shape)
        ax, ay = self._resolved_axes(shapes)
        n1, n2 = shapes[0][ax], shapes[1][ay]
        if n1 is not None and n2 is not None and n1 != n2:
            raise ValueError(
                f"Dot layer '{self.name}': the dot axes must have the same size, received "
                f"inputs of shapes {shapes} with axes {self.axes} ({n1} != {n2})"
            )
        rest = [d for i, d in enumerate(shapes[0]) if i not in (0, ax)]
        rest += [d for i, d in enumerate(shapes[1]) if i not in (0, ay)]
        return (shapes[0][0], *rest) if rest else (shapes[0][0], 1)

    def call(self, inputs: list) -> Tensor:
        x, y = inputs
        ax, ay = self._resolved_axes([tuple(x.shape), tuple(y.shape)])
        if self.normalize:
            x, y = _l2_normalize(x, ax), _l2_normalize(y, ay)
        return _batch_dot(x, y, ax, ay)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(axes=list(self.axes), normalize=self.normalize)
        return config


# ---- functional interfaces --------------------------------------------------------
def _merge_fn(cls: type, eager, inputs: Any, kwargs: dict, n: int | None = None):
    if is_symbolic(inputs) or kwargs.get("name") is not None:
        return cls(**kwargs)(inputs)
    tensors = [to_tensor(t) for t in _as_input_list("-", cls.__name__.lower(), inputs)]
    if n is not None and len(tensors) != n or not tensors:
        raise ValueError(
            f"{cls.__name__.lower()}: expected {'exactly ' + str(n) if n else 'at least 1'} "
            f"input(s), received {len(tensors)}"
        )
    return eager(tensors)


def add(inputs: list, **kwargs: Any):
    """Functional interface to `Add`."""
    return _merge_fn(Add, _sum, inputs, kwargs)


def subtract(inputs: list, **kwargs: Any):
    """Functional interface to `Subtract`."""
    return _merge_fn(Subtract, _difference, inputs, kwargs, n=2)


def multiply(inputs: list, **kwargs: Any):
    """Functional interface to `Multiply`."""
    return _merge_fn(Multiply, _product, inputs, kwargs)


def average(inputs: list, **kwargs: Any):
    """Functional interface to `Average`."""
    return _merge_fn(Average, _average, inputs, kwargs)


def maximum(inputs: list, **kwargs: Any):
    """Functional interface to `Maximum`."""
    return _merge_fn(Maximum, _maximum, inputs, kwargs)


def minimum(inputs: list, **kwargs: Any):
    """Functional interface to `Minimum`."""
    return _merge_fn(Minimum, _minimum, inputs, kwargs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any):
    """Functional interface to `Concatenate`: `concatenate([input_, hidden2])`."""
    if is_symbolic(inputs) or kwargs:
        return Concatenate(axis=axis, **kwargs)(inputs)
    tensors = [to_tensor(t) for t in _as_input_list("-", "concatenate", inputs)]
    if not tensors:
        raise ValueError("concatenate: expected at least 1 input, received none")
    try:
        return shape_ops.concatenate(tensors, axis=axis)
    except ValueError:  # AxisError is a ValueError too
        raise ValueError(
            f"concatenate (axis={axis}) requires inputs with matching shapes except for the "
            f"concatenation axis, received inputs of shapes {[tuple(t.shape) for t in tensors]}"
        ) from None


def dot(inputs: list, axes: Any = -1, normalize: bool = False, **kwargs: Any):
    """Functional interface to `Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


# `a + b`, `a - b`, `a * b` on symbolic tensors record these layers, as in Keras
register_operator("add", lambda a, b: Add()([a, b]))
register_operator("subtract", lambda a, b: Subtract()([a, b]))
register_operator("multiply", lambda a, b: Multiply()([a, b]))
