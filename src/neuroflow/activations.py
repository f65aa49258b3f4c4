"""Activation functions (Keras `keras.activations`), each one node of the graph.

Every function takes a Tensor (or anything array-like) and returns a Tensor whose
gradient flows back to the input. With default arguments they run the activation
kernels of `autodiff.nn_ops`; `kernel_for(fn)` hands those kernels to layers that fuse
matmul + bias + activation into one op. `softmax` (last axis) and `sigmoid` outputs
carry their input in `_keras_logits`, so cross-entropy losses can work from the logits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import nn_ops, reduce_ops, shape_ops
from neuroflow.autodiff.nn_ops import KERNELS, ActivationKernel
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor
from neuroflow.backend._registry import resolve

__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign", "elu",
    "selu", "leaky_relu", "gelu", "silu", "swish", "exponential", "hard_sigmoid", "relu6",
    "mish", "linear", "celu", "glu", "hard_shrink", "hard_silu", "hard_swish", "hard_tanh",
    "log_sigmoid", "soft_shrink", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus",
    "tanh_shrink", "threshold", "get", "serialize", "deserialize", "kernel_for",
]


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _apply(x: Any, kernel: ActivationKernel) -> Tensor:
    return nn_ops.activation(_tensor(x), kernel)


def _relu_kernel(
    negative_slope: float, max_value: float | None, threshold: float
) -> ActivationKernel:
    """ReLU with a slope below `threshold` and an optional cap, as Keras' `relu` defines it."""
    slope, cap, thr = float(negative_slope), max_value, float(threshold)

    def forward(z):
        above = z > thr
        top = z if cap is None else np.clip(z, 0, cap)
        return np.where(above, top, slope * (z - thr)).astype(z.dtype, copy=False)

    def backward(g, z, a):
        above = z > thr
        if cap is None:
            d = np.where(above, 1.0, slope)
        else:
            d = np.where(above, (z > 0) & (z < cap), slope)
        return g * d.astype(g.dtype, copy=False)

    return ActivationKernel("relu", forward, backward)


def _log_softmax_forward(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


def _log_softmax_backward(g, z, a):
    return g - np.exp(a) * g.sum(axis=-1, keepdims=True)


_LOG_SOFTMAX = ActivationKernel("log_softmax", _log_softmax_forward, _log_softmax_backward)


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """max(x, 0); with `negative_slope` below `threshold`, capped at `max_value`."""
    if max_value is not None and max_value < 0:
        raise ValueError(f"relu: expected max_value >= 0 or None, received {max_value!r}")
    if negative_slope < 0:
        raise ValueError(f"relu: expected negative_slope >= 0, received {negative_slope!r}")
    if negative_slope == 0.0 and threshold == 0.0:
        if max_value is None:
            return _apply(x, KERNELS["relu"])
        if max_value == 6:
            return _apply(x, KERNELS["relu6"])
    return _apply(x, _relu_kernel(negative_slope, max_value, threshold))


def relu6(x: Any) -> Tensor:
    """min(max(x, 0), 6)."""
    return _apply(x, KERNELS["relu6"])


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    if negative_slope == 0.2:
        return _apply(x, KERNELS["leaky_relu"])
    return _apply(x, nn_ops.leaky_relu_kernel(float(negative_slope)))


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    if alpha == 1.0:
        return _apply(x, KERNELS["elu"])
    return _apply(x, nn_ops.elu_kernel(float(alpha)))


def selu(x: Any) -> Tensor:
    """Scaled ELU with the self-normalizing constants (alpha≈1.6733, scale≈1.0507)."""
    return _apply(x, KERNELS["selu"])


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + exp(-x)); the output remembers `x` as its logits."""
    x = _tensor(x)
    out = nn_ops.activation(x, KERNELS["sigmoid"])
    out._keras_logits = x
    return out


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent."""
    return _apply(x, KERNELS["tanh"])


def softmax(x: Any, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`; over the last axis the output remembers `x`."""
    x = _tensor(x)
    if x.ndim == 0:
        raise ValueError("softmax: expected an input with at least 1 dimension, received a scalar")
    out = nn_ops.softmax(x, axis=axis)
    if axis in (-1, x.ndim - 1):
        out._keras_logits = x
    return out


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log(softmax(x)) along `axis`, computed without overflow."""
    x = _tensor(x)
    if axis in (-1, x.ndim - 1):
        return nn_ops.activation(x, _LOG_SOFTMAX)
    return nn_ops.log_softmax(x, axis=axis)


def softplus(x: Any) -> Tensor:
    """log(1 + exp(x))."""
    return _apply(x, KERNELS["softplus"])


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|)."""
    return _apply(x, KERNELS["softsign"])


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit x * Phi(x); `approximate=True` uses the tanh formula."""
    return _apply(x, KERNELS["gelu_tanh" if approximate else "gelu"])


def silu(x: Any) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return _apply(x, KERNELS["silu"])


swish = silu


def exponential(x: Any) -> Tensor:
    """exp(x)."""
    return _apply(x, KERNELS["exponential"])


def hard_sigmoid(x: Any) -> Tensor:
    """Piecewise-linear sigmoid: clip(x / 6 + 0.5, 0, 1)."""
    return _apply(x, KERNELS["hard_sigmoid"])


def mish(x: Any) -> Tensor:
    """x * tanh(softplus(x))."""
    return _apply(x, KERNELS["mish"])


def linear(x: Any) -> Tensor:
    """The identity: returns `x` (as a Tensor) unchanged."""
    return _tensor(x)


# ---- composed activations (Keras 3's definitions, built from autodiff ops) ---------------
def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, `alpha * (exp(x / alpha) - 1)` otherwise (continuously differentiable)."""
    x = _tensor(x)
    negative = m.multiply(m.expm1(m.divide(m.minimum(x, 0.0), float(alpha))), float(alpha))
    return m.add(m.maximum(x, 0.0), negative)


def glu(x: Any, axis: int = -1) -> Tensor:
    """Gated linear unit: the first half of `axis` times the sigmoid of the second half."""
    x = _tensor(x)
    size = x.shape[axis]
    if size % 2:
        raise ValueError(f"glu: axis size must be divisible by 2, received x.shape={x.shape} "
                         f"with axis={axis}")
    ax = axis % x.ndim
    first = tuple(slice(None) if i != ax else slice(0, size // 2) for i in range(x.ndim))
    second = tuple(slice(None) if i != ax else slice(size // 2, size) for i in range(x.ndim))
    return m.multiply(shape_ops.getitem(x, first), sigmoid(shape_ops.getitem(x, second)))


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """x where |x| > threshold, 0 elsewhere."""
    x = _tensor(x)
    return m.multiply(x, (np.abs(x.data) > threshold).astype(x.dtype))


def hard_silu(x: Any) -> Tensor:
    """x * hard_sigmoid(x), i.e. x * relu6(x + 3) / 6."""
    x = _tensor(x)
    return m.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def hard_tanh(x: Any) -> Tensor:
    """clip(x, -1, 1)."""
    return m.clip(_tensor(x), -1.0, 1.0)


def log_sigmoid(x: Any) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow."""
    return m.negative(softplus(m.negative(_tensor(x))))


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """x - threshold above it, x + threshold below -threshold, 0 between."""
    x = _tensor(x)
    return m.subtract(x, m.clip(x, -float(threshold), float(threshold)))


def sparse_plus(x: Any) -> Tensor:
    """0 for x <= -1, (x + 1)**2 / 4 for |x| < 1, x for x >= 1."""
    x = _tensor(x)
    middle = m.multiply(m.square(m.add(m.clip(x, -1.0, 1.0), 1.0)), 0.25)
    return m.where(x.data >= 1, x, middle)


def sparse_sigmoid(x: Any) -> Tensor:
    """0 for x <= -1, (x + 1) / 2 for |x| < 1, 1 for x >= 1."""
    return m.multiply(m.add(m.clip(_tensor(x), -1.0, 1.0), 1.0), 0.5)


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """The Euclidean projection of x onto the probability simplex along `axis`: like
    softmax, but it gives exactly zero to the smallest entries."""
    x = _tensor(x)
    z = np.moveaxis(x.data, axis, -1)
    ordered = -np.sort(-z, axis=-1)
    ranks = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    in_support = ordered - (np.cumsum(ordered, axis=-1) - 1) / ranks > 0
    k = in_support.sum(axis=-1, keepdims=True)
    kth = np.take_along_axis(ordered, k - 1, axis=-1)
    support = np.moveaxis((z >= kth).astype(z.dtype), -1, axis)
    # tau = (sum of the support - 1) / k; differentiating it through the support's sum
    # gives sparsemax's Jacobian (constant on each region where the support is fixed)
    total = reduce_ops.sum(m.multiply(x, support), axis=axis, keepdims=True)
    tau = m.divide(m.subtract(total, 1.0), np.moveaxis(k, -1, axis).astype(z.dtype))
    return m.maximum(m.subtract(x, tau), 0.0)


def squareplus(x: Any, b: float = 4) -> Tensor:
    """(x + sqrt(x**2 + b)) / 2, a smooth ReLU."""
    x = _tensor(x)
    return m.multiply(m.add(x, m.sqrt(m.add(m.square(x), float(b)))), 0.5)


def tanh_shrink(x: Any) -> Tensor:
    """x - tanh(x)."""
    x = _tensor(x)
    return m.subtract(x, m.tanh(x))


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    """x where x > threshold, `default_value` elsewhere."""
    x = _tensor(x)
    return m.where(x.data > threshold, x, float(default_value))


_BY_NAME: dict[str, Callable] = {
    "relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "elu": elu, "selu": selu,
    "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax, "log_softmax": log_softmax,
    "softplus": softplus, "softsign": softsign, "gelu": gelu, "silu": silu, "swish": silu,
    "exponential": exponential, "hard_sigmoid": hard_sigmoid, "mish": mish, "linear": linear,
    "celu": celu, "glu": glu, "hard_shrink": hard_shrink, "hard_silu": hard_silu,
    "hard_swish": hard_silu, "hard_tanh": hard_tanh, "log_sigmoid": log_sigmoid,
    "soft_shrink": soft_shrink, "sparse_plus": sparse_plus, "sparse_sigmoid": sparse_sigmoid,
    "sparsemax": sparsemax, "squareplus": squareplus, "tanh_shrink": tanh_shrink,
    "threshold": threshold,
}

_KERNEL_OF: dict[Callable, ActivationKernel] = {
    relu: KERNELS["relu"], relu6: KERNELS["relu6"], leaky_relu: KERNELS["leaky_relu"],
    elu: KERNELS["elu"], selu: KERNELS["selu"], sigmoid: KERNELS["sigmoid"],
    tanh: KERNELS["tanh"], softmax: KERNELS["softmax"], log_softmax: _LOG_SOFTMAX,
    softplus: KERNELS["softplus"], softsign: KERNELS["softsign"], gelu: KERNELS["gelu"],
    silu: KERNELS["silu"], exponential: KERNELS["exponential"],
    hard_sigmoid: KERNELS["hard_sigmoid"], mish: KERNELS["mish"], linear: KERNELS["linear"],
}


def kernel_for(fn: Callable | None) -> ActivationKernel | None:
    """The fused `nn_ops` kernel of a built-in activation used with default arguments.

    None (the identity) gives the linear kernel; custom callables give None, so the
    caller applies them as ordinary functions.
    """
    if fn is None:
        return KERNELS["linear"]
    try:
        return _KERNEL_OF.get(fn)
    except TypeError:  # unhashable callable
        return None


def get(identifier: str | Callable | dict | None) -> Callable:
    """An activation function from None ('linear'), a name, a serialized dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return resolve(identifier, _BY_NAME, "activation")
    if callable(identifier):
        return identifier
    raise ValueError(
        "activations.get: expected None, an activation name, a dict or a callable, "
        f"received {identifier!r} of type {type(identifier).__name__}"
    )


def serialize(activation: Callable) -> str:
    """The name of an activation function ('relu', 'silu', ... or a custom function's name)."""
    fn = activation
    for name, known in _BY_NAME.items():
        if known is fn:
            return name
    name = getattr(fn, "__name__", None)
    if name is None or not callable(fn):
        raise ValueError(
            f"activations.serialize: expected an activation function, received {fn!r}"
        )
    return name


def deserialize(config: str | dict, custom_objects: dict | None = None) -> Callable:
    """The activation named by `config` (a name or a Keras-style dict with a name)."""
    table = {**_BY_NAME, **(custom_objects or {})}
    if isinstance(config, dict):
        name = config.get("config")
        if not isinstance(name, str):
            name = config.get("class_name")
        if not isinstance(name, str) or name == "function":
            raise ValueError(
                "activations.deserialize: expected a dict whose 'config' names an "
                f"activation, received {config!r}"
            )
        config = name
    if not isinstance(config, str):
        raise ValueError(
            f"activations.deserialize: expected a name or a dict, received {config!r}"
        )
    return resolve(config, table, "activation")
