"""Muon: momentum orthogonalized by Newton-Schulz iterations for 2-D kernels (Jordan et
al., 2024), AdamW for every other variable."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["Muon"]


def newton_schulz(x: np.ndarray, steps: int, a: float, b: float, c: float) -> np.ndarray:
    """An approximately orthogonal matrix with the singular vectors of `x` (its singular
    values pushed towards 1), by `steps` quintic Newton-Schulz iterations."""
    tall = x.shape[-2] > x.shape[-1]
    if tall:
        x = np.swapaxes(x, -1, -2)
    x = x / (np.linalg.norm(x, axis=(-2, -1), keepdims=True) + np.asarray(1e-7, x.dtype))
    for _ in range(steps):
        gram = x @ np.swapaxes(x, -1, -2)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return np.swapaxes(x, -1, -2) if tall else x


class Muon(Optimizer):
    """Muon (Keras 3 update rule). A 2-D variable whose path matches neither 'embedding'
    (with `exclude_embeddings`) nor a pattern of `exclude_layers` moves by the
    Newton-Schulz orthogonalization of its (Nesterov) momentum, scaled by
    `sqrt(max(n, m)) * rms_rate`, and decays by `weight_decay`; every other variable
    (biases, embeddings, excluded layers) gets AdamW with `adam_beta_1`, `adam_beta_2`,
    `epsilon`, a rate of `learning_rate * adam_lr_ratio` and `adam_weight_decay`. Other
    keyword arguments are those of `Optimizer`.
    """

    _default_name = "muon"

    def __init__(self, learning_rate: Any = 0.001, adam_beta_1: float = 0.9,
                 adam_beta_2: float = 0.999, adam_weight_decay: float = 0.004,
                 epsilon: float = 1e-7, weight_decay: float | None = 0.004,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 exclude_layers: list[str] | None = None, exclude_embeddings: bool = True,
                 muon_a: float = 3.4445, muon_b: float = -4.775, muon_c: float = 2.0315,
                 adam_lr_ratio: float = 1, momentum: float = 0.95, ns_steps: int = 5,
                 nesterov: bool = True, rms_rate: float | None = 0.2, **kwargs: Any):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.adam_beta_1 = self._fraction(adam_beta_1, "adam_beta_1")
        self.adam_beta_2 = self._fraction(adam_beta_2, "adam_beta_2")
        self.momentum = self._fraction(momentum, "momentum")
        if adam_weight_decay is not None and (
                not isinstance(adam_weight_decay, (int, float, np.number))
                or adam_weight_decay < 0):
            raise ValueError("Muon: expected `adam_weight_decay` to be a non-negative number "
                             f"or None, received {adam_weight_decay!r}")
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, (int, np.integer)) \
                or ns_steps < 1:
            raise ValueError(f"Muon: `ns_steps` must be an integer >= 1, received {ns_steps!r}")
        if isinstance(exclude_layers, str) or not isinstance(exclude_layers, (list, tuple,
                                                                               type(None))):
            raise ValueError("Muon: `exclude_layers` must be a list of regular expressions "
                             f"matched against variable paths, received {exclude_layers!r}")
        self.adam_weight_decay = adam_weight_decay
        self.epsilon = epsilon
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = bool(exclude_embeddings)
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.ns_steps = int(ns_steps)
        self.nesterov = bool(nesterov)
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: Variable) -> bool:
        """Whether `variable` gets the AdamW step rather than Muon's (Keras' rule)."""
        if len(variable.shape) != 2:
            return True
        path = str(getattr(variable, "path", None) or variable.name)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums: list[Variable] = []
        self._velocities: list[Variable | None] = []
        for var in self._trainable_variables:
            self._momentums.append(self.add_variable_from_reference(var, "momentum"))
            self._velocities.append(self.add_variable_from_reference(var, "velocity")
                                    if self._should_use_adamw(var) else None)

    def _step(self, grads, variables, indices) -> None:
        # both kinds of variables decay, each at its own rate, even without weight_decay
        grads = self._clip_gradients(grads)
        lr = self.current_learning_rate()
        for var in variables:
            rate = (self.adam_weight_decay if self._should_use_adamw(var)
                    else self.weight_decay)
            if rate and self._use_weight_decay(var):
                var.data *= 1.0 - rate * lr
        self._update(grads, variables, indices, lr)

    def _update(self, grads, variables, indices, lr: float) -> None:
        t = self._updates_done() + 1
        b1, b2 = self.adam_beta_1, self.adam_beta_2
        adam_alpha = lr * self.adam_lr_ratio * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        for g, var, i in zip(grads, variables, indices, strict=True):
            w, m, v = var.data, self._momentums[i].data, self._velocities[i]
            if v is not None:
                m += (g - m) * (1.0 - b1)
                v.data += (np.square(g) - v.data) * (1.0 - b2)
                w -= m * adam_alpha / (np.sqrt(v.data) + self.epsilon)
                continue
            m *= self.momentum
            m += g
            direction = g + self.momentum * m if self.nesterov else m
            step = lr * newton_schulz(direction, self.ns_steps, self.muon_a, self.muon_b,
                                      self.muon_c)
            if self.rms_rate is not None:
                step *= math.sqrt(max(w.shape[0], w.shape[1])) * self.rms_rate
            w -= step.astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                "exclude_layers": list(self.exclude_layers), "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate}
