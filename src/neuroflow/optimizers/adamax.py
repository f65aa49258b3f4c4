"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Keras 3 update rule): `m += (g - m) * (1 - beta_1)`,
    `u = max(beta_2 * u, |g|)`, `w -= lr * m / ((1 - beta_1**t) * (u + epsilon))`.
    Other keyword arguments are those of `Optimizer`."""

    _default_name = "adamax"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = self._fraction(beta_1, "beta_1")
        self.beta_2 = self._fraction(beta_2, "beta_2")
        self.epsilon = epsilon

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._m, self._u = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "norm"])

    def _slot_groups(self) -> list[list[Variable]]:
        return [self._m, self._u]

    def _coefficients(self, lr: Any) -> Any:
        return lr / (1.0 - self.beta_1 ** (self._updates_done() + 1))

    def _kernel(self, w, g, slots, scratch, step) -> None:
        m, u = slots
        buf = scratch[0]
        np.subtract(g, m, out=buf)
        buf *= 1.0 - self.beta_1
        m += buf
        u *= self.beta_2
        np.abs(g, out=buf)
        np.maximum(u, buf, out=u)
        np.add(u, self.epsilon, out=buf)
        np.divide(m, buf, out=buf)
        buf *= step
        w -= buf

    def get_config(self) -> dict:
        return {
            **super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
