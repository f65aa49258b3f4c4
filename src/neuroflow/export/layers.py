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
