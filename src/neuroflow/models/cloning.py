"""clone_model: the same architecture with freshly initialized weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neuroflow.backend import tree
from neuroflow.backend.keras_tensor import KerasTensor
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.layer import Layer

__all__ = ["clone_model"]


def _default_clone(layer: Layer) -> Layer:
    from neuroflow.models.model import Model

    if isinstance(layer, Model):
        return clone_model(layer)
    try:
        return type(layer).from_config(layer.get_config())
    except NotImplementedError as err:
        raise ValueError(f"clone_model: cannot clone layer '{layer.name}': {err}") from None


def clone_model(model: Any, input_tensors: Any = None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False,
                **kwargs: Any) -> Any:
    """A new model with the architecture of `model` and new weights (not copied: use
    `clone.set_weights(model.get_weights())` to copy them).

    `clone_function(layer)` makes each new layer (default: from the layer's config; nested
    models are cloned recursively). `input_tensors` replaces the model's Inputs (Functional
    and Sequential models). `call_function(layer, *args, **kwargs)` replaces the calls of
    the layers on the new inputs (Functional models).
    """
    from neuroflow.models.functional import Functional
    from neuroflow.models.model import Model
    from neuroflow.models.sequential import Sequential

    if kwargs:
        raise TypeError(f"clone_model: unexpected keyword argument(s) {sorted(kwargs)}")
    if not isinstance(model, Model):
        raise TypeError(
            f"clone_model: expected a neuroflow Model, received {type(model).__name__}"
        )
    fn = clone_function or _default_clone
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, fn)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, fn, call_function)
    try:
        config = model.get_config()
    except NotImplementedError as err:
        raise ValueError(
            f"clone_model: model '{model.name}' ({type(model).__name__}) is a subclassed model; "
            f"it can only be cloned when it implements get_config()/from_config(): {err}"
        ) from None
    return type(model).from_config(config)


def _clone_sequential(model, input_tensors, fn: Callable):
    from neuroflow.models.sequential import Sequential

    layers = [fn(layer) for layer in model.layers]
    for old, new in zip(model.layers, layers, strict=True):
        if not isinstance(new, Layer):
            raise TypeError(
                f"clone_model: clone_function must return a Layer, returned "
                f"{type(new).__name__} for layer '{old.name}'"
            )
    clone = Sequential(name=model.name, trainable=model.trainable)
    if input_tensors is not None:
        tensors = tree.flatten(input_tensors)
        if len(tensors) != 1 or not isinstance(tensors[0], KerasTensor):
            raise ValueError(
                "clone_model: a Sequential model takes one input tensor (from Input()), "
                f"received {input_tensors!r}"
            )
        clone.add(tensors[0], rebuild=False)
    elif model._input_layer is not None:
        source = model._input_layer
        clone.add(InputLayer(batch_shape=source.batch_shape, dtype=source.dtype,
                             name=source.name), rebuild=False)
    for layer in layers:
        clone.add(layer, rebuild=False)
    shape = clone._declared_input_shape()
    if shape is None and model.built:
        shape = model._build_input_shape
    if shape is not None and clone._layers:
        clone.build(shape)
    return clone


def _clone_functional(model, input_tensors, fn: Callable, call_function: Callable | None):
    from neuroflow.models.functional import Functional

    new_of: dict[int, Any] = {}  # id(old KerasTensor) -> new KerasTensor
    if input_tensors is not None:
        given = tree.flatten(input_tensors)
        if len(given) != len(model.inputs) or not all(isinstance(t, KerasTensor) for t in given):
            raise ValueError(
                f"clone_model: model '{model.name}' has {len(model.inputs)} input(s) "
                f"{model.input_names}; input_tensors must hold as many KerasTensors, received "
                f"{input_tensors!r}"
            )
        for old, new in zip(model.inputs, given, strict=True):
            new_of[id(old)] = new
    else:
        for old in model.inputs:
            layer = old.node.layer
            new_of[id(old)] = InputLayer(batch_shape=layer.batch_shape, dtype=layer.dtype,
                                         name=layer.name)._inbound_nodes[0].outputs
    clones: dict[int, Layer] = {}

    def remap(value):
        return tree.map_structure(
            lambda v: new_of[id(v)] if isinstance(v, KerasTensor) else v, value)

    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        new_layer = clones.get(id(layer))
        if new_layer is None:
            new_layer = clones[id(layer)] = fn(layer)
            if not isinstance(new_layer, Layer):
                raise TypeError(
                    f"clone_model: clone_function must return a Layer, returned "
                    f"{type(new_layer).__name__} for layer '{layer.name}'"
                )
        args, kwargs = remap(list(node.args)), remap(dict(node.kwargs))
        inputs = remap(node.inputs)
        if call_function is not None:
            out = call_function(new_layer, inputs, *args, **kwargs)
        else:
            out = new_layer(inputs, *args, **kwargs)
        for old, new in zip(tree.flatten(node.outputs), tree.flatten(out), strict=True):
            new_of[id(old)] = new

    def structure(kind: str, keys, flat):
        tensors = [new_of[id(t)] for t in flat]
        if kind == "dict":
            return dict(zip(keys, tensors, strict=True))
        return tensors[0] if kind == "single" and len(tensors) == 1 else tensors

    return Functional(inputs=structure(model._in_kind, model._in_keys, model.inputs),
                      outputs=structure(model._out_kind, model._out_keys, model.outputs),
                      name=model.name, trainable=model.trainable)
