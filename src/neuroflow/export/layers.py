"""ONNX translations of neuroflow's built-in layers, in their inference form.

Each one emits the arithmetic the layer's `call(training=False)` does, with the same
float32 constants (BatchNormalization's scale and shift, Normalization's 1/std are
computed here exactly as the layer computes them), so ONNX Runtime's outputs equal
`model.predict`'s to float32 rounding.
"""

from __future__ import annotations

import math

import numpy as np

from neuroflow import backend
from neuroflow import layers as L
from neuroflow.export.activations import apply_activation
from neuroflow.export.graph import OnnxGraph, Value
from neuroflow.export.registry import onnx_translation

__all__: list[str] = []


def _owner(layer) -> str:
    return f"{type(layer).__name__} layer '{layer.name}'"


# ---- core -------------------------------------------------------------------------------
@onnx_translation(L.Dense)
def _dense(graph: OnnxGraph, layer: L.Dense, x: Value) -> str:
    kernel = graph.const(layer.kernel.data, f"{layer.name}/kernel")
    bias = graph.const(layer.bias.data, f"{layer.name}/bias") if layer.use_bias else None
    if x.rank == 2:
        out = graph.op("Gemm", [x.name, kernel] + ([bias] if bias else []), hint=layer.name)
    else:
        out = graph.op("MatMul", [x.name, kernel], hint=layer.name)
        if bias:
            out = graph.op("Add", [out, bias], hint=layer.name)
    return apply_activation(graph, layer.activation, out, layer.name, _owner(layer))


@onnx_translation(L.Activation)
def _activation(graph: OnnxGraph, layer: L.Activation, x: Value) -> str:
    return apply_activation(graph, layer.activation, x.name, layer.name, _owner(layer))


@onnx_translation(L.Flatten)
def _flatten(graph: OnnxGraph, layer: L.Flatten, x: Value) -> str:
    return graph.op("Flatten", [x.name], hint=layer.name, axis=1)


# ---- reshaping --------------------------------------------------------------------------
@onnx_translation(L.Reshape)
def _reshape(graph: OnnxGraph, layer: L.Reshape, x: Value) -> str:
    # 0 copies the (dynamic) batch size; the target may hold one -1
    shape = graph.ints([0, *layer.target_shape], f"{layer.name}/shape")
    return graph.op("Reshape", [x.name, shape], hint=layer.name)


@onnx_translation(L.Permute)
def _permute(graph: OnnxGraph, layer: L.Permute, x: Value) -> str:
    return graph.op("Transpose", [x.name], hint=layer.name, perm=[0, *layer.dims])


@onnx_translation(L.RepeatVector)
def _repeat_vector(graph: OnnxGraph, layer: L.RepeatVector, x: Value) -> str:
    expanded = graph.op("Unsqueeze", [x.name, graph.ints([1], f"{layer.name}/axes")],
                        hint=layer.name)
    repeats = graph.ints([1, layer.n, 1], f"{layer.name}/repeats")
    return graph.op("Tile", [expanded, repeats], hint=layer.name)


# ---- normalization ----------------------------------------------------------------------
@onnx_translation(L.Normalization)
def _normalization(graph: OnnxGraph, layer: L.Normalization, x: Value) -> str:
    mean = layer.mean.data.reshape(layer._broadcast_shape)
    std = np.sqrt(layer.variance.data).reshape(layer._broadcast_shape)
    if layer.invert:
        scaled = graph.op("Mul", [x.name, graph.const(std, f"{layer.name}/std")],
                          hint=layer.name)
        return graph.op("Add", [scaled, graph.const(mean, f"{layer.name}/mean")],
                        hint=layer.name)
    inv = 1.0 / np.maximum(std, backend.epsilon())
    centered = graph.op("Sub", [x.name, graph.const(mean, f"{layer.name}/mean")],
                        hint=layer.name)
    return graph.op("Mul", [centered, graph.const(inv, f"{layer.name}/inv_std")],
                    hint=layer.name)


@onnx_translation(L.BatchNormalization)
def _batch_normalization(graph: OnnxGraph, layer: L.BatchNormalization, x: Value) -> str:
    """The inference form: x * scale + shift from the moving statistics."""
    dtype = layer.moving_mean.data.dtype
    pshape = layer._param_shape
    inv = (1.0 / np.sqrt(layer.moving_variance.data.reshape(pshape) + layer.epsilon)
           ).astype(dtype, copy=False)
    mean = layer.moving_mean.data.reshape(pshape)
    scale = inv if layer.gamma is None else inv * layer.gamma.data.reshape(pshape)
    shift = -mean * scale
    if layer.beta is not None:
        shift = shift + layer.beta.data.reshape(pshape)
    scaled = graph.op("Mul", [x.name, graph.const(scale, f"{layer.name}/scale")],
                      hint=layer.name)
    return graph.op("Add", [scaled, graph.const(shift, f"{layer.name}/shift")],
                    hint=layer.name)


# ---- regularization: the identity at inference ------------------------------------------
def _identity(graph: OnnxGraph, layer, x: Value) -> str:
    return graph.op("Identity", [x.name], hint=layer.name)


for _cls in (L.Dropout, L.GaussianNoise, L.GaussianDropout, L.AlphaDropout):
    onnx_translation(_cls)(_identity)


# ---- merging ----------------------------------------------------------------------------
def _chain(op_type: str):
    """Fold the inputs pairwise, left to right, as the layer reduces them."""

    def translate(graph: OnnxGraph, layer, xs: list[Value]) -> str:
        out = xs[0].name
        for x in xs[1:]:
            out = graph.op(op_type, [out, x.name], hint=layer.name)
        return out if len(xs) > 1 else graph.op("Identity", [out], hint=layer.name)

    return translate


onnx_translation(L.Add)(_chain("Add"))
onnx_translation(L.Subtract)(_chain("Sub"))
onnx_translation(L.Multiply)(_chain("Mul"))
onnx_translation(L.Maximum)(_chain("Max"))
onnx_translation(L.Minimum)(_chain("Min"))


@onnx_translation(L.Average)
def _average(graph: OnnxGraph, layer: L.Average, xs: list[Value]) -> str:
    total = _chain("Add")(graph, layer, xs)
    return graph.op("Mul", [total, graph.const(1.0 / len(xs), f"{layer.name}/inv_n")],
                    hint=layer.name)


@onnx_translation(L.Concatenate)
def _concatenate(graph: OnnxGraph, layer: L.Concatenate, xs: list[Value]) -> str:
    return graph.op("Concat", [x.name for x in xs], hint=layer.name, axis=layer.axis)


def _l2_normalize(graph: OnnxGraph, x: str, axis: int, hint: str) -> str:
    square = graph.op("Mul", [x, x], hint=hint)
    total = graph.op("ReduceSum", [square, graph.ints([axis], f"{hint}/axes")], hint=hint,
                     keepdims=1)
    floor = graph.op("Max", [total, graph.const(1e-12, f"{hint}/eps")], hint=hint)
    return graph.op("Div", [x, graph.op("Sqrt", [floor], hint=hint)], hint=hint)


@onnx_translation(L.Dot)
def _dot(graph: OnnxGraph, layer: L.Dot, xs: list[Value]) -> str:
    """The per-sample product as the layer does it: move the summed axes to the inside,
    flatten the rest, one batched MatMul, and reshape back."""
    x, y = xs
    ax, ay = layer._resolved_axes([x.shape, y.shape])
    a, b = x.name, y.name
    if layer.normalize:
        a = _l2_normalize(graph, a, ax, f"{layer.name}/x")
        b = _l2_normalize(graph, b, ay, f"{layer.name}/y")
    x_rest = [d for i, d in enumerate(x.shape) if i not in (0, ax)]
    y_rest = [d for i, d in enumerate(y.shape) if i not in (0, ay)]
    n = x.shape[ax]
    xt = graph.op("Transpose", [a], hint=layer.name,
                  perm=[0] + [i for i in range(1, x.rank) if i != ax] + [ax])
    yt = graph.op("Transpose", [b], hint=layer.name,
                  perm=[0, ay] + [i for i in range(1, y.rank) if i != ay])
    xm = graph.op("Reshape", [xt, graph.ints([0, math.prod(x_rest), n], f"{layer.name}/xs")],
                  hint=layer.name)
    ym = graph.op("Reshape", [yt, graph.ints([0, n, math.prod(y_rest)], f"{layer.name}/ys")],
                  hint=layer.name)
    out = graph.op("MatMul", [xm, ym], hint=layer.name)
    target = [0, *x_rest, *y_rest] if x_rest or y_rest else [0, 1]
    return graph.op("Reshape", [out, graph.ints(target, f"{layer.name}/shape")],
                    hint=layer.name)


# ---- the Keras 3 breadth layers ---------------------------------------------------------
@onnx_translation(L.ReLU)
def _relu_layer(graph: OnnxGraph, layer: L.ReLU, x: Value) -> str:
    """where(x > threshold, x (capped at max_value), negative_slope * (x - threshold))."""
    name = layer.name
    top = x.name if layer.max_value is None else graph.op(
        "Clip", [x.name, graph.const(0.0, f"{name}/zero"),
                 graph.const(layer.max_value, f"{name}/max")], hint=name)
    if layer.negative_slope == 0.0 and layer.threshold == 0.0:
        return graph.op("Relu", [top], hint=name) if layer.max_value is None else top
    threshold = graph.const(layer.threshold, f"{name}/threshold")
    below = graph.op("Mul", [graph.op("Sub", [x.name, threshold], hint=name),
                             graph.const(layer.negative_slope, f"{name}/slope")], hint=name)
    above = graph.op("Greater", [x.name, threshold], hint=name)
    return graph.op("Where", [above, top, below], hint=name)


@onnx_translation(L.LeakyReLU)
def _leaky_relu_layer(graph: OnnxGraph, layer: L.LeakyReLU, x: Value) -> str:
    return graph.op("LeakyRelu", [x.name], hint=layer.name, alpha=layer.negative_slope)


@onnx_translation(L.ELU)
def _elu_layer(graph: OnnxGraph, layer: L.ELU, x: Value) -> str:
    return graph.op("Elu", [x.name], hint=layer.name, alpha=layer.alpha)


@onnx_translation(L.PReLU)
def _prelu_layer(graph: OnnxGraph, layer: L.PReLU, x: Value) -> str:
    slope = graph.const(layer.alpha.data, f"{layer.name}/alpha")
    return graph.op("PRelu", [x.name, slope], hint=layer.name)


def _axes_of(axis, rank: int) -> list[int]:
    items = [axis] if isinstance(axis, int) else list(axis)
    return sorted({int(a) % rank for a in items})


@onnx_translation(L.Softmax)
def _softmax_layer(graph: OnnxGraph, layer: L.Softmax, x: Value) -> str:
    if isinstance(layer.axis, int):
        return graph.op("Softmax", [x.name], hint=layer.name, axis=layer.axis)
    axes = graph.ints(_axes_of(layer.axis, x.rank), f"{layer.name}/axes")
    top = graph.op("ReduceMax", [x.name, axes], hint=layer.name, keepdims=1)
    e = graph.op("Exp", [graph.op("Sub", [x.name, top], hint=layer.name)], hint=layer.name)
    total = graph.op("ReduceSum", [e, axes], hint=layer.name, keepdims=1)
    return graph.op("Div", [e, total], hint=layer.name)


def _broadcast_param(graph: OnnxGraph, weight, axes: list[int], rank: int, hint: str) -> str:
    shape = [1] * rank
    for a, d in zip(axes, weight.shape, strict=True):
        shape[a] = d
    return graph.const(weight.data.reshape(shape), hint)


def _rsqrt(graph: OnnxGraph, value: str, epsilon: float, hint: str) -> str:
    shifted = graph.op("Add", [value, graph.const(epsilon, f"{hint}/epsilon")], hint=hint)
    return graph.op("Pow", [shifted, graph.const(-0.5, f"{hint}/minus_half")], hint=hint)


@onnx_translation(L.LayerNormalization)
def _layer_normalization(graph: OnnxGraph, layer, x: Value) -> str:
    name, axes_list = layer.name, _axes_of(layer.axis, x.rank)
    axes = graph.ints(axes_list, f"{name}/axes")
    mean = graph.op("ReduceMean", [x.name, axes], hint=name, keepdims=1)
    centered = graph.op("Sub", [x.name, mean], hint=name)
    var = graph.op("ReduceMean", [graph.op("Mul", [centered, centered], hint=name), axes],
                   hint=name, keepdims=1)
    out = graph.op("Mul", [centered, _rsqrt(graph, var, layer.epsilon, name)], hint=name)
    if layer.gamma is not None:
        out = graph.op("Mul", [out, _broadcast_param(graph, layer.gamma, axes_list, x.rank,
                                                     f"{name}/gamma")], hint=name)
    if layer.beta is not None:
        out = graph.op("Add", [out, _broadcast_param(graph, layer.beta, axes_list, x.rank,
                                                     f"{name}/beta")], hint=name)
    return out


@onnx_translation(L.RMSNormalization)
def _rms_normalization(graph: OnnxGraph, layer, x: Value) -> str:
    name, axes_list = layer.name, _axes_of(layer.axis, x.rank)
    square = graph.op("Mul", [x.name, x.name], hint=name)
    ms = graph.op("ReduceMean", [square, graph.ints(axes_list, f"{name}/axes")], hint=name,
                  keepdims=1)
    out = graph.op("Mul", [x.name, _rsqrt(graph, ms, layer.epsilon, name)], hint=name)
    return graph.op("Mul", [out, _broadcast_param(graph, layer.scale, axes_list, x.rank,
                                                  f"{name}/scale")], hint=name)


@onnx_translation(L.UnitNormalization)
def _unit_normalization(graph: OnnxGraph, layer, x: Value) -> str:
    name = layer.name
    square = graph.op("Mul", [x.name, x.name], hint=name)
    total = graph.op("ReduceSum", [square, graph.ints(_axes_of(layer.axis, x.rank),
                                                      f"{name}/axes")], hint=name, keepdims=1)
    floor = graph.op("Max", [total, graph.const(1e-24, f"{name}/floor")], hint=name)
    inv = graph.op("Pow", [floor, graph.const(-0.5, f"{name}/minus_half")], hint=name)
    return graph.op("Mul", [x.name, inv], hint=name)


for _cls in (L.Identity, L.ActivityRegularization):
    onnx_translation(_cls)(_identity)


@onnx_translation(L.Rescaling)
def _rescaling(graph: OnnxGraph, layer, x: Value) -> str:
    scaled = graph.op("Mul", [x.name, graph.const(np.asarray(layer.scale, np.float32),
                                                  f"{layer.name}/scale")], hint=layer.name)
    return graph.op("Add", [scaled, graph.const(np.asarray(layer.offset, np.float32),
                                                f"{layer.name}/offset")], hint=layer.name)
