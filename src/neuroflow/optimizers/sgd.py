"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent (Keras 3 update rule).

    Without momentum: `w -= learning_rate * g`. With momentum:
    `m = momentum * m - learning_rate * g; w += m`, and with `nesterov=True`:
    `w += momentum * m - learning_rate * g`. Other keyword arguments are those of
    `Optimizer` (weight_decay, clipnorm, clipvalue, global_clipnorm, name, ...).
    """

    _default_name = "SGD"

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        ok = isinstance(momentum, (int, float, np.number)) and not isinstance(momentum, bool)
        if not ok or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SGD: expected `momentum` to be a float in [0, 1], "
                             f"received {momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = (
            self.add_optimizer_variables(self._trainable_variables, "momentum")
            if self.momentum != 0 else []
        )

    def _update(self, grads, variables, indices, lr: float) -> None:
        buffers = self._buffers
        if self.momentum == 0:
            # A 0-d array of the weights' dtype multiplies faster than a Python float.
            lr_arr = np.array(lr, dtype=variables[0].data.dtype)
            for g, v, i in zip(grads, variables, indices, strict=True):
                w = v.data
                buf = buffers[i]
                if buf is None:
                    buf = buffers[i] = np.empty_like(w)
                np.multiply(g, lr_arr if w.dtype is lr_arr.dtype else lr, out=buf)
                w -= buf
            return
        mu = self.momentum
        for g, v, i in zip(grads, variables, indices, strict=True):
            w = v.data
            m = self.momentums[i].data
            buf = self._scratch(i, w)
            np.multiply(g, lr, out=buf)
            m *= mu
            m -= buf
            if self.nesterov:
                w -= buf
                np.multiply(m, mu, out=buf)
                w += buf
            else:
                w += m

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
