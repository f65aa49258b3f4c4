"""Nadam: Adam with Nesterov momentum (Dozat, 2015)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.adam import update_moments
from neuroflow.optimizers.base import Optimizer

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Nadam (Keras 3 update rule) with the momentum schedule
    `u_t = beta_1 * (1 - 0.5 * 0.96**t)`. Other keyword arguments are those of
    `Optimizer`."""

    _default_name = "nadam"

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
        dtype = self._trainable_variables[0].dtype if self._trainable_variables else None
        self._momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")
        self._velocities = self.add_optimizer_variables(self._trainable_variables, "velocity")
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")

    _n_scratch = 2

    def _slot_groups(self) -> list[list[Variable]]:
        return [self._momentums, self._velocities]

    def _coefficients(self, lr: Any) -> Any:
        t = self._updates_done() + 1
        b1 = self.beta_1
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        self._u_product.data *= u_t
        u_product = float(self._u_product.data)
        u_product_next = u_product * u_next
        c_m = u_next / (1.0 - u_product_next)
        c_g = (1.0 - u_t) / (1.0 - u_product)
        # lr * m_hat / (sqrt(v / (1 - b2^t)) + eps) with the rate and the bias correction
        # folded into the coefficients: with s = sqrt(1 - b2^t) it is
        # (lr * s) * m_hat / (sqrt(v) + eps * s), two passes over the buffers fewer
        s = math.sqrt(1.0 - self.beta_2**t)
        scale = lr * s
        return c_m * scale, c_g * scale, self.epsilon * s

    def _kernel(self, w, g, slots, scratch, coefficients) -> None:
        c_m, c_g, eps = coefficients
        m, v = slots
        buf, step = scratch
        update_moments(g, m, v, buf, self.beta_1, self.beta_2)
        np.multiply(m, c_m, out=step)
        np.multiply(g, c_g, out=buf)
        step += buf  # lr * s * m_hat
        np.sqrt(v, out=buf)
        buf += eps
        np.divide(step, buf, out=buf)
        w -= buf

    def get_config(self) -> dict:
        return {
            **super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
