"""FTRL-Proximal (McMahan et al., 2013): per-coordinate rates with L1/L2 terms that set
weights exactly to zero, for wide sparse linear models."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import initializers
from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Ftrl"]


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value < 0:
        raise ValueError(f"Ftrl: `{name}` must be a number >= 0, received {value!r}")
    return float(value)


class Ftrl(Optimizer):
    """FTRL (Keras 3 update rule): an accumulator `n += g**2` and a linear term
    `z += g' - (n_new**-p - n**-p) / lr * w` (g' adds the L2 shrinkage), then
    `w = (clip(z, -l1, l1) - z) / (n_new**-p / lr + 2 * (l2 + beta / (2 lr)))`, with
    `p = learning_rate_power`. Other keyword arguments are those of `Optimizer`."""

    _default_name = "ftrl"

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if isinstance(learning_rate_power, bool) or not isinstance(
                learning_rate_power, (int, float)) or learning_rate_power > 0:
            raise ValueError(f"Ftrl: `learning_rate_power` must be a number <= 0, received "
                             f"{learning_rate_power!r}")
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = _non_negative(initial_accumulator_value,
                                                       "initial_accumulator_value")
        self.l1_regularization_strength = _non_negative(l1_regularization_strength,
                                                        "l1_regularization_strength")
        self.l2_regularization_strength = _non_negative(l2_regularization_strength,
                                                        "l2_regularization_strength")
        self.l2_shrinkage_regularization_strength = _non_negative(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength")
        self.beta = _non_negative(beta, "beta")

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulators = self.add_optimizer_variables(
            self._trainable_variables, "accumulator",
            initializers.Constant(self.initial_accumulator_value))
        self._linears = self.add_optimizer_variables(self._trainable_variables, "linear")

    def _update(self, grads, variables, indices, lr: float) -> None:
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrink = 2.0 * self.l2_shrinkage_regularization_strength
        for g, var, i in zip(grads, variables, indices, strict=True):
            w, n, z = var.data, self._accumulators[i].data, self._linears[i].data
            new_n = n + np.square(g)
            sigma = (np.power(new_n, power) - np.power(n, power)) / lr
            z += (g + shrink * w if shrink else g) - sigma * w
            quadratic = np.power(new_n, power) / lr + 2.0 * l2
            w[...] = (np.clip(z, -l1, l1) - z) / quadratic
            n[...] = new_n

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
