"""Which ONNX translation turns a layer (or an activation function) into graph nodes.

A translation is `fn(graph, layer, inputs) -> output names`: `graph` is the
`OnnxGraph` being built, `inputs` a `Value` (or a list of them for layers called on a
list), and the result the name of the output value (a list of names for several
outputs). It is registered per layer class:

    from neuroflow.export import onnx_translation

    @onnx_translation(Scale)
    def _scale(graph, layer, x):
        factor = graph.const(layer.factor, f"{layer.name}/factor")
        return graph.op("Mul", [x.name, factor], hint=layer.name)

This is the hook for custom layers. A translation also serves subclasses of its class
that do not override `call` (they compute the same thing); a subclass with a `call` of
its own needs a translation of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "UnsupportedLayerError", "onnx_translation", "translation_for",
    "onnx_activation", "activation_translation_for",
]

Translation = Callable[..., Any]
ActivationTranslation = Callable[..., str]

_LAYERS: dict[type, Translation] = {}
_ACTIVATIONS: dict[Any, ActivationTranslation] = {}

HOOK = ("register one with @neuroflow.export.onnx_translation(YourLayer) "
        "(see help(neuroflow.export.onnx_translation))")


class UnsupportedLayerError(ValueError):
    """A model holds a layer (or activation) that has no ONNX translation."""


def onnx_translation(layer_class: type) -> Callable[[Translation], Translation]:
    """Register `fn(graph, layer, inputs)` as the ONNX translation of `layer_class`."""
    if not isinstance(layer_class, type):
        raise TypeError(f"onnx_translation: expected a layer class, received {layer_class!r}")

    def register(fn: Translation) -> Translation:
        if not callable(fn):
            raise TypeError(f"onnx_translation({layer_class.__name__}): expected a function, "
                            f"received {fn!r}")
        _LAYERS[layer_class] = fn
        return fn

    return register


def translation_for(layer: Any) -> Translation | None:
    """The translation of `layer`'s class, or of the nearest base whose `call` it runs."""
    for klass in type(layer).__mro__:
        fn = _LAYERS.get(klass)
        if fn is not None:
            return fn
        if "call" in klass.__dict__:
            return None
    return None


def onnx_activation(fn: Any) -> Callable[[ActivationTranslation], ActivationTranslation]:
    """Register `translate(graph, x_name, hint) -> name` for the activation function `fn`
    (used by Dense(activation=fn) and Activation(fn))."""

    def register(translate: ActivationTranslation) -> ActivationTranslation:
        _ACTIVATIONS[fn] = translate
        return translate

    return register


def activation_translation_for(fn: Any) -> ActivationTranslation | None:
    """The registered translation of activation function `fn`, or None."""
    try:
        return _ACTIVATIONS.get(fn)
    except TypeError:  # an unhashable callable
        return None
