"""Neural-network primitives: activations, the fused dense op, fused cross-entropies.

An activation kernel is a pair of raw-array functions: `forward(z) -> a` and
`backward(g, z, a) -> dz`. The same kernels serve the stand-alone activation primitive
and the fused `dense` primitive (matmul + bias + activation as one node of the graph).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from neuroflow.autodiff.axes import normalize_axis
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor

__all__ = [
    "ActivationKernel", "KERNELS", "activation", "dense", "softmax", "log_softmax",
    "sparse_softmax_cross_entropy", "softmax_cross_entropy", "sigmoid_cross_entropy",
    "erf",
]


@dataclass(frozen=True)
class ActivationKernel:
    """Forward and backward of an element-wise (or last-axis) activation."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    in_place: bool = False  # forward may overwrite z (backward then never reads z)
    # whether `backward` never reads z, so a fused op need not keep it (derived)
    needs_no_input: bool = field(init=False, compare=False, repr=False)
    # the identity (linear): a fused op skips both calls (derived)
    identity: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs_no_input", self.in_place or self.name == "linear")
        object.__setattr__(self, "identity", self.name == "linear")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


# np.maximum against a Python scalar takes a stride-0 loop that misses NumPy's SIMD one
# (NumPy 2.4: 63 vs 12 us on a (14, 32, 99) float32 array, 50 vs 25 us at (200, 300)
# float64), so relu compares with a zeros array of its input's shape, kept per shape for
# the activation buffers a training loop passes every step (read-only, at most 1 MiB
# each; larger arrays are memory-bound either way and use the scalar).
_ZEROS_BYTES = 1 << 20
_ZEROS_SHAPES = 64
_zeros: dict[tuple, np.ndarray] = {}


def _zeros_like(z: np.ndarray) -> np.ndarray | int:
    if z.nbytes > _ZEROS_BYTES:
        return 0
    key = (z.shape, z.dtype)
    zeros = _zeros.get(key)
    if zeros is None:
        if len(_zeros) >= _ZEROS_SHAPES:
            _zeros.clear()
        zeros = np.zeros(z.shape, z.dtype)
        zeros.flags.writeable = False
        _zeros[key] = zeros
    return zeros


def _relu_forward(z):
    return np.maximum(z, _zeros_like(z), out=z)


def _softmax_forward(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _softmax_backward(g, z, a):
    return a * (g - (g * a).sum(axis=-1, keepdims=True))


_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def erf(x: np.ndarray) -> np.ndarray:
    """The error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                         + t * 1.061405429))))
    return (s * (1.0 - poly * np.exp(-a * a))).astype(x.dtype, copy=False)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """Phi(z) = erfc(-z / sqrt 2) / 2, with relative error < 1.2e-7 even deep in the tail.

    erfc is the Chebyshev fit of Numerical Recipes (erfcc); 1 + erf(z) would lose every
    digit of the small values that gelu takes for negative z.
    """
    x = np.abs(z) / _SQRT_2
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    tail = 0.5 * t * np.exp(poly - x * x)  # Phi(-|z|)
    return np.where(z < 0, tail, 1.0 - tail).astype(z.dtype, copy=False)


def _gelu_forward(z):
    return z * _normal_cdf(z)


def _gelu_backward(g, z, a):
    cdf = _normal_cdf(z)
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return g * (cdf + z * pdf)


def _gelu_tanh_forward(z):
    return 0.5 * z * (1 + np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3)))


def _gelu_tanh_backward(g, z, a):
    u = _SQRT_2_OVER_PI * (z + 0.044715 * z**3)
    t = np.tanh(u)
    du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z)
    return g * (0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du)


def _elu(alpha: float) -> ActivationKernel:
    return ActivationKernel(
        "elu",
        lambda z: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
        .astype(z.dtype, copy=False),
        lambda g, z, a: g * np.where(z > 0, 1, a + alpha).astype(g.dtype, copy=False),
    )


def leaky_relu_kernel(negative_slope: float) -> ActivationKernel:
    """Leaky ReLU with the given slope for negative inputs."""
    slope = negative_slope
    return ActivationKernel(
        "leaky_relu",
        lambda z: np.where(z > 0, z, slope * z).astype(z.dtype, copy=False),
        lambda g, z, a: g * np.where(z > 0, 1, slope).astype(g.dtype, copy=False),
    )


def elu_kernel(alpha: float) -> ActivationKernel:
    """ELU with the given alpha."""
    return _elu(alpha)


def _swish_forward(z):
    return z * _sigmoid(z)


def _swish_backward(g, z, a):
    s = _sigmoid(z)
    return g * (s + z * s * (1 - s))


KERNELS: dict[str, ActivationKernel] = {
    "linear": ActivationKernel("linear", lambda z: z, lambda g, z, a: g),
    "relu": ActivationKernel("relu", _relu_forward, lambda g, z, a: g * (a > 0), in_place=True),
    "relu6": ActivationKernel(
        "relu6", lambda z: np.clip(z, 0, 6, out=z), lambda g, z, a: g * ((a > 0) & (a < 6)),
        in_place=True,
    ),
    "sigmoid": ActivationKernel("sigmoid", _sigmoid, lambda g, z, a: g * a * (1 - a)),
    "tanh": ActivationKernel("tanh", np.tanh, lambda g, z, a: g * (1 - a * a)),
    "softmax": ActivationKernel("softmax", _softmax_forward, _softmax_backward),
    "softplus": ActivationKernel(
        "softplus", lambda z: np.logaddexp(0, z).astype(z.dtype, copy=False),
        lambda g, z, a: g * _sigmoid(z),
    ),
    "softsign": ActivationKernel(
        "softsign", lambda z: z / (1 + np.abs(z)), lambda g, z, a: g / (1 + np.abs(z)) ** 2
    ),
    "elu": _elu(1.0),
    "selu": ActivationKernel(
        "selu",
        lambda z: (_SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))))
        .astype(z.dtype, copy=False),
        lambda g, z, a: g * np.where(z > 0, _SELU_SCALE, a + _SELU_SCALE * _SELU_ALPHA)
        .astype(g.dtype, copy=False),
    ),
    "leaky_relu": leaky_relu_kernel(0.2),
    "gelu": ActivationKernel("gelu", _gelu_forward, _gelu_backward),
    "gelu_tanh": ActivationKernel("gelu_tanh", _gelu_tanh_forward, _gelu_tanh_backward),
    "swish": ActivationKernel("swish", _swish_forward, _swish_backward),
    "exponential": ActivationKernel("exponential", np.exp, lambda g, z, a: g * a),
    "hard_sigmoid": ActivationKernel(
        "hard_sigmoid",
        lambda z: np.clip(z / 6 + 0.5, 0, 1).astype(z.dtype, copy=False),
        lambda g, z, a: g * (((a > 0) & (a < 1)) / 6).astype(g.dtype, copy=False),
    ),
    "mish": ActivationKernel(
        "mish",
        lambda z: z * np.tanh(np.logaddexp(0, z)).astype(z.dtype, copy=False),
        lambda g, z, a: g * _mish_grad(z),
    ),
}
KERNELS["silu"] = KERNELS["swish"]


def _mish_grad(z):
    sp = np.logaddexp(0, z)
    t = np.tanh(sp)
    return t + z * (1 - t * t) * _sigmoid(z)


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _activation_fwd(z, kernel):
    a = kernel.forward(z.copy() if kernel.in_place else z)
    return a, (kernel, z, a)


def _activation_vjp(g, res, needs):
    kernel, z, a = res
    return (kernel.backward(g, z, a),)


ACTIVATION = Primitive("activation", _activation_fwd, _activation_vjp)


def activation(x, kernel: ActivationKernel) -> Tensor:
    """Apply an activation kernel as one node of the graph."""
    return ACTIVATION.bind(_t(x), kernel=kernel)


def _softmax_axis_fwd(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    a = e / e.sum(axis=axis, keepdims=True)
    return a, (a, axis)


def _softmax_axis_vjp(g, res, needs):
    a, axis = res
    return (a * (g - (g * a).sum(axis=axis, keepdims=True)),)


SOFTMAX_AXIS = Primitive("softmax", _softmax_axis_fwd, _softmax_axis_vjp)


def softmax(x, axis: int = -1) -> Tensor:
    x = _t(x)
    axis = normalize_axis(axis, x.ndim, "softmax")
    if axis == max(x.ndim, 1) - 1:
        return activation(x, KERNELS["softmax"])
    return SOFTMAX_AXIS.bind(x, axis=axis)


def _log_softmax_fwd(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return out, (out, axis)


def _log_softmax_vjp(g, res, needs):
    out, axis = res
    return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)


LOG_SOFTMAX = Primitive("log_softmax", _log_softmax_fwd, _log_softmax_vjp)


def log_softmax(x, axis: int = -1) -> Tensor:
    x = _t(x)
    return LOG_SOFTMAX.bind(x, axis=normalize_axis(axis, x.ndim, "log_softmax"))


def _dense_fwd(x, w, *bias, act):
    if x.ndim == 2:  # the hot case, without reshapes
        z = x @ w
        if bias:
            z += bias[0]
        a = z if act.identity else act.forward(z)
        return a, (x, x, w, None if act.needs_no_input else z, a, act)
    x2 = x.reshape(-1, x.shape[-1])
    z = x2 @ w
    if bias:
        z += bias[0]
    a = act.forward(z)
    out = a.reshape(x.shape[:-1] + (w.shape[1],))
    return out, (x, x2, w, None if act.needs_no_input else z, a, act)


_NO_OUT = (None, None, None)


def _dense_vjp(g, res, needs, out=_NO_OUT):
    x, x2, w, pre, a, act = res
    g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
    dz = g2 if act.identity else act.backward(g2, pre, a)
    gx = None
    if needs[0]:
        gx = dz @ w.T if x.ndim == 2 else (dz @ w.T).reshape(x.shape)
    gw = np.matmul(x2.T, dz, out=out[1]) if needs[1] else None
    if len(needs) == 2:
        return gx, gw
    return gx, gw, (np.add.reduce(dz, axis=0, out=out[2]) if needs[2] else None)


DENSE = Primitive("dense", _dense_fwd, _dense_vjp, vjp_out=True)


def dense(x: Tensor, kernel: Tensor, bias: Tensor | None, act: ActivationKernel) -> Tensor:
    """activation(x @ kernel + bias) as one node; x may have any number of leading axes."""
    if bias is None:
        return DENSE.bind(x, kernel, act=act)
    return DENSE.bind(x, kernel, bias, act=act)


def _labels(labels, dtype, like: np.ndarray | None = None, op: str = "") -> np.ndarray:
    """Labels as a constant array (of the logits' dtype when given: no float64 leak)."""
    out = np.asarray(labels.data if isinstance(labels, Tensor) else labels, dtype=dtype)
    if like is not None and out.shape != like.shape:
        raise ValueError(f"{op}: labels of shape {out.shape} for logits of shape {like.shape}")
    return out


def _sparse_ce_fwd(z, labels):
    n_classes = z.shape[-1]
    z2 = z.reshape(-1, n_classes)
    idx = labels.reshape(-1).astype(np.intp, copy=False)
    if idx.size != z2.shape[0]:
        raise ValueError(
            f"sparse_softmax_cross_entropy: {idx.size} labels for logits of shape {z.shape}"
        )
    if idx.size and (idx.min() < 0 or idx.max() >= n_classes):
        raise ValueError(
            f"sparse_softmax_cross_entropy: labels must lie in [0, {n_classes}), received "
            f"values from {idx.min()} to {idx.max()}"
        )
    shifted = z2 - z2.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1)
    rows = np.arange(len(idx))
    out = (np.log(s) - shifted[rows, idx]).reshape(z.shape[:-1])
    return out.astype(z.dtype, copy=False), (e, s, rows, idx, z.shape)


def _sparse_ce_vjp(g, res, needs):
    e, s, rows, idx, shape = res
    p = e / s[:, None]
    p[rows, idx] -= 1
    p *= g.reshape(-1, 1)
    return p.reshape(shape), None


SPARSE_SOFTMAX_CE = Primitive("sparse_softmax_cross_entropy", _sparse_ce_fwd, _sparse_ce_vjp)


def sparse_softmax_cross_entropy(logits: Tensor, labels: np.ndarray) -> Tensor:
    """Per-sample -log softmax(logits)[label], over the last axis."""
    labels = labels if isinstance(labels, Tensor) else Tensor(np.asarray(labels))
    return SPARSE_SOFTMAX_CE.bind(_t(logits), labels)


def _softmax_ce_fwd(z, labels, axis):
    labels = _labels(labels, z.dtype, z, "softmax_cross_entropy")
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=axis, keepdims=True)
    out = -(labels * (shifted - np.log(s))).sum(axis=axis)
    return out.astype(z.dtype, copy=False), (e, s, labels, axis)


def _softmax_ce_vjp(g, res, needs):
    e, s, labels, axis = res
    g = np.expand_dims(g, axis)
    return (e / s * labels.sum(axis=axis, keepdims=True) - labels) * g, None


SOFTMAX_CE = Primitive("softmax_cross_entropy", _softmax_ce_fwd, _softmax_ce_vjp)


def softmax_cross_entropy(logits: Tensor, labels: np.ndarray, axis: int = -1) -> Tensor:
    """Per-sample -sum(labels * log softmax(logits)) over `axis`."""
    return SOFTMAX_CE.bind(_t(logits), _t(labels), axis=axis)


def _sigmoid_ce_fwd(z, labels):
    labels = _labels(labels, z.dtype, z, "sigmoid_cross_entropy")
    out = np.maximum(z, 0) - z * labels + np.log1p(np.exp(-np.abs(z)))
    return out.astype(z.dtype, copy=False), (z, labels)


def _sigmoid_ce_vjp(g, res, needs):
    z, labels = res
    return g * (_sigmoid(z) - labels), None


SIGMOID_CE = Primitive("sigmoid_cross_entropy", _sigmoid_ce_fwd, _sigmoid_ce_vjp)


def sigmoid_cross_entropy(logits: Tensor, labels: np.ndarray) -> Tensor:
    """Element-wise binary cross-entropy of sigmoid(logits) against `labels`."""
    return SIGMOID_CE.bind(_t(logits), _t(labels))
