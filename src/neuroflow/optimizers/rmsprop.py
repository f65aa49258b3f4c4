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

    def _slot_groups(self) -> list[list[Variable]]:
        # velocity, then the average gradient (centered), then the momentum (momentum > 0)
        return [self._velocities, *(g for g in (self._average_gradients, self._momentums) if g)]

    def _kernel(self, w, g, slots, scratch, lr) -> None:
        rho = self.rho
        v = slots[0]
        buf = scratch[0]
        v *= rho
        np.square(g, out=buf)
        buf *= 1.0 - rho
        v += buf
        if self.centered:
            a = slots[1]
            a *= rho
            a += np.multiply(g, 1.0 - rho, out=buf)
            np.square(a, out=buf)
            np.subtract(v, buf, out=buf)
        else:
            buf[...] = v
        buf += self.epsilon
        np.sqrt(buf, out=buf)
        np.divide(g, buf, out=buf)
        buf *= lr
        if self.momentum > 0:
            mom = slots[-1]
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
