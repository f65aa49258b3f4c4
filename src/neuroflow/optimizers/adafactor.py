"""Adafactor: Adam-like steps with factored second moments (Shazeer & Stern, 2018)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Adafactor"]


def _rms(x: np.ndarray) -> float:
    return math.sqrt(float(np.mean(np.square(x, dtype=np.float64))))


class Adafactor(Optimizer):
    """Adafactor (Keras 3 update rule). A kernel of shape (..., n, m) keeps only its row
    and column means of the squared gradients (n + m numbers instead of n * m), so the
    state costs almost nothing; vectors keep a full second moment.

    Each step moves a variable by `max(epsilon_2, rms(w)) * min(lr, 1 / sqrt(t))` times
    the normalized gradient clipped to an RMS of `clip_threshold`; the second-moment
    decay is `1 - t ** beta_2_decay`. With `relative_step` (and a float learning rate)
    the rate is also capped at `1 / sqrt(t)`. Other keyword arguments are those of
    `Optimizer`.
    """

    _default_name = "adafactor"

    def __init__(self, learning_rate: Any = 0.001, beta_2_decay: float = -0.8,
                 epsilon_1: float = 1e-30, epsilon_2: float = 1e-3,
                 clip_threshold: float = 1.0, relative_step: bool = True, **kwargs: Any):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for arg, value, low in (("epsilon_1", epsilon_1, 0.0), ("epsilon_2", epsilon_2, 0.0),
                                ("clip_threshold", clip_threshold, None)):
            ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            if not ok or (value < low if low is not None else value <= 0):
                bound = ">= 0" if low is not None else "> 0"
                raise ValueError(f"Adafactor: `{arg}` must be a number {bound}, "
                                 f"received {value!r}")
        if not isinstance(beta_2_decay, (int, float, np.number)) or beta_2_decay >= 0:
            raise ValueError("Adafactor: `beta_2_decay` must be a negative number (the decay "
                             f"is 1 - t ** beta_2_decay), received {beta_2_decay!r}")
        self.beta_2_decay = float(beta_2_decay)
        self.epsilon_1 = float(epsilon_1)
        self.epsilon_2 = float(epsilon_2)
        self.clip_threshold = float(clip_threshold)
        self.relative_step = bool(relative_step)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._r: list[Variable] = []
        self._c: list[Variable] = []
        self._v: list[Variable] = []
        for var in self._trainable_variables:
            shape = tuple(var.shape)
            name = str(getattr(var, "path", var.name)).replace("/", "_")
            if len(shape) < 2:  # unused placeholders, as in Keras' variable layout
                r_shape: tuple = ()
                c_shape: tuple = ()
            else:
                r_shape, c_shape = shape[:-1], shape[:-2] + shape[-1:]
            self._r.append(self.add_variable(r_shape, dtype=var.dtype, name=f"{name}_r"))
            self._c.append(self.add_variable(c_shape, dtype=var.dtype, name=f"{name}_c"))
            self._v.append(self.add_variable_from_reference(var, "velocity"))

    def _update(self, grads, variables, indices, lr: float) -> None:
        t = self._updates_done() + 1
        cap = 1.0 / math.sqrt(t)
        if self.relative_step and isinstance(self._learning_rate, Variable):
            lr = min(lr, cap)
        rho = min(lr, cap)
        decay = 1.0 - t ** self.beta_2_decay
        for g, var, i in zip(grads, variables, indices, strict=True):
            w, v = var.data, self._v[i].data
            alpha = max(self.epsilon_2, _rms(w)) * rho
            g2 = np.square(g) + np.asarray(self.epsilon_1, dtype=g.dtype)
            if w.ndim >= 2:
                r, c = self._r[i].data, self._c[i].data
                r *= decay
                r += (1.0 - decay) * g2.mean(axis=-1)
                c *= decay
                c += (1.0 - decay) * g2.mean(axis=-2)
                np.multiply((r / r.mean(axis=-1, keepdims=True))[..., None],
                            c[..., None, :], out=v)
            else:
                v *= decay
                v += (1.0 - decay) * g2
            u = g / np.sqrt(v)
            u /= max(1.0, _rms(u) / self.clip_threshold)
            u *= alpha
            w -= u

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
