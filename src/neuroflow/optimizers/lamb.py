"""Lamb: Adam with a per-layer trust ratio (You et al., 2019), for large batches."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.adam import update_moments
from neuroflow.optimizers.base import Optimizer

__all__ = ["Lamb"]


class Lamb(Optimizer):
    """Lamb (Keras 3 update rule): Adam's bias-corrected step `u = m_hat / (sqrt(v_hat) +
    epsilon)` scaled per variable by `||w|| / ||u||` (1 when either norm is 0), so every
    layer moves by about the same fraction of its norm. Other keyword arguments are
    those of `Optimizer`."""

    _default_name = "lamb"

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = self._fraction(beta_1, "beta_1")
        self.beta_2 = self._fraction(beta_2, "beta_2")
        self.epsilon = epsilon

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")
        self._velocities = self.add_optimizer_variables(self._trainable_variables, "velocity")

    def _update(self, grads, variables, indices, lr: float) -> None:
        t = self._updates_done() + 1
        b1, b2 = self.beta_1, self.beta_2
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        for g, var, i in zip(grads, variables, indices, strict=True):
            w, m, v = var.data, self._momentums[i].data, self._velocities[i].data
            buf = self._scratch(i, w)
            update_moments(g, m, v, buf, b1, b2)
            np.divide(v, c2, out=buf)
            np.sqrt(buf, out=buf)
            buf += self.epsilon
            np.divide(m, buf, out=buf)
            buf /= c1
            w_norm = math.sqrt(float(np.vdot(w, w)))
            u_norm = math.sqrt(float(np.vdot(buf, buf)))
            ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
            buf *= ratio * lr
            w -= buf

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
