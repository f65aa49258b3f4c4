"""BatchNormalization: normalize with the batch statistics in training, with moving
averages of them in inference.

The normalization is one fused op (forward and vector-Jacobian product together); the
moving statistics are updated in place on the NumPy arrays, so the update is never
recorded on a gradient tape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import constraints, initializers, regularizers
from neuroflow.autodiff.tensor import Tensor, record
from neuroflow.layers.layer import Layer

__all__ = ["BatchNormalization"]


def _batch_norm_train(x: Tensor, gamma: Tensor | None, beta: Tensor | None, axes: tuple,
                      pshape: tuple, epsilon: float):
    """Normalize `x` over `axes` with its own statistics; returns (out, mean, var)."""
    xd = x.data
    mean = xd.mean(axis=axes, keepdims=True)
    centered = xd - mean
    var = np.mean(centered * centered, axis=axes, keepdims=True)
    inv = 1.0 / np.sqrt(var + epsilon)
    xhat = centered * inv
    g_data = None if gamma is None else gamma.data.reshape(pshape)
    out = xhat if g_data is None else xhat * g_data
    if beta is not None:
        out = out + beta.data.reshape(pshape)
    n = xd.size // inv.size
    parents = tuple(t for t in (x, gamma, beta) if t is not None)

    def vjp(g):
        grads = []
        dxhat = g if g_data is None else g * g_data
        if x.requires_grad:
            s1 = dxhat.sum(axis=axes, keepdims=True)
            s2 = (dxhat * xhat).sum(axis=axes, keepdims=True)
            grads.append((inv / n) * (n * dxhat - s1 - xhat * s2))
        else:
            grads.append(None)
        if gamma is not None:
            grads.append((g * xhat).sum(axis=axes).reshape(gamma.data.shape)
                         if gamma.requires_grad else None)
        if beta is not None:
            grads.append(g.sum(axis=axes).reshape(beta.data.shape) if beta.requires_grad else None)
        return tuple(grads)

    return record(out.astype(xd.dtype, copy=False), parents, vjp), mean, var


def _batch_norm_infer(x: Tensor, gamma: Tensor | None, beta: Tensor | None, mean: np.ndarray,
                      var: np.ndarray, axes: tuple, pshape: tuple, epsilon: float) -> Tensor:
    """Normalize `x` with given statistics: `(x - mean) / sqrt(var + eps) * gamma + beta`."""
    xd = x.data
    inv = (1.0 / np.sqrt(var.reshape(pshape) + epsilon)).astype(xd.dtype, copy=False)
    mean = mean.reshape(pshape)
    scale = inv if gamma is None else inv * gamma.data.reshape(pshape)
    shift = -mean * scale
    if beta is not None:
        shift = shift + beta.data.reshape(pshape)
    out = xd * scale + shift
    parents = tuple(t for t in (x, gamma, beta) if t is not None)

    def vjp(g):
        grads = [g * scale if x.requires_grad else None]
        if gamma is not None:
            grads.append(((g * (xd - mean) * inv).sum(axis=axes)).reshape(gamma.data.shape)
                         if gamma.requires_grad else None)
        if beta is not None:
            grads.append(g.sum(axis=axes).reshape(beta.data.shape) if beta.requires_grad else None)
        return tuple(grads)

    return record(out.astype(xd.dtype, copy=False), parents, vjp)


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
            out, mean, var = _batch_norm_train(inputs, self.gamma, self.beta, self._reduce_axes,
                                               self._param_shape, self.epsilon)
            m = self.momentum
            mm, mv = self.moving_mean.data, self.moving_variance.data
            mm *= m
            mm += (1.0 - m) * mean.reshape(mm.shape)
            mv *= m
            mv += (1.0 - m) * var.reshape(mv.shape)
            return out
        return _batch_norm_infer(inputs, self.gamma, self.beta, self.moving_mean.data,
                                 self.moving_variance.data, self._reduce_axes,
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
