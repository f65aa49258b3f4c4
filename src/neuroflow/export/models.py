"""A neuroflow model as an ONNX graph: its inputs, its layer graph, its outputs.

Sequential and Functional models already are a graph of layer calls on symbolic tensors;
export walks it and translates each layer. A subclassed model's `call` is Python code,
so export *traces* it: it calls `call(training=False)` once on symbolic inputs, which
records every layer call as a Functional model would, translates that graph, and then
removes the recorded calls from the layers again. A subclassed model therefore exports
when its `call` is made of layer calls (and `keras.layers.add`, `concatenate`, `+`, ...)
that do not depend on the values of the tensors; one that computes on tensor values
(ops, NumPy, branches on data) gets an error saying so. Nested models (a Sequential
inside a Functional model, a Functional model inside a subclassed one) are inlined.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.export.graph import OnnxGraph, Value
from neuroflow.export.registry import HOOK, UnsupportedLayerError, translation_for

__all__ = ["model_input_specs", "emit_model", "output_names"]

_FLOAT32 = np.dtype("float32")


def _is_graph_model(model: Any) -> bool:
    from neuroflow.models.functional import Functional
    from neuroflow.models.sequential import Sequential

    return isinstance(model, (Functional, Sequential))


def _declared_specs(model: Any) -> list[tuple[str, tuple]] | None:
    """The model's own (name, batch shape) per input, or None if it has never been built."""
    if _is_graph_model(model):
        if not model.built or not model.inputs:
            return None
        return [(t.node.layer.name, (None,) + tuple(t.shape[1:])) for t in model.inputs]
    shape = model._build_input_shape
    if shape is None:
        return None
    if isinstance(shape, dict):
        return [(str(k), (None,) + tuple(s)[1:]) for k, s in shape.items()]
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [(f"input_{i}", (None,) + tuple(s)[1:]) for i, s in enumerate(shape)]
    return [("input_0", (None,) + tuple(shape)[1:])]


def _signature_items(signature: Any, names: list[str] | None) -> list:
    if isinstance(signature, dict):
        if names is None:
            return list(signature.values())
        missing = [n for n in names if n not in signature]
        if missing:
            raise ValueError(f"input_signature: missing input(s) {missing}; the model's inputs "
                             f"are {names}")
        return [signature[n] for n in names]
    if isinstance(signature, (list, tuple)):
        items = list(signature)
        if len(items) == 1 and isinstance(items[0], (list, tuple)) and items[0] and \
                hasattr(items[0][0], "shape"):
            items = list(items[0])  # Keras' [[spec_a, spec_b]] form of one structured argument
        return items
    return [signature]


def model_input_specs(model: Any, input_signature: Any = None) -> list[tuple[str, tuple]]:
    """(name, batch shape) of each input, from the model or from `input_signature`.

    `input_signature` is one spec per input (a list, or a dict by input name): anything
    with a `.shape` that includes the batch axis (`keras.Input(...)`, an array, a
    Tensor). Sizes given as None stay dynamic in the export; float32 only.
    """
    declared = _declared_specs(model)
    if input_signature is None:
        if declared is None:
            raise ValueError(
                f"Model '{model.name}' ({type(model).__name__}) has not been built, so export "
                "does not know its input shapes: call it on data (or fit it, or build it) "
                "first, or pass input_signature=[keras.Input(shape=...)]")
        return declared
    items = _signature_items(input_signature, [n for n, _ in declared] if declared else None)
    if declared is not None and len(items) != len(declared):
        raise ValueError(
            f"input_signature: model '{model.name}' has {len(declared)} input(s) "
            f"{[n for n, _ in declared]}, received {len(items)} spec(s)")
    specs = []
    for i, item in enumerate(items):
        shape = getattr(item, "shape", None)
        if shape is None:
            raise TypeError(
                f"input_signature[{i}]: expected a spec with a shape (keras.Input(...), an array "
                f"or a Tensor), received {type(item).__name__}")
        shape = tuple(None if d is None else int(d) for d in shape)
        dtype = getattr(item, "dtype", _FLOAT32)
        if np.dtype(str(dtype)) != _FLOAT32:
            raise ValueError(f"input_signature[{i}]: ONNX export takes float32 inputs, "
                             f"received dtype {dtype}")
        if declared is not None:
            name, want = declared[i]
            compatible = len(shape) == len(want) and all(
                a is None or b is None or a == b for a, b in zip(shape, want, strict=True))
            if not compatible:
                raise ValueError(
                    f"input_signature[{i}]: input '{name}' of model '{model.name}' has shape "
                    f"{want}, received a spec of shape {shape}")
        else:
            own = getattr(item, "name", None)
            name = own if isinstance(own, str) and own else f"input_{i}"
        specs.append((name, shape))
    return specs


# ---- emission ---------------------------------------------------------------------------
def _owner(layer: Any) -> str:
    return f"{type(layer).__name__} layer '{layer.name}'"


def emit_layer(graph: OnnxGraph, layer: Any, inputs: Any) -> Any:
    """Translate one layer applied to `inputs` (a Value or a list); returns output names."""
    from neuroflow.layers.lambda_layer import Lambda
    from neuroflow.models.model import Model

    translate = translation_for(layer)
    if translate is not None:
        return translate(graph, layer, inputs)
    if isinstance(layer, Model):
        outs = emit_model(graph, layer, inputs if isinstance(inputs, list) else [inputs])
        names = [v.name for v in outs]
        return names[0] if len(names) == 1 else names
    if isinstance(layer, Lambda):
        raise UnsupportedLayerError(
            f"{_owner(layer)} runs Python code that cannot be exported to ONNX: replace it "
            f"with built-in layers, or with a custom layer and a translation ({HOOK})")
    raise UnsupportedLayerError(f"{_owner(layer)} has no ONNX translation: {HOOK}")


def _emit_nodes(graph: OnnxGraph, sources: list, outputs: list, inputs: list[Value],
                owner: str) -> list[Value]:
    """Translate the graph of layer calls from KerasTensors `sources` to `outputs`."""
    from neuroflow.backend import tree
    from neuroflow.backend.keras_tensor import KerasTensor
    from neuroflow.layers.input_layer import InputLayer
    from neuroflow.models.functional import walk_graph

    values = {id(t): v for t, v in zip(sources, inputs, strict=True)}

    def resolve(structure: Any) -> Any:
        if isinstance(structure, KerasTensor):
            if id(structure) not in values:
                raise UnsupportedLayerError(
                    f"{owner}: the graph uses a symbolic tensor {structure!r} that does not "
                    "come from the model's inputs")
            return values[id(structure)]
        if isinstance(structure, (list, tuple)):
            return [resolve(s) for s in structure]
        raise UnsupportedLayerError(
            f"{owner}: layers called on a {type(structure).__name__} of tensors cannot be "
            "exported (use a tensor or a list of tensors)")

    order, _, _ = walk_graph(outputs)
    for node in order:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        extra = sorted(k for k in node.kwargs if k != "training")
        if node.args or extra:
            raise UnsupportedLayerError(
                f"{_owner(layer)} is called with extra arguments {extra or list(node.args)}, "
                "which ONNX export does not translate")
        result = emit_layer(graph, layer, resolve(node.inputs))
        names = [result] if isinstance(result, str) else list(result)
        tensors = tree.flatten(node.outputs)
        if len(names) != len(tensors):
            raise UnsupportedLayerError(
                f"{_owner(layer)}: its ONNX translation returned {len(names)} output(s), the "
                f"layer has {len(tensors)}")
        for t, name in zip(tensors, names, strict=True):
            values[id(t)] = Value(name, t.shape)
    return [values[id(t)] for t in outputs]


def _tracked(model: Any) -> list:
    seen, stack, out = set(), [model], []
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        stack.extend(layer._tracked_layers)
    return out


def _trace(graph: OnnxGraph, model: Any, inputs: list[Value]) -> tuple[list[Value], Any]:
    """Emit a subclassed model by calling its `call` once on symbolic inputs."""
    from neuroflow.backend import tree
    from neuroflow.backend.keras_tensor import KerasTensor
    from neuroflow.layers.input_layer import InputLayer

    owner = f"subclassed model '{model.name}' ({type(model).__name__})"
    symbolic = [InputLayer(batch_shape=(None,) + tuple(v.shape[1:]),
                           name=f"{model.name}_export_input_{i}").output
                for i, v in enumerate(inputs)]
    layers = _tracked(model)
    counts = [len(layer._inbound_nodes) for layer in layers]
    argument = symbolic[0] if len(symbolic) == 1 else symbolic
    kwargs = {"training": False} if model._call_accepts_training else {}
    try:
        try:
            structure = model.call(argument, **kwargs)
        except UnsupportedLayerError:
            raise
        except Exception as err:  # noqa: BLE001 - any failure means call() is not traceable
            raise UnsupportedLayerError(
                f"{owner}: export traces call() on symbolic inputs and the trace failed "
                f"({type(err).__name__}: {err}). Build call() from layer calls (and "
                "keras.layers.add/concatenate/...) rather than operations on tensor values, "
                f"or give the model class a translation ({HOOK})") from err
        flat = tree.flatten(structure)
        if not flat or not all(isinstance(t, KerasTensor) for t in flat):
            raise UnsupportedLayerError(
                f"{owner}: traced on symbolic inputs, call() returned "
                f"{type(structure).__name__} values that are not layer outputs; ONNX export "
                "needs outputs computed by layers")
        return _emit_nodes(graph, symbolic, flat, inputs, owner), structure
    finally:
        for layer, n in zip(layers, counts, strict=True):
            del layer._inbound_nodes[n:]


def emit_model(graph: OnnxGraph, model: Any, inputs: list[Value]) -> list[Value]:
    """Translate `model` applied to graph values `inputs`; returns its output values."""
    return _emit_model(graph, model, inputs)[0]


def _emit_model(graph: OnnxGraph, model: Any, inputs: list[Value]) -> tuple[list[Value], Any]:
    if _is_graph_model(model):
        if not model.built or not model.outputs:
            raise ValueError(f"Model '{model.name}' is not built: build it before export")
        owner = f"model '{model.name}'"
        return _emit_nodes(graph, list(model.inputs), list(model.outputs), inputs, owner), None
    return _trace(graph, model, inputs)


def output_names(model: Any, structure: Any, count: int) -> list[str]:
    """Names of the exported outputs: the model's output names, a subclassed model's dict
    keys, or output_0, output_1, ..."""
    if _is_graph_model(model):
        names = list(model.output_names)
    elif isinstance(structure, dict):
        names = [str(k) for k in structure]
    else:
        names = [f"output_{i}" for i in range(count)]
    if len(names) != count:
        names = [f"output_{i}" for i in range(count)]
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        unique.append(name)
    return unique


def build_model_graph(model: Any, input_signature: Any, opset: int) -> OnnxGraph:
    """The complete graph of `model`: named inputs (batch axis dynamic), layers, outputs."""
    from neuroflow.models.model import Model

    if not isinstance(model, Model):
        raise TypeError(f"ONNX export: expected a neuroflow Model, received "
                        f"{type(model).__name__}")
    graph = OnnxGraph(opset)
    specs = model_input_specs(model, input_signature)
    inputs = [graph.add_input(name, shape) for name, shape in specs]
    outputs, structure = _emit_model(graph, model, inputs)
    for value, name in zip(outputs, output_names(model, structure, len(outputs)), strict=True):
        graph.add_output(value.name, name, value.shape)
    return graph
