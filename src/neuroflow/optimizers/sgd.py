"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent (Keras 3 update rule).

    Without momentum: `w -= learning_rate * g`. With momentum:
    `m = momentum * m - learning_rate * g; w += m`, and with `nesterov=True`:
    `w += momentum * m - learning_rate * g`. Other keyword arguments are those of
    `Optimizer` (weight_decay, clipnorm, clipvalue, global_clipnorm, name, ...).
    """

    _default_name = "SGD"

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        ok = isinstance(momentum, (int, float, np.number)) and not isinstance(momentum, bool)
        if not ok or not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SGD: expected `momentum` to be a float in [0, 1], "
                             f"received {momentum!r}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self._rate_pair: tuple | None = None  # (rate, the rate as a 0-d array)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = (
            self.add_optimizer_variables(self._trainable_variables, "momentum")
            if self.momentum != 0 else []
        )

    def _slot_groups(self) -> list[list[Variable]]:
        return [self.momentums] if self.momentum != 0 else []

    def _coefficients(self, lr: Any) -> Any:
        if self.momentum == 0:
            # A 0-d array of the weights' dtype multiplies faster than a Python float;
            # made again only when the rate changes (rates that are arrays, as a
            # population's per-member rates, are converted each time).
            dtype = self._trainable_variables[0].data.dtype
            if type(lr) is not float:
                return lr, np.array(lr, dtype=dtype)
            pair = self._rate_pair
            if pair is None or pair[0] != lr:
                pair = self._rate_pair = (lr, np.array(lr, dtype=dtype))
            return pair
        return lr, None

    def _kernel(self, w, g, slots, scratch, coefficients) -> None:
        lr, lr_arr = coefficients
        buf = scratch[0]
        if not slots:
            np.multiply(g, lr_arr if w.dtype is lr_arr.dtype else lr, out=buf)
            w -= buf
            return
        mu = self.momentum
        m = slots[0]
        np.multiply(g, lr, out=buf)
        m *= mu
        m -= buf
        if self.nesterov:
            w -= buf
            np.multiply(m, mu, out=buf)
            w += buf
        else:
            w += m

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
