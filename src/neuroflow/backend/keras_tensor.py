"""Symbolic tensors and nodes: what calling a layer on `Input(...)` records.

A `KerasTensor` has a shape (batch axis None) and a dtype but no values; calling a layer
on KerasTensors builds the layer, infers the output shape and records a `Node` that
links the inputs to the outputs. A Functional model later replays those nodes. They sit
below the layers that create them (as in Keras 3's backend/ops): a layer is reached only
through `_maybe_build`, `compute_output_shape`, `name`, `dtype` and `_inbound_nodes`, and
the arithmetic operators record whatever layer the layers package registered for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neuroflow import backend
from neuroflow.backend.tree import flatten, is_nested, map_structure

__all__ = ["KerasTensor", "Node", "is_symbolic", "symbolic_call", "register_operator"]

# "add", "subtract", "multiply" -> a function (a, b) -> KerasTensor, filed by the layers
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {}


def register_operator(name: str, fn: Callable[[Any, Any], Any]) -> None:
    """Make `a + b` ("add"), `a - b` ("subtract") or `a * b` ("multiply") on symbolic
    tensors call `fn(a, b)` (the merging layers register themselves here)."""
    if name not in ("add", "subtract", "multiply"):
        raise ValueError(f"register_operator: expected 'add', 'subtract' or 'multiply', "
                         f"received {name!r}")
    _OPERATORS[name] = fn


def _operator(name: str, a: Any, b: Any) -> Any:
    fn = _OPERATORS.get(name)
    if fn is None:
        raise TypeError(f"no layer is registered for {name!r} on symbolic tensors "
                        "(import neuroflow.layers)")
    return fn(a, b)


class KerasTensor:
    """A placeholder for a tensor in a layer graph: shape, dtype, and where it came from."""

    __slots__ = ("shape", "dtype", "name", "node", "index", "__weakref__")

    def __init__(
        self, shape, dtype=None, name: str | None = None, node: Node | None = None, index: int = 0
    ):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype or backend.floatx()
        self.name = name
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        origin = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{origin}>"

    def __hash__(self) -> int:
        return id(self)

    # arithmetic on symbolic tensors records a merging layer, as Keras does
    def __add__(self, other):
        return _operator("add", self, other)

    def __sub__(self, other):
        return _operator("subtract", self, other)

    def __mul__(self, other):
        return _operator("multiply", self, other)


class Node:
    """One call of `layer` on symbolic inputs, producing symbolic outputs."""

    __slots__ = ("layer", "inputs", "args", "kwargs", "outputs")

    def __init__(self, layer, inputs: Any, args: tuple, kwargs: dict):
        self.layer = layer
        self.inputs = inputs
        self.args = args
        self.kwargs = kwargs
        self.outputs: Any = None

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return [t for t in flatten(self.inputs) if isinstance(t, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return flatten(self.outputs)


def is_symbolic(inputs: Any) -> bool:
    """True when `inputs` is (or holds) a KerasTensor."""
    if isinstance(inputs, KerasTensor):
        return True
    return is_nested(inputs) and any(isinstance(x, KerasTensor) for x in flatten(inputs))


def _shape_of(x: Any) -> tuple:
    if not isinstance(x, KerasTensor):
        raise TypeError(f"expected KerasTensors in a symbolic call, received {type(x).__name__}")
    return x.shape


def _shape_structure(inputs: Any):
    """The shapes of symbolic `inputs` as `build` receives them (several: a list)."""
    shapes = map_structure(_shape_of, inputs)
    return list(shapes) if isinstance(inputs, tuple) else shapes


def symbolic_call(layer, inputs: Any, args: tuple, kwargs: dict):
    """Record `layer(inputs, *args, **kwargs)` on symbolic inputs; return symbolic outputs."""
    shapes = _shape_structure(inputs)
    try:
        layer._maybe_build(shapes)
        out_shape = layer.compute_output_shape(shapes)
    except (ValueError, TypeError) as err:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) cannot be called on inputs of shape "
            f"{shapes}: {err}"
        ) from err
    # an explicit training=True/False (e.g. Monte Carlo dropout) stays part of the graph
    node = Node(
        layer, inputs, args, {k: v for k, v in kwargs.items() if k != "training" or v is not None}
    )

    counter = [0]

    def make(shape) -> KerasTensor:
        t = KerasTensor(shape, dtype=layer.dtype, name=layer.name, node=node, index=counter[0])
        counter[0] += 1
        return t

    if isinstance(out_shape, list) and out_shape and isinstance(out_shape[0], (list, tuple)):
        outputs = [make(tuple(s)) for s in out_shape]
    else:
        outputs = make(tuple(out_shape))
    node.outputs = outputs
    layer._inbound_nodes.append(node)
    return outputs
