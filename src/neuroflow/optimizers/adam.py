"""Adam and AdamW (Adam with decoupled weight decay)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Adam", "AdamW"]


def update_moments(g: np.ndarray, m: np.ndarray, v: np.ndarray, buf: np.ndarray,
                   b1: float, b2: float) -> None:
    """Adam's moment estimates, in place: m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2)."""
    np.subtract(g, m, out=buf)
    buf *= 1.0 - b1
    m += buf
    np.square(g, out=buf)
    buf -= v
    buf *= 1.0 - b2
    v += buf


class Adam(Optimizer):
    """Adam (Keras 3 update rule), with the AMSGrad variant when `amsgrad=True`.

    `m += (g - m) * (1 - beta_1)`, `v += (g**2 - v) * (1 - beta_2)`,
    `w -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)`
    with `t` the 1-based step. Other keyword arguments are those of `Optimizer`.
    """

    _default_name = "adam"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = self._fraction(beta_1, "beta_1")
        self.beta_2 = self._fraction(beta_2, "beta_2")
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")
        self._velocities = self.add_optimizer_variables(self._trainable_variables, "velocity")
        self._velocity_hats = (
            self.add_optimizer_variables(self._trainable_variables, "velocity_hat")
            if self.amsgrad else []
        )

    def _slot_groups(self) -> list[list[Variable]]:
        groups = [self._momentums, self._velocities]
        return groups + [self._velocity_hats] if self.amsgrad else groups

    def _coefficients(self, lr: Any) -> Any:
        t = self._updates_done() + 1
        return lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)

    def _kernel(self, w, g, slots, scratch, alpha) -> None:
        m, v = slots[0], slots[1]
        buf = scratch[0]
        update_moments(g, m, v, buf, self.beta_1, self.beta_2)
        if self.amsgrad:
            v_hat = slots[2]
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        np.sqrt(v, out=buf)
        buf += self.epsilon
        np.divide(m, buf, out=buf)
        buf *= alpha
        w -= buf

    def get_config(self) -> dict:
        return {
            **super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
            "epsilon": self.epsilon, "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay: each step first does
    `w -= w * weight_decay * lr`, then the Adam update."""

    _default_name = "adamw"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ):
        if weight_decay is None:
            raise ValueError("AdamW: expected `weight_decay` to be a float, received None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
