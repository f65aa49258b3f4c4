"""Adadelta: Adagrad with a moving window and unit-corrected steps (Zeiler, 2012)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Keras 3 update rule):
    `E[g2] = rho * E[g2] + (1 - rho) * g**2`,
    `delta = -sqrt(E[dx2] + eps) * g / sqrt(E[g2] + eps)`,
    `E[dx2] = rho * E[dx2] + (1 - rho) * delta**2`, `w += lr * delta`.
    Other keyword arguments are those of `Optimizer`."""

    _default_name = "adadelta"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = self._fraction(rho, "rho")
        self.epsilon = epsilon

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        tv = self._trainable_variables
        self._accumulated_grads = self.add_optimizer_variables(tv, "accumulated_grad")
        self._accumulated_delta_vars = self.add_optimizer_variables(tv, "accumulated_delta_var")

    _n_scratch = 2

    def _slot_groups(self) -> list[list[Variable]]:
        return [self._accumulated_grads, self._accumulated_delta_vars]

    def _kernel(self, w, g, slots, scratch, lr) -> None:
        rho, eps = self.rho, self.epsilon
        acc_g, acc_dx = slots
        buf, delta = scratch
        acc_g *= rho
        np.square(g, out=buf)
        buf *= 1.0 - rho
        acc_g += buf
        # buf <- delta = -sqrt(acc_dx + eps) * g / sqrt(acc_g + eps)
        np.add(acc_dx, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta *= g
        np.add(acc_g, eps, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(delta, buf, out=buf)
        np.negative(buf, out=buf)
        acc_dx *= rho
        np.square(buf, out=delta)
        delta *= 1.0 - rho
        acc_dx += delta
        buf *= lr
        w += buf

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
