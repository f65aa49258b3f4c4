"""The threshold logic unit (TLU): a step function of a weighted sum of the inputs."""

from __future__ import annotations

import numpy as np

from neuroflow import backend
from neuroflow.classic.step import StepFunction, get_step, step_name

__all__ = ["TLU"]


class TLU:
    """A threshold logic unit, or a layer of them: outputs `step(x . w + b)`.

    Args:
        weights: connection weights, shape `(n_inputs,)` for a single TLU or
            `(n_inputs, units)` for a layer of `units` TLUs sharing the same inputs.
        bias: the bias term `b`: a scalar for a single TLU, a scalar or a vector of
            shape `(units,)` for a layer. Default 0.
        step: 'heaviside' (default), 'sign' (alias 'sgn') or a callable applied
            elementwise to the net input.

    Weights, bias and inputs are stored and computed in `neuroflow.backend.floatx()`.
    Calling a TLU on a batch `X` of shape `(batch, n_inputs)` returns `step(X @ w + b)`:
    shape `(batch,)` for a single TLU, `(batch, units)` for a layer. A single
    instance of shape `(n_inputs,)` gives a scalar, or a vector of shape `(units,)`.
    """

    def __init__(self, weights, bias=0.0, step: str | StepFunction = "heaviside") -> None:
        weights = np.array(weights, dtype=backend.floatx())
        if weights.ndim not in (1, 2) or 0 in weights.shape:
            raise ValueError(
                "TLU: expected `weights` of shape (n_inputs,) or (n_inputs, units) with "
                f"n_inputs >= 1 and units >= 1, received shape {weights.shape}"
            )
        bias = np.array(bias, dtype=backend.floatx())
        expected_bias = () if weights.ndim == 1 else (weights.shape[1],)
        if bias.shape not in ((), expected_bias):
            raise ValueError(
                f"TLU: expected `bias` to be a scalar or of shape {expected_bias} to match "
                f"`weights` of shape {weights.shape}, received shape {bias.shape}"
            )
        if weights.ndim == 2:
            bias = np.broadcast_to(bias, expected_bias).copy()
        self.weights = weights
        self.bias = bias
        self.step = get_step(step)

    @property
    def n_inputs(self) -> int:
        """Number of inputs each unit receives."""
        return self.weights.shape[0]

    @property
    def units(self) -> int | None:
        """Number of TLUs in the layer, None for a single TLU (1-D weights)."""
        return None if self.weights.ndim == 1 else self.weights.shape[1]

    def _check_inputs(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise TypeError(f"TLU: expected numeric inputs, received an array of dtype {X.dtype}")
        X = X.astype(self.weights.dtype, copy=False)
        if X.ndim not in (1, 2) or X.shape[-1] != self.n_inputs:
            raise ValueError(
                f"TLU: expected inputs of shape (batch, {self.n_inputs}) or ({self.n_inputs},), "
                f"received shape {X.shape}"
            )
        return X

    def net_input(self, X) -> np.ndarray:
        """The weighted sum `X @ w + b` before the step function."""
        return self._check_inputs(X) @ self.weights + self.bias

    def __call__(self, X) -> np.ndarray:
        """The TLU outputs `step(X @ w + b)` for a batch or a single instance."""
        return np.asarray(self.step(self.net_input(X)), dtype=self.weights.dtype)[()]

    predict = __call__

    def __repr__(self) -> str:
        name = step_name(self.step) or getattr(self.step, "__name__", repr(self.step))
        shape = f"units={self.units}, " if self.units is not None else ""
        return f"TLU(n_inputs={self.n_inputs}, {shape}step={name!r})"
