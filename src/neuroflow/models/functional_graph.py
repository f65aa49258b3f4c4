"""Symbolic tensors and nodes: what calling a layer on `Input(...)` records.

A `KerasTensor` has a shape (batch axis None) and a dtype but no values; calling a layer
on KerasTensors builds the layer, infers the output shape and records a `Node` that
links the inputs to the outputs. A Functional model later replays those nodes.
"""

from __future__ import annotations

from typing import Any

from neuroflow import backend

__all__ = ["KerasTensor", "Node", "is_symbolic", "symbolic_call", "flatten_structure"]


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
        from neuroflow.layers import Add

        return Add()([self, other])

    def __sub__(self, other):
        from neuroflow.layers import Subtract

        return Subtract()([self, other])

    def __mul__(self, other):
        from neuroflow.layers import Multiply

        return Multiply()([self, other])


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
        return [t for t in flatten_structure(self.inputs) if isinstance(t, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return flatten_structure(self.outputs)


def flatten_structure(structure: Any) -> list:
    """Leaves of nested lists, tuples and dicts (dict leaves in key order)."""
    if isinstance(structure, dict):
        return [v for k in structure for v in flatten_structure(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for item in structure for v in flatten_structure(item)]
    return [structure]


def is_symbolic(inputs: Any) -> bool:
    """True when `inputs` is (or holds) a KerasTensor."""
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, (list, tuple)):
        return any(is_symbolic(x) for x in inputs)
    if isinstance(inputs, dict):
        return any(is_symbolic(x) for x in inputs.values())
    return False


def _shape_structure(inputs: Any):
    if isinstance(inputs, KerasTensor):
        return inputs.shape
    if isinstance(inputs, (list, tuple)):
        return [_shape_structure(x) for x in inputs]
    if isinstance(inputs, dict):
        return {k: _shape_structure(v) for k, v in inputs.items()}
    raise TypeError(f"expected KerasTensors in a symbolic call, received {type(inputs).__name__}")


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
