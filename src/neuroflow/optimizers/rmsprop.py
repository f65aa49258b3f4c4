"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Keras 3 update rule).

    `v = rho * v + (1 - rho) * g**2`; with `centered=True` also
    `a = rho * a + (1 - rho) * g` and the denominator uses `v - a**2`;
    `step = lr * g / sqrt(v + epsilon)`; with momentum `mom = momentum * mom + step;
    w -= mom`, else `w -= step`. Other keyword arguments are those of `Optimizer`.
    """

    _default_name = "rmsprop"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = self._fraction(rho, "rho")
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = bool(centered)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        tv = self._trainable_variables
        self._velocities = self.add_optimizer_variables(tv, "velocity")
        self._momentums = self.add_optimizer_variables(tv, "momentum") if self.momentum > 0 else []
        self._average_gradients = (
            self.add_optimizer_variables(tv, "average_gradient") if self.centered else []
        )

    def _update(self, grads, variables, indices, lr: float) -> None:
        rho, eps = self.rho, self.epsilon
        for g, var, i in zip(grads, variables, indices, strict=True):
            w = var.data
            v = self._velocities[i].data
            buf = self._scratch(i, w)
            v *= rho
            np.square(g, out=buf)
            buf *= 1.0 - rho
            v += buf
            if self.centered:
                a = self._average_gradients[i].data
                a *= rho
                a += np.multiply(g, 1.0 - rho, out=buf)
                np.square(a, out=buf)
                np.subtract(v, buf, out=buf)
            else:
                buf[...] = v
            buf += eps
            np.sqrt(buf, out=buf)
            np.divide(g, buf, out=buf)
            buf *= lr
            if self.momentum > 0:
                mom = self._momentums[i].data
                mom *= self.momentum
                mom += buf
                w -= mom
            else:
                w -= buf

    def get_config(self) -> dict:
        return {
            **super().get_config(), "rho": self.rho, "momentum": self.momentum,
            "epsilon": self.epsilon, "centered": self.centered,
        }
