"""BatchNormalization: normalize with the batch statistics in training, with moving
averages of them in inference.

The normalization is one primitive (forward and VJP kernels). In training its forward
kernel also updates the moving statistics in place (they are inputs of the node without
a gradient), so a traced plan replaying the kernel updates them on every batch too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import constraints, initializers, regularizers
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["BatchNormalization"]


def _batch_norm_train_fwd(x, moving_mean, moving_var, *params, has_gamma, has_beta, axes,
                          pshape, epsilon, momentum):
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=axes, keepdims=True)
    moving_mean *= momentum  # moving = moving * momentum + batch * (1 - momentum)
    moving_mean += (1.0 - momentum) * mean.reshape(moving_mean.shape)
    moving_var *= momentum
    moving_var += (1.0 - momentum) * var.reshape(moving_var.shape)
    inv = 1.0 / np.sqrt(var + epsilon)
    xhat = centered * inv
    gamma = params[0] if has_gamma else None
    beta = params[-1] if has_beta else None
    g_data = None if gamma is None else gamma.reshape(pshape)
    out = xhat if g_data is None else xhat * g_data
    if beta is not None:
        out = out + beta.reshape(pshape)
    n = x.size // inv.size
    shapes = tuple(p.shape for p in params)
    return out.astype(x.dtype, copy=False), (xhat, inv, g_data, n, axes, shapes)


def _batch_norm_train_vjp(g, res, needs):
    xhat, inv, g_data, n, axes, shapes = res
    dxhat = g if g_data is None else g * g_data
    grads = [None, None, None]  # x, then the moving statistics (no gradient)
    if needs[0]:
        s1 = dxhat.sum(axis=axes, keepdims=True)
        s2 = (dxhat * xhat).sum(axis=axes, keepdims=True)
        grads[0] = (inv / n) * (n * dxhat - s1 - xhat * s2)
    k = 3
    if g_data is not None:
        grads.append((g * xhat).sum(axis=axes).reshape(shapes[0]) if needs[k] else None)
        k += 1
    if len(needs) > k:
        grads.append(g.sum(axis=axes).reshape(shapes[-1]) if needs[k] else None)
    return tuple(grads)


BATCH_NORM_TRAIN = Primitive("batch_norm_train", _batch_norm_train_fwd, _batch_norm_train_vjp)


def _batch_norm_train(x: Tensor, gamma: Tensor | None, beta: Tensor | None, moving_mean: Tensor,
                      moving_var: Tensor, axes: tuple, pshape: tuple, epsilon: float,
                      momentum: float) -> Tensor:
    """Normalize `x` over `axes` with its own statistics and fold them into the moving
    averages (in place)."""
    params = tuple(t for t in (gamma, beta) if t is not None)
    return BATCH_NORM_TRAIN.bind(
        x, moving_mean, moving_var, *params, has_gamma=gamma is not None,
        has_beta=beta is not None, axes=axes, pshape=pshape, epsilon=epsilon,
        momentum=momentum)


def _batch_norm_infer_fwd(x, mean, var, *params, has_gamma, has_beta, axes, pshape, epsilon):
    inv = (1.0 / np.sqrt(var.reshape(pshape) + epsilon)).astype(x.dtype, copy=False)
    mean = mean.reshape(pshape)
    gamma = params[0] if has_gamma else None
    beta = params[-1] if has_beta else None
    scale = inv if gamma is None else inv * gamma.reshape(pshape)
    shift = -mean * scale
    if beta is not None:
        shift = shift + beta.reshape(pshape)
    out = x * scale + shift
    shapes = tuple(p.shape for p in params)
    return out.astype(x.dtype, copy=False), (x, mean, inv, scale, has_gamma, axes, shapes)


def _batch_norm_infer_vjp(g, res, needs):
    x, mean, inv, scale, has_gamma, axes, shapes = res
    grads = [g * scale if needs[0] else None, None, None]
    k = 3
    if has_gamma:
        grads.append(((g * (x - mean) * inv).sum(axis=axes)).reshape(shapes[0])
                     if needs[k] else None)
        k += 1
    if len(needs) > k:
        grads.append(g.sum(axis=axes).reshape(shapes[-1]) if needs[k] else None)
    return tuple(grads)


BATCH_NORM_INFER = Primitive("batch_norm_infer", _batch_norm_infer_fwd, _batch_norm_infer_vjp)


def _batch_norm_infer(x: Tensor, gamma: Tensor | None, beta: Tensor | None, mean: Any,
                      var: Any, axes: tuple, pshape: tuple, epsilon: float) -> Tensor:
    """Normalize `x` with given statistics: `(x - mean) / sqrt(var + eps) * gamma + beta`."""
    params = tuple(t for t in (gamma, beta) if t is not None)
    mean, var = (t if isinstance(t, Tensor) else Tensor(t) for t in (mean, var))
    return BATCH_NORM_INFER.bind(
        x, mean, var, *params, has_gamma=gamma is not None, has_beta=beta is not None,
        axes=axes, pshape=pshape, epsilon=epsilon)


class BatchNormalization(Layer):
    """Normalize each feature (the `axis` axis) to zero mean and unit variance, then scale
    by `gamma` and shift by `beta`.

    In training (`fit`, or `training=True`) the batch's own mean and variance are used and
    the moving averages are updated: `moving = moving * momentum + batch * (1 - momentum)`.
    In inference the moving averages are used. A frozen layer (`trainable=False`) always
    runs in inference mode, as in Keras. Params: 4 per feature, 2 of them non-trainable.
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        synchronized: bool = False,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(
                f"BatchNormalization layer '{self.name}': axis must be an integer, "
                f"received {axis!r}"
            )
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(
                f"BatchNormalization layer '{self.name}': momentum must be in [0, 1], "
                f"received {momentum!r}"
            )
        if not float(epsilon) > 0:
            raise ValueError(
                f"BatchNormalization layer '{self.name}': epsilon must be positive, "
                f"received {epsilon!r}"
            )
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        if not -rank <= self.axis < rank or rank < 1:
            raise ValueError(
                f"BatchNormalization layer '{self.name}': axis {self.axis} is out of range for "
                f"inputs of shape {tuple(input_shape)}"
            )
        ax = self.axis % rank
        dim = input_shape[ax]
        if dim is None:
            raise ValueError(
                f"BatchNormalization layer '{self.name}': the size of axis {self.axis} must be "
                f"known, received input shape {tuple(input_shape)}"
            )
        shape = (int(dim),)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         name="gamma", regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        name="beta", regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(
            shape=shape, initializer=self.moving_variance_initializer, name="moving_variance",
            trainable=False)
        self._ax = ax
        self._reduce_axes = tuple(i for i in range(rank) if i != ax)
        self._param_shape = tuple(int(dim) if i == ax else 1 for i in range(rank))
        self.built = True

    def call(self, inputs: Tensor, training=None) -> Tensor:
        if inputs.ndim != len(self._param_shape) or \
                inputs.shape[self._ax] != self._param_shape[self._ax]:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"{len(self._param_shape)} axes with axis {self.axis} of size "
                f"{self._param_shape[self._ax]}, received input of shape {tuple(inputs.shape)}"
            )
        if training and self.trainable:
            return _batch_norm_train(inputs, self.gamma, self.beta, self.moving_mean,
                                     self.moving_variance, self._reduce_axes,
                                     self._param_shape, self.epsilon, self.momentum)
        return _batch_norm_infer(inputs, self.gamma, self.beta, self.moving_mean,
                                 self.moving_variance, self._reduce_axes,
                                 self._param_shape, self.epsilon)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            axis=self.axis, momentum=self.momentum, epsilon=self.epsilon, center=self.center,
            scale=self.scale, synchronized=self.synchronized,
            beta_initializer=initializers.serialize(self.beta_initializer),
            gamma_initializer=initializers.serialize(self.gamma_initializer),
            moving_mean_initializer=initializers.serialize(self.moving_mean_initializer),
            moving_variance_initializer=initializers.serialize(self.moving_variance_initializer),
            beta_regularizer=regularizers.serialize(self.beta_regularizer),
            gamma_regularizer=regularizers.serialize(self.gamma_regularizer),
            beta_constraint=constraints.serialize(self.beta_constraint),
            gamma_constraint=constraints.serialize(self.gamma_constraint),
        )
        return config
