"""ScheduleFreeAdamW: AdamW without a learning-rate schedule (Defazio et al., 2024)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["ScheduleFreeAdamW"]


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW (Keras 3 update rule). It keeps `z` (the `momentum` slot,
    started at the weights) moved by Adam-normalized steps, an average `x` of the z
    iterates with weight 1/t, and puts `y = (1 - beta_1) * z + beta_1 * x` in the
    weights: the averaging does what a decaying schedule would, so the learning rate can
    stay constant (with an optional linear warm-up over `warmup_steps`). Other keyword
    arguments are those of `Optimizer`.
    """

    _default_name = "schedule_free_adamw"

    def __init__(self, learning_rate: Any = 0.0025, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, warmup_steps: int = 0, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        beta_1 = self._fraction(beta_1, "beta_1")
        if beta_1 == 0.0:
            raise ValueError("ScheduleFreeAdamW: `beta_1` must be in (0, 1), received 0")
        self.beta_1 = beta_1
        self.beta_2 = self._fraction(beta_2, "beta_2")
        self.epsilon = epsilon
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, (int, np.integer)) \
                or warmup_steps < 0:
            raise ValueError("ScheduleFreeAdamW: `warmup_steps` must be an integer >= 0, "
                             f"received {warmup_steps!r}")
        self.warmup_steps = int(warmup_steps)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "velocity"])
        for z, var in zip(self._momentums, self._trainable_variables, strict=True):
            z.data[...] = var.data

    def _update(self, grads, variables, indices, lr: float) -> None:
        t = self._updates_done() + 1
        if self.warmup_steps > 0:
            lr *= min(t / self.warmup_steps, 1.0)
        b1, b2 = self.beta_1, self.beta_2
        correction = 1.0 - b2**t
        weight = 1.0 / t
        for g, var, i in zip(grads, variables, indices, strict=True):
            y, z, v = var.data, self._momentums[i].data, self._velocities[i].data
            x = (y - (1.0 - b1) * z) / b1  # the average, from the weights and the old z
            v += (np.square(g) - v) * (1.0 - b2)
            z -= lr * g / (np.sqrt(v / correction) + self.epsilon)
            x *= 1.0 - weight
            x += weight * z
            np.multiply(z, 1.0 - b1, out=y)
            y += b1 * x

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "warmup_steps": self.warmup_steps}
