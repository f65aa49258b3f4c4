"""keras.ops.nn: activations, cross-entropies, normalizations and attention.

Activations that neuroflow's layers use run through the same activation kernels
(autodiff.nn_ops.KERNELS: one forward and one backward each); the rest are composed.
"""

from __future__ import annotations

import numpy as np

from neuroflow import backend
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import nn_ops
from neuroflow.autodiff import reduce_ops as r
from neuroflow.autodiff import shape_ops as s
from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops import _elementwise as e
from neuroflow.ops._dtypes import cast_to, float_tensor, result_type, to_array, to_tensor, values
from neuroflow.ops._linear import einsum
from neuroflow.ops._reduce import cumsum, sort
from neuroflow.ops._reduce import var as _var
from neuroflow.ops._shape import split
from neuroflow.ops._unsupported import unsupported_op

__all__ = [
    "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "log_sigmoid",
    "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu", "gelu", "celu",
    "glu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "threshold",
    "squareplus", "sparse_plus", "sparse_sigmoid", "sparsemax", "softmax", "log_softmax",
    "one_hot", "multi_hot", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "moments", "batch_normalization",
    "layer_normalization", "rms_normalization", "normalize", "psnr", "dot_product_attention",
    "conv", "conv_transpose", "depthwise_conv", "separable_conv", "average_pool", "max_pool",
    "adaptive_average_pool", "adaptive_max_pool", "depth_to_space", "space_to_depth", "fold",
    "unfold", "ctc_loss", "ctc_decode", "polar",
]


def _kernel(name: str):
    kernel = nn_ops.KERNELS[name]

    def op(x) -> Tensor:
        return nn_ops.activation(float_tensor(x), kernel)

    op.__name__ = op.__qualname__ = name
    return op


sigmoid = _kernel("sigmoid")
softplus = _kernel("softplus")
softsign = _kernel("softsign")
silu = _kernel("silu")
swish = silu
selu = _kernel("selu")
hard_sigmoid = _kernel("hard_sigmoid")


def relu(x) -> Tensor:
    x = to_tensor(x)
    if x.dtype.kind != "f":
        return Tensor(np.maximum(values(x), 0).astype(x.dtype))
    return nn_ops.activation(x, nn_ops.KERNELS["relu"])


def relu6(x) -> Tensor:
    x = to_tensor(x)
    if x.dtype.kind != "f":
        return Tensor(np.clip(values(x), 0, 6).astype(x.dtype))
    return nn_ops.activation(x, nn_ops.KERNELS["relu6"])


def log_sigmoid(x) -> Tensor:
    return m.negative(softplus(m.negative(float_tensor(x))))


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    return nn_ops.activation(float_tensor(x), nn_ops.leaky_relu_kernel(negative_slope))


def elu(x, alpha: float = 1.0) -> Tensor:
    return nn_ops.activation(float_tensor(x), nn_ops.elu_kernel(alpha))


def gelu(x, approximate: bool = True) -> Tensor:
    kernel = nn_ops.KERNELS["gelu_tanh" if approximate else "gelu"]
    return nn_ops.activation(float_tensor(x), kernel)


def hard_silu(x) -> Tensor:
    x = float_tensor(x)
    return m.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def celu(x, alpha: float = 1.0) -> Tensor:
    x = float_tensor(x)
    neg = m.multiply(m.expm1(m.divide(m.minimum(x, 0.0), alpha)), alpha)
    return m.add(m.maximum(x, 0.0), neg)


def glu(x, axis: int = -1) -> Tensor:
    x = float_tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even length, received {x.shape}")
    a, b = split(x, 2, axis)
    return m.multiply(a, sigmoid(b))


def hard_tanh(x) -> Tensor:
    return m.clip(float_tensor(x), -1.0, 1.0)


def hard_shrink(x, threshold: float = 0.5) -> Tensor:
    x = float_tensor(x)
    return m.where(np.abs(values(x)) > threshold, x, np.zeros((), x.dtype))


def soft_shrink(x, threshold: float = 0.5) -> Tensor:
    x = float_tensor(x)
    zero = np.zeros((), x.dtype)
    return m.where(values(x) > threshold, m.subtract(x, threshold),
                   m.where(values(x) < -threshold, m.add(x, threshold), zero))


def tanh_shrink(x) -> Tensor:
    x = float_tensor(x)
    return m.subtract(x, m.tanh(x))


def threshold(x, threshold: float, default_value: float) -> Tensor:
    x = to_tensor(x)
    return m.where(values(x) > threshold, x, np.asarray(default_value, x.dtype))


def squareplus(x, b: float = 4) -> Tensor:
    x = float_tensor(x)
    return m.multiply(m.add(x, m.sqrt(m.add(m.square(x), b))), 0.5)


def sparse_plus(x) -> Tensor:
    x = float_tensor(x)
    quad = m.multiply(m.square(m.add(x, 1.0)), 0.25)
    return m.where(values(x) <= -1, np.zeros((), x.dtype), m.where(values(x) >= 1, x, quad))


def sparse_sigmoid(x) -> Tensor:
    x = float_tensor(x)
    mid = m.multiply(m.add(x, 1.0), 0.5)
    return m.where(values(x) <= -1, np.zeros((), x.dtype),
                   m.where(values(x) >= 1, np.ones((), x.dtype), mid))


def sparsemax(x, axis: int = -1) -> Tensor:
    """Euclidean projection onto the simplex (Martins & Astudillo, 2016)."""
    x = float_tensor(x)
    z = m.negative(sort(m.negative(x), axis=axis))  # descending
    n = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = n
    k = np.arange(1, n + 1, dtype=x.dtype).reshape(shape)
    cs = cumsum(z, axis=axis)
    support = (1 + k * values(z)) > values(cs)
    k_z = support.sum(axis=axis, keepdims=True)
    from neuroflow.ops._shape import take_along_axis

    tau = m.divide(m.subtract(take_along_axis(cs, k_z - 1, axis=axis), 1.0),
                   k_z.astype(x.dtype))
    return m.maximum(m.subtract(x, tau), 0.0)


def softmax(x, axis: int = -1) -> Tensor:
    x = float_tensor(x)
    if axis is None:
        return s.reshape(nn_ops.softmax(s.reshape(x, (-1,))), x.shape)
    return nn_ops.softmax(x, axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    x = float_tensor(x)
    if axis is None:
        return s.reshape(nn_ops.log_softmax(s.reshape(x, (-1,))), x.shape)
    return nn_ops.log_softmax(x, axis=axis)


def one_hot(x, num_classes: int, axis: int = -1, dtype=None, sparse: bool = False) -> Tensor:
    """One-hot rows; indices outside [0, num_classes) give rows of zeros, as in Keras."""
    if sparse:
        raise NotImplementedError("one_hot: neuroflow has no sparse tensors (sparse=True)")
    idx = to_array(x)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, received dtype {idx.dtype}")
    out = idx[..., None] == np.arange(int(num_classes))
    out = np.moveaxis(out, -1, axis)
    return Tensor(out.astype(dtype or backend.floatx()))


def multi_hot(inputs, num_classes: int | None = None, axis: int = -1, dtype=None,
              sparse: bool = False, **kwargs) -> Tensor:
    """Rows with a 1 at every index a sample lists (a 1-D input is one sample)."""
    num_classes = kwargs.pop("num_tokens", num_classes)
    if kwargs:
        raise TypeError(f"multi_hot: unexpected arguments {sorted(kwargs)}")
    if num_classes is None:
        raise ValueError("multi_hot: num_classes is required")
    idx = to_array(inputs)
    encoded = one_hot(idx, num_classes, axis=-1, dtype=dtype, sparse=sparse).data
    out = encoded.max(axis=-2) if idx.ndim > 1 else encoded.max(axis=0)
    if idx.ndim > 1:
        out = np.moveaxis(out, -1, axis)
    return Tensor(out)


def _float_pair(target, output) -> tuple[Tensor, Tensor]:
    output = float_tensor(output)
    target = cast_to(target, output.dtype.name)
    if target.shape != output.shape:
        raise ValueError(
            f"target and output must have the same shape, received {target.shape} and "
            f"{output.shape}"
        )
    return target, output


def binary_crossentropy(target, output, from_logits: bool = False) -> Tensor:
    """Element-wise binary cross-entropy (probabilities clipped to [eps, 1 - eps])."""
    t, o = _float_pair(target, output)
    if from_logits:
        stable = m.add(m.maximum(o, 0.0), m.log1p(m.exp(m.negative(m.abs(o)))))
        return m.subtract(stable, m.multiply(o, t))
    eps = backend.epsilon()
    o = m.clip(o, eps, 1.0 - eps)
    pos = m.multiply(t, m.log(o))
    neg = m.multiply(m.subtract(1.0, t), m.log(m.subtract(1.0, o)))
    return m.negative(m.add(pos, neg))


def _log_probs(output: Tensor, from_logits: bool, axis: int) -> Tensor:
    if from_logits:
        return nn_ops.log_softmax(output, axis=axis)
    eps = backend.epsilon()
    probs = m.divide(output, r.sum(output, axis=axis, keepdims=True))
    return m.log(m.clip(probs, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    t, o = _float_pair(target, output)
    return m.negative(r.sum(m.multiply(t, _log_probs(o, from_logits, axis)), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    o = float_tensor(output)
    labels = to_array(target)
    if labels.ndim == o.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != o.shape[:axis % o.ndim] + o.shape[axis % o.ndim + 1:]:
        raise ValueError(
            f"sparse_categorical_crossentropy: target of shape {labels.shape} for output of "
            f"shape {o.shape}; target must have the output's shape without the class axis"
        )
    encoded = one_hot(labels.astype(np.int64), o.shape[axis], axis=axis, dtype=o.dtype)
    return m.negative(r.sum(m.multiply(encoded, _log_probs(o, from_logits, axis)),
                            axis=axis))


def moments(x, axes, keepdims: bool = False, synchronized: bool = False):
    """(mean, variance) over `axes`; float16 inputs are reduced in float32."""
    x = float_tensor(x)
    source = x.dtype.name
    if source == "float16":
        x = cast_to(x, "float32")
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    mean = r.mean(x, axis=axes, keepdims=True)
    variance = r.mean(m.square(m.subtract(x, mean)), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = s.squeeze(mean, axes)
    return cast_to(mean, source), cast_to(variance, source)


def _along(v, axis: int, ndim: int, shape, dtype: str) -> Tensor:
    v = cast_to(v, dtype)
    if v.ndim == 1 and ndim > 1:
        full = [1] * ndim
        full[axis % ndim] = shape[axis % ndim]
        v = s.reshape(v, tuple(full))
    return v


def batch_normalization(x, mean, variance, axis: int, offset=None, scale=None,
                        epsilon: float = 1e-3) -> Tensor:
    x = float_tensor(x)
    dt = x.dtype.name

    def along(v):
        return _along(v, axis, x.ndim, x.shape, dt)

    inv = m.divide(1.0, m.sqrt(m.add(along(variance), epsilon)))
    if scale is not None:
        inv = m.multiply(inv, along(scale))
    out = m.multiply(m.subtract(x, along(mean)), inv)
    return out if offset is None else m.add(out, along(offset))


def _compute(x) -> tuple[Tensor, str]:
    x = float_tensor(x)
    source = x.dtype.name
    return cast_to(x, result_type(source, "float32")), source


def _broadcast_param(v, axes: list[int], x: Tensor) -> Tensor:
    v = cast_to(v, x.dtype.name)
    if v.ndim != x.ndim and axes != [x.ndim - 1]:
        shape = [1] * x.ndim
        for a in axes:
            shape[a] = x.shape[a]
        v = s.reshape(v, tuple(shape))
    return v


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs) -> Tensor:
    """(x - mean) / sqrt(var + eps) * gamma + beta over `axis` (Keras' rms_scaling too)."""
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected arguments {sorted(kwargs)}")
    x, source = _compute(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    axes = sorted(int(a) % x.ndim for a in np.atleast_1d(axis))
    if rms_scaling:
        out = m.multiply(x, m.divide(1.0, m.sqrt(m.add(_var(x, axes, keepdims=True), eps))))
        if gamma is not None:
            out = m.multiply(out, _broadcast_param(gamma, axes, x))
        return cast_to(out, source)
    mean, variance = moments(x, axes, keepdims=True)
    inv = m.divide(1.0, m.sqrt(m.add(variance, eps)))
    if gamma is not None:
        inv = m.multiply(inv, _broadcast_param(gamma, axes, x))
    out = m.multiply(m.subtract(x, mean), inv)
    if beta is not None:
        out = m.add(out, _broadcast_param(beta, axes, x))
    return cast_to(out, source)


def rms_normalization(x, scale=None, axis=-1, epsilon=None) -> Tensor:
    x, source = _compute(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    axes = tuple(sorted(int(a) % max(x.ndim, 1) for a in np.atleast_1d(axis)))
    if x.ndim == 0:
        x = s.reshape(x, (1,))
    rrms = m.divide(1.0, m.sqrt(m.add(r.mean(m.square(x), axis=axes, keepdims=True), eps)))
    out = m.multiply(x, rrms)
    if scale is not None:
        out = m.multiply(out, cast_to(scale, x.dtype.name))
    return cast_to(out, source)


def normalize(x, axis: int = -1, order: int = 2, epsilon=None) -> Tensor:
    """x divided by its `order`-norm along `axis` (at least epsilon)."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"normalize: order must be an int >= 1, received {order!r}")
    x = float_tensor(x)
    if x.ndim == 0:
        x = s.reshape(x, (1,))
    eps = backend.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = m.divide(1.0, m.sqrt(r.sum(m.square(x), axis=axis, keepdims=True)))
        return m.multiply(x, m.minimum(inv, 1.0 / eps))
    norm = m.power(r.sum(m.power(m.abs(x), float(order)), axis=axis, keepdims=True),
                   1.0 / order)
    return m.divide(x, m.maximum(norm, eps))


def psnr(x1, x2, max_val) -> Tensor:
    """Peak signal-to-noise ratio, in decibels, over all elements."""
    a, b = float_tensor(x1), float_tensor(x2)
    if a.shape != b.shape:
        raise ValueError(f"psnr: inputs must have the same shape, received {a.shape} and "
                         f"{b.shape}")
    mse = r.mean(m.square(m.subtract(a, b)))
    return m.subtract(20.0 * np.log10(float(to_array(max_val))),
                      m.multiply(e.log10(mse), 10.0))


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal: bool = False, flash_attention=None,
                          attn_logits_soft_cap=None) -> Tensor:
    """softmax(q k^T * scale + bias, masked) v for (batch, seq, heads, head_dim) inputs."""
    if flash_attention:
        raise ValueError("dot_product_attention: flash attention is not available in neuroflow")
    q, k, v = (float_tensor(t) for t in (query, key, value))
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(
            "dot_product_attention: expected 4-D (batch, seq, heads, head_dim) inputs, "
            f"received query {q.shape}, key {k.shape}, value {v.shape}"
        )
    dtype = result_type(q, k, v)
    q, k, v = (cast_to(t, dtype) for t in (q, k, v))
    scale = 1.0 / np.sqrt(k.shape[-1]) if scale is None else scale
    logits = m.multiply(einsum("BTNH,BSNH->BNTS", q, k), np.asarray(scale, dtype))
    if bias is not None:
        logits = m.add(logits, cast_to(bias, dtype))
    if attn_logits_soft_cap is not None:
        cap = np.asarray(attn_logits_soft_cap, dtype)
        logits = m.multiply(m.tanh(m.divide(logits, cap)), cap)
    keep = np.ones(logits.shape, dtype=bool)
    if mask is not None:
        keep &= to_array(mask).astype(bool)
    if is_causal:
        keep &= np.tril(np.ones(logits.shape[-2:], dtype=bool))
    if mask is not None or is_causal:
        large = 65500.0 if dtype == "float16" else 3.38953e38  # Keras' masking value
        logits = m.where(keep, logits, np.asarray(-0.7 * large, dtype))
    probs = nn_ops.softmax(logits, axis=-1)
    return einsum("BNTS,BSNH->BTNH", probs, v)


conv = unsupported_op("conv", "nn")
conv_transpose = unsupported_op("conv_transpose", "nn")
depthwise_conv = unsupported_op("depthwise_conv", "nn")
separable_conv = unsupported_op("separable_conv", "nn")
average_pool = unsupported_op("average_pool", "nn")
max_pool = unsupported_op("max_pool", "nn")
adaptive_average_pool = unsupported_op("adaptive_average_pool", "nn")
adaptive_max_pool = unsupported_op("adaptive_max_pool", "nn")
depth_to_space = unsupported_op("depth_to_space", "nn")
space_to_depth = unsupported_op("space_to_depth", "nn")
fold = unsupported_op("fold", "nn")
unfold = unsupported_op("unfold", "nn")
ctc_loss = unsupported_op("ctc_loss", "nn")
ctc_decode = unsupported_op("ctc_decode", "nn")
polar = unsupported_op("polar", "nn")
