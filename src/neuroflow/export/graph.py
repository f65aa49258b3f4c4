"""The ONNX graph under construction: unique value names, constants, nodes, opset.

Built with onnx's own `helper` API rather than onnxscript or spox: the `onnx` package is
needed anyway (for `onnx.checker` and the protobuf classes), `helper` is its stable,
documented way to assemble a graph node by node, and translations written against it
read like the ONNX operator specification they follow; onnxscript (functions written as
Python source) and spox (a typed builder) would add a dependency and a second layer of
abstraction without making a layer's few nodes any shorter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["OnnxGraph", "Value", "DEFAULT_OPSET", "MIN_OPSET"]

DEFAULT_OPSET = 18
"""The opset exports target unless `opset_version=` says otherwise (ONNX 1.13, 2022:
the first with the `axes` of every Reduce* operator as an input and with Mish)."""
MIN_OPSET = 18
"""The oldest opset the translations are written for."""


class Value:
    """A named value of the graph with its shape (None for an unknown size)."""

    __slots__ = ("name", "shape")

    def __init__(self, name: str, shape: Sequence | None = None):
        self.name = name
        self.shape = None if shape is None else tuple(shape)

    @property
    def rank(self) -> int:
        if self.shape is None:
            raise ValueError(f"the rank of ONNX value {self.name!r} is not known")
        return len(self.shape)

    def __repr__(self) -> str:
        return f"Value({self.name!r}, shape={self.shape})"


class OnnxGraph:
    """Collects the nodes, constants, inputs and outputs of one ONNX graph.

    Translations call `op(...)` to add a node and `const(...)` to add a weight; both return
    the name of the new value. Names are made unique with a numeric suffix, so a layer can
    name its values after itself.
    """

    def __init__(self, opset: int = DEFAULT_OPSET, float_type: Any = np.float32):
        self.opset = int(opset)
        self.float_type = np.dtype(float_type)
        self.nodes: list = []
        self.initializers: list = []
        self.inputs: list = []
        self.outputs: list = []
        self._used: set[str] = set()
        self._node_count = 0

    # ---- names ------------------------------------------------------------------------
    def fresh(self, hint: str) -> str:
        """A value or node name not used yet, derived from `hint`."""
        base = hint or "value"
        name, i = base, 1
        while name in self._used:
            name = f"{base}_{i}"
            i += 1
        self._used.add(name)
        return name

    def reserve(self, name: str) -> str:
        """Claim `name` exactly (graph inputs and outputs keep the model's names)."""
        if name in self._used:
            raise ValueError(f"ONNX value name {name!r} is used twice in the exported graph")
        self._used.add(name)
        return name

    # ---- building -----------------------------------------------------------------------
    def const(self, array: Any, hint: str = "const", dtype: Any = None) -> str:
        """Add a constant (an initializer): float arrays in the graph's float type."""
        from onnx import numpy_helper

        arr = np.asarray(array)
        if dtype is not None:
            arr = arr.astype(dtype)
        elif arr.dtype.kind == "f":
            arr = arr.astype(self.float_type)
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def ints(self, values: Sequence[int], hint: str = "shape") -> str:
        """An int64 constant (shapes, axes, repeats)."""
        return self.const(np.asarray(list(values), dtype=np.int64), hint, dtype=np.int64)

    def op(self, op_type: str, inputs: Sequence[str], hint: str | None = None,
           n_outputs: int = 1, **attributes: Any) -> Any:
        """Add one node; returns its output name (a list of names if `n_outputs` > 1)."""
        from onnx import helper

        base = f"{hint or 'node'}/{op_type}"  # never a graph input's or output's name
        outputs = [self.fresh(base if n_outputs == 1 else f"{base}_{i}")
                   for i in range(n_outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outputs,
                                           name=self._node_name(base), **attributes))
        return outputs[0] if n_outputs == 1 else outputs

    def _node_name(self, base: str) -> str:
        self._node_count += 1
        return f"{base}_{self._node_count}"

    def add_input(self, name: str, shape: Sequence, elem_type: Any = None) -> Value:
        """A graph input; None sizes become symbolic dimensions ('batch' for axis 0)."""
        from onnx import helper

        self.reserve(name)
        dims = [("batch" if i == 0 else f"{name}_dim{i}") if d is None else int(d)
                for i, d in enumerate(shape)]
        self.inputs.append(helper.make_tensor_value_info(name, self._elem(elem_type), dims))
        return Value(name, shape)

    def add_output(self, value: str, name: str, shape: Sequence | None,
                   elem_type: Any = None) -> None:
        """Expose `value` as the graph output `name` (through an Identity node)."""
        from onnx import helper

        self.reserve(name)
        self.nodes.append(helper.make_node("Identity", [value], [name],
                                           name=self._node_name(f"{name}/Identity")))
        dims = None if shape is None else [
            ("batch" if i == 0 else f"{name}_dim{i}") if d is None else int(d)
            for i, d in enumerate(shape)]
        self.outputs.append(helper.make_tensor_value_info(name, self._elem(elem_type), dims))

    def _elem(self, elem_type: Any) -> int:
        from onnx import helper

        if isinstance(elem_type, int):
            return elem_type
        return helper.np_dtype_to_tensor_dtype(np.dtype(elem_type or self.float_type))

    def to_model(self, graph_name: str, doc: str = "", producer: str = "neuroflow"):
        """The checked `onnx.ModelProto` of this graph."""
        import onnx
        from onnx import helper

        from neuroflow import __version__

        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs,
                                  initializer=self.initializers, doc_string=doc)
        model = helper.make_model_gen_version(
            graph, opset_imports=[helper.make_opsetid("", self.opset)],
            producer_name=producer, producer_version=__version__)
        onnx.checker.check_model(model, full_check=True)
        return model
