"""ONNX translations of `neuroflow.activations` (each the formula neuroflow computes)."""

from __future__ import annotations

import math
from typing import Any

from neuroflow import activations as A
from neuroflow.export.graph import OnnxGraph
from neuroflow.export.registry import HOOK, UnsupportedLayerError, activation_translation_for
from neuroflow.export.registry import onnx_activation as _act

__all__ = ["apply_activation"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def apply_activation(graph: OnnxGraph, fn: Any, x: str, hint: str, owner: str) -> str:
    """Append activation `fn` to value `x`; `owner` names the layer in errors."""
    translate = activation_translation_for(fn)
    if translate is None:
        name = getattr(fn, "__name__", repr(fn))
        raise UnsupportedLayerError(
            f"{owner}: activation {name!r} has no ONNX translation; use a built-in activation, "
            "or register one with @neuroflow.export.onnx_activation(fn) "
            f"(layers: {HOOK})")
    return translate(graph, x, hint)


def _unary(op_type: str, **attributes: Any):
    def translate(graph: OnnxGraph, x: str, hint: str) -> str:
        return graph.op(op_type, [x], hint=hint, **attributes)

    return translate


def _clip(graph: OnnxGraph, x: str, hint: str, low: float, high: float) -> str:
    return graph.op("Clip", [x, graph.const(low, f"{hint}/min"),
                             graph.const(high, f"{hint}/max")], hint=hint)


for _fn, _translate in [
    (A.relu, _unary("Relu")),
    (A.sigmoid, _unary("Sigmoid")),
    (A.tanh, _unary("Tanh")),
    (A.softmax, _unary("Softmax", axis=-1)),
    (A.log_softmax, _unary("LogSoftmax", axis=-1)),
    (A.softplus, _unary("Softplus")),
    (A.softsign, _unary("Softsign")),
    (A.elu, _unary("Elu", alpha=1.0)),
    (A.selu, _unary("Selu", alpha=_SELU_ALPHA, gamma=_SELU_SCALE)),
    (A.leaky_relu, _unary("LeakyRelu", alpha=0.2)),
    (A.exponential, _unary("Exp")),
    (A.hard_sigmoid, _unary("HardSigmoid", alpha=1.0 / 6.0, beta=0.5)),
    (A.mish, _unary("Mish")),
]:
    _act(_fn)(_translate)


@_act(A.linear)
def _linear(graph: OnnxGraph, x: str, hint: str) -> str:
    return x


@_act(A.relu6)
def _relu6(graph: OnnxGraph, x: str, hint: str) -> str:
    return _clip(graph, x, hint, 0.0, 6.0)


@_act(A.silu)
def _silu(graph: OnnxGraph, x: str, hint: str) -> str:
    return graph.op("Mul", [x, graph.op("Sigmoid", [x], hint=hint)], hint=hint)


@_act(A.gelu)
def _gelu(graph: OnnxGraph, x: str, hint: str) -> str:
    """x * Phi(x) = x * (1 + erf(x / sqrt 2)) / 2 (the Gelu operator needs opset 20)."""
    scaled = graph.op("Mul", [x, graph.const(1.0 / math.sqrt(2.0), f"{hint}/rsqrt2")],
                      hint=hint)
    erf = graph.op("Erf", [scaled], hint=hint)
    one_plus = graph.op("Add", [erf, graph.const(1.0, f"{hint}/one")], hint=hint)
    half_x = graph.op("Mul", [x, graph.const(0.5, f"{hint}/half")], hint=hint)
    return graph.op("Mul", [half_x, one_plus], hint=hint)


@_act(A.hard_silu)
def _hard_silu(graph: OnnxGraph, x: str, hint: str) -> str:
    gate = graph.op("HardSigmoid", [x], hint=hint, alpha=1.0 / 6.0, beta=0.5)
    return graph.op("Mul", [x, gate], hint=hint)


@_act(A.hard_tanh)
def _hard_tanh(graph: OnnxGraph, x: str, hint: str) -> str:
    return _clip(graph, x, hint, -1.0, 1.0)


@_act(A.log_sigmoid)
def _log_sigmoid(graph: OnnxGraph, x: str, hint: str) -> str:
    negated = graph.op("Neg", [x], hint=hint)
    return graph.op("Neg", [graph.op("Softplus", [negated], hint=hint)], hint=hint)


@_act(A.tanh_shrink)
def _tanh_shrink(graph: OnnxGraph, x: str, hint: str) -> str:
    return graph.op("Sub", [x, graph.op("Tanh", [x], hint=hint)], hint=hint)


@_act(A.sparse_sigmoid)
def _sparse_sigmoid(graph: OnnxGraph, x: str, hint: str) -> str:
    shifted = graph.op("Add", [_clip(graph, x, hint, -1.0, 1.0),
                               graph.const(1.0, f"{hint}/one")], hint=hint)
    return graph.op("Mul", [shifted, graph.const(0.5, f"{hint}/half")], hint=hint)


@_act(A.squareplus)
def _squareplus(graph: OnnxGraph, x: str, hint: str) -> str:
    root = graph.op("Sqrt", [graph.op("Add", [graph.op("Mul", [x, x], hint=hint),
                                              graph.const(4.0, f"{hint}/b")], hint=hint)],
                    hint=hint)
    total = graph.op("Add", [x, root], hint=hint)
    return graph.op("Mul", [total, graph.const(0.5, f"{hint}/half")], hint=hint)


@_act(A.celu)
def _celu(graph: OnnxGraph, x: str, hint: str) -> str:
    return graph.op("Celu", [x], hint=hint, alpha=1.0)
