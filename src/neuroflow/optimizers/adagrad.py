"""Adagrad: per-parameter rates that shrink with the sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import initializers
from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Keras 3 update rule): `acc += g**2; w -= lr * g / sqrt(acc + epsilon)`,
    the accumulators starting at `initial_accumulator_value`. Other keyword arguments
    are those of `Optimizer`."""

    _default_name = "adagrad"

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if initial_accumulator_value < 0:
            raise ValueError("Adagrad: expected `initial_accumulator_value` to be >= 0, "
                             f"received {initial_accumulator_value!r}")
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        init = initializers.Constant(self.initial_accumulator_value)
        self._accumulators_sq = self.add_optimizer_variables(
            self._trainable_variables, "accumulator", initializer=init)

    def _slot_groups(self) -> list[list[Variable]]:
        return [self._accumulators_sq]

    def _kernel(self, w, g, slots, scratch, lr) -> None:
        acc = slots[0]
        buf = scratch[0]
        np.square(g, out=buf)
        acc += buf
        np.add(acc, self.epsilon, out=buf)
        np.sqrt(buf, out=buf)
        np.divide(g, buf, out=buf)
        buf *= lr
        w -= buf

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
