"""Lion: the sign of an interpolated momentum as the step (Chen et al., 2023)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion (Keras 3 update rule): `w -= lr * sign(beta_1 * m + (1 - beta_1) * g)`, then
    `m = beta_2 * m + (1 - beta_2) * g`. Every step has the same size per element, so a
    good learning rate is 3-10x smaller than Adam's. Other keyword arguments are those of
    `Optimizer`."""

    _default_name = "lion"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        ok = isinstance(beta_1, (int, float, np.number)) and not isinstance(beta_1, bool)
        if not ok or not 0.0 < float(beta_1) <= 1.0:
            raise ValueError(f"Lion: `beta_1` must be a number in (0, 1], received {beta_1!r}")
        self.beta_1 = float(beta_1)
        self.beta_2 = self._fraction(beta_2, "beta_2")

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._m = self.add_optimizer_variables(self._trainable_variables, "momentum")

    def _slot_groups(self) -> list[list[Variable]]:
        return [self._m]

    def _kernel(self, w, g, slots, scratch, lr) -> None:
        b1, b2 = self.beta_1, self.beta_2
        m = slots[0]
        buf = scratch[0]
        np.multiply(m, b1, out=buf)
        buf += (1.0 - b1) * g
        np.sign(buf, out=buf)
        buf *= lr
        w -= buf
        m *= b2
        m += (1.0 - b2) * g

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
