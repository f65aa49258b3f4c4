"""A fused training step for the models people train most: stacks of Dense layers.

When a Sequential model is only Flatten and Dense layers with built-in activations, and
its loss is a built-in (sparse) categorical cross-entropy, binary cross-entropy or
mean squared error with the default reduction, one step is a handful of NumPy calls:
the forward pass keeps each layer's input and output, the backward pass applies the
same activation kernels and fused loss gradients as the tape would, in the same order,
so the result is the same to the bit - without building a graph. Every other model
(and every batch this step cannot handle) goes through the general GradientTape path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import losses as losses_module
from neuroflow.autodiff import nn_ops

__all__ = ["FusedDenseStep"]

_LINEAR = nn_ops.KERNELS["linear"]


def _loss_kind(loss: Any, last_activation: str) -> str | None:
    """Which fused loss applies to `loss` on an output with `last_activation`, if any."""
    fn = getattr(loss, "fn", None)
    kwargs = getattr(loss, "_fn_kwargs", {}) or {}
    if loss is None or getattr(loss, "reduction", None) != "sum_over_batch_size":
        return None
    if getattr(loss, "_dtype", None) is not None:
        return None
    F = losses_module
    if isinstance(loss, F.SparseCategoricalCrossentropy) or fn is F.sparse_categorical_crossentropy:
        from_logits = getattr(loss, "from_logits", kwargs.get("from_logits", False))
        ignore = getattr(loss, "ignore_class", kwargs.get("ignore_class"))
        if ignore is not None:
            return None
        if (not from_logits and last_activation == "softmax") or (
            from_logits and last_activation == "linear"
        ):
            return "sparse_ce"
        return None
    if isinstance(loss, F.CategoricalCrossentropy) or fn is F.categorical_crossentropy:
        from_logits = getattr(loss, "from_logits", kwargs.get("from_logits", False))
        smoothing = getattr(loss, "label_smoothing", kwargs.get("label_smoothing", 0.0))
        if smoothing:
            return None
        if (not from_logits and last_activation == "softmax") or (
            from_logits and last_activation == "linear"
        ):
            return "ce"
        return None
    if isinstance(loss, F.MeanSquaredError) or fn is F.mean_squared_error:
        return "mse" if last_activation not in ("softmax", "sigmoid") else None
    return None


def dense_stack(model) -> tuple[bool, list] | None:
    """(flatten first?, Dense layers) when `model` is a plain Sequential stack, else None.

    Plain means: an optional Flatten, then built Dense layers with built-in activations
    and no activity regularizer, in a Sequential whose `call` is not overridden.
    """
    from neuroflow.layers.core import Dense, Flatten
    from neuroflow.models.sequential import Sequential

    if not isinstance(model, Sequential) or type(model).call is not Sequential.call:
        return None
    layers = model.layers
    if not layers:
        return None
    flatten_first = type(layers[0]) is Flatten
    dense = layers[1:] if flatten_first else layers
    if not dense:
        return None
    for layer in dense:
        if type(layer) is not Dense or layer._kernel_fn is None or not layer.built:
            return None
        if layer.activity_regularizer is not None:
            return None
    return flatten_first, dense


class DenseForward:
    """`model(x)` for a plain Dense stack, on NumPy arrays: what `predict` runs."""

    def __init__(self, flatten_first: bool, dense_layers: list):
        self.flatten_first = flatten_first
        self.layers = dense_layers

    def __call__(self, x: np.ndarray) -> np.ndarray | None:
        """The outputs, or None when `x` does not fit (the general path then reports it)."""
        h = x.reshape(len(x), -1) if self.flatten_first else x
        if h.ndim != 2:
            return None
        for layer in self.layers:
            w = layer.kernel.data
            if h.shape[1] != w.shape[0] or h.dtype != w.dtype:
                return None
            z = h @ w
            if layer.bias is not None:
                z += layer.bias.data
            h = layer._kernel_fn.forward(z)
        return h


class FusedDenseStep:
    """Forward, loss, backward and update of a Dense stack in plain NumPy."""

    def __init__(self, model, flatten_first: bool, dense_layers: list, loss_kind: str):
        self.model = model
        self.flatten_first = flatten_first
        self.layers = dense_layers
        self.loss_kind = loss_kind
        last = dense_layers[-1]._kernel_fn
        self.kernels = [layer._kernel_fn for layer in dense_layers[:-1]] + [
            _LINEAR if last.name in ("softmax", "sigmoid") else last
        ]
        self.output_kernel = last
        variables = model._train_variables()
        index = {id(v): i for i, v in enumerate(variables)}
        self.slots = []
        for layer in dense_layers:
            trainable = layer.trainable
            k = index.get(id(layer.kernel)) if trainable else None
            b = index.get(id(layer.bias)) if trainable and layer.bias is not None else None
            self.slots.append((k, b))
        self.variables = variables

    @classmethod
    def build(cls, model) -> FusedDenseStep | None:
        """The fused step for `model`, or None when the general path must be used."""
        from neuroflow.trainers.trainer import Trainer

        stack = dense_stack(model)
        if stack is None or type(model).train_step is not Trainer.train_step:
            return None
        if type(model).compute_loss is not Trainer.compute_loss or not model.trainable:
            return None
        if model.compiled_loss is None or model.compiled_loss.multi:
            return None
        flatten_first, dense = stack
        for layer in dense:
            if layer.kernel_regularizer is not None or layer.bias_regularizer is not None:
                return None
        kind = _loss_kind(model.compiled_loss.losses[0], dense[-1]._kernel_fn.name)
        if kind is None:
            return None
        return cls(model, flatten_first, dense, kind)

    def __call__(self, x: Any, y: Any, sample_weight: Any):
        """(loss value, predictions) after one update, or None if this batch needs the tape."""
        if type(x) is not np.ndarray or type(y) is not np.ndarray:
            return None
        h = x.reshape(len(x), -1) if self.flatten_first else x
        if h.ndim != 2 or h.dtype != self.layers[0].kernel.data.dtype:
            return None
        inputs, outputs = [], []
        for layer, kernel in zip(self.layers, self.kernels, strict=False):
            w = layer.kernel.data
            if h.shape[1] != w.shape[0]:
                return None
            z = h @ w
            if layer.bias is not None:
                z += layer.bias.data
            inputs.append(h)
            h = kernel.forward(z)
            outputs.append((None if kernel.in_place or kernel is _LINEAR else z, h))
        loss_value, g, y_pred = self._loss_and_gradient(h, y, sample_weight)
        if g is None:
            return None
        weight = self.model.compiled_loss.weights[0]
        if weight != 1.0:
            loss_value *= weight
            g *= weight
        g = self.model.optimizer.scale_loss(g)
        grads: list = [None] * len(self.variables)
        for i in range(len(self.layers) - 1, -1, -1):
            pre, out = outputs[i]
            dz = self.kernels[i].backward(g, pre, out)
            k, b = self.slots[i]
            if k is not None:
                grads[k] = inputs[i].T @ dz
            if b is not None:
                grads[b] = np.add.reduce(dz, axis=0)
            if i:
                g = dz @ self.layers[i].kernel.data.T
        self.model.optimizer.apply(grads, self.variables)
        return loss_value, y_pred

    def _loss_and_gradient(self, logits: np.ndarray, y: np.ndarray, sw: Any):
        """Mean loss, its gradient with respect to the last layer's output, predictions.

        For the cross-entropies that output is the logits (the softmax is folded into
        the gradient); for the squared error it is the activation's output.
        """
        n = len(logits)
        dtype = logits.dtype
        weights = None if sw is None else np.asarray(sw, dtype=dtype).reshape(-1)
        if weights is not None and weights.shape[0] != n:
            return None, None, None
        kind = self.loss_kind
        if kind in ("sparse_ce", "ce"):
            shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
            e = np.exp(shifted)
            s = np.add.reduce(e, axis=1)
            if kind == "sparse_ce":
                if y.ndim == 2 and y.shape[1] == 1:
                    y = y.reshape(-1)
                if y.ndim != 1 or len(y) != n:
                    return None, None, None
                idx = y.astype(np.intp, copy=False)
                if y.dtype.kind == "f" and not np.array_equal(idx, y):
                    return None, None, None
                if idx.size and (idx.min() < 0 or idx.max() >= logits.shape[1]):
                    return None, None, None
                rows = np.arange(n)
                per_sample = np.log(s) - shifted[rows, idx]
                p = e / s[:, None]
                g = p.copy()
                g[rows, idx] -= 1
            else:
                if y.shape != logits.shape:
                    return None, None, None
                t = y.astype(dtype, copy=False)
                per_sample = -(t * (shifted - np.log(s)[:, None])).sum(axis=1)
                p = e / s[:, None]
                g = p * t.sum(axis=1, keepdims=True) - t
            y_pred = p if self.output_kernel.name == "softmax" else logits
        elif kind == "mse":
            target = y.astype(dtype, copy=False)
            if target.shape != logits.shape:
                if (
                    target.ndim == 1
                    and logits.ndim == 2
                    and logits.shape[1] == 1
                    and len(target) == n
                ):
                    target = target.reshape(n, 1)
                else:
                    return None, None, None
            err = logits - target
            k = err.shape[1]
            per_sample = np.add.reduce(np.square(err), axis=1)
            per_sample *= 1.0 / k
            g = err * (2.0 / k)
            y_pred = logits
        else:
            return None, None, None
        if weights is None:
            loss_value = float(np.add.reduce(per_sample)) / n
            g *= 1.0 / n
        else:
            loss_value = float(np.dot(per_sample.astype(dtype, copy=False), weights)) / n
            g *= (weights / n)[:, None]
        return loss_value, g.astype(dtype, copy=False), y_pred
