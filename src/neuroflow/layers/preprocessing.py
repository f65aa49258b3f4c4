"""Normalization: standardize features with a mean and variance learned by `adapt(data)`
(or given), stored as non-trainable weights so that they are saved with the model."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff import math_ops
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["Normalization"]


def _as_array(data: Any, what: str) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    elif hasattr(data, "to_numpy") and not isinstance(data, np.ndarray):
        data = data.to_numpy()
    arr = np.asarray(data)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: expected numeric data, received an array of dtype {arr.dtype}")
    return arr


class Normalization(Layer):
    """`(x - mean) / sqrt(variance)` per feature along `axis` (default -1, the last).

    Call `adapt(data)` to compute the mean and variance of a training set, or pass them as
    `mean=` and `variance=`. `invert=True` applies the inverse transformation.
    """

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            axis = (int(axis),)
        elif isinstance(axis, (list, tuple)) and all(
                isinstance(a, (int, np.integer)) for a in axis):
            axis = tuple(int(a) for a in axis)
        else:
            raise TypeError(
                f"Normalization layer '{self.name}': axis must be an integer, a tuple of "
                f"integers or None, received {axis!r}"
            )
        if (mean is None) != (variance is None):
            raise ValueError(
                f"Normalization layer '{self.name}': give both mean and variance, or neither "
                f"(and call adapt()); received mean={mean!r}, variance={variance!r}"
            )
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.mean = self.variance = None
        self.adapted = mean is not None

    # ---- shapes -------------------------------------------------------------------
    def _kept_axes(self, ndim: int, shape: tuple) -> tuple[int, ...]:
        kept = []
        for a in self.axis:
            if not -ndim <= a < ndim or a % ndim == 0:
                raise ValueError(
                    f"Normalization layer '{self.name}': axis {a} is out of range for inputs of "
                    f"shape {shape} (the batch axis cannot be a feature axis)"
                )
            kept.append(a % ndim)
        return tuple(sorted(set(kept)))

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        ndim = len(shape)
        kept = self._kept_axes(ndim, shape)
        for a in kept:
            if shape[a] is None:
                raise ValueError(
                    f"Normalization layer '{self.name}': the size of axis {a} must be known, "
                    f"received input shape {shape}"
                )
        self._kept = kept
        self._reduce = tuple(i for i in range(ndim) if i not in kept)
        self._broadcast_shape = tuple(shape[i] if i in kept else 1 for i in range(ndim))
        stat_shape = tuple(shape[i] for i in kept)
        self.mean = self.add_weight(shape=stat_shape, initializer="zeros", name="mean",
                                    trainable=False)
        self.variance = self.add_weight(shape=stat_shape, initializer="ones", name="variance",
                                        trainable=False)
        # samples seen by adapt(), as Keras 3 keeps it (it counts as one non-trainable param)
        self.count = self.add_weight(shape=(), initializer="zeros", name="count",
                                     trainable=False, dtype="int64")
        self._input_ndim = ndim
        if self.input_mean is not None:
            self._set_stats(self.input_mean, self.input_variance, "mean/variance")
        self.built = True

    def _set_stats(self, mean: Any, variance: Any, what: str) -> None:
        shape = self.mean.shape
        try:
            m = np.broadcast_to(np.asarray(mean, dtype=self.mean.dtype), shape)
            v = np.broadcast_to(np.asarray(variance, dtype=self.variance.dtype), shape)
        except ValueError:
            raise ValueError(
                f"Normalization layer '{self.name}': {what} must broadcast to shape {shape} "
                f"(one value per feature), received shapes {np.shape(mean)} and "
                f"{np.shape(variance)}"
            ) from None
        self.mean.assign(m)
        self.variance.assign(v)

    # ---- adapt --------------------------------------------------------------------
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Compute the mean and variance of `data` (an array, a DataFrame, or an iterable of
        batches) along every axis but the feature axis, and store them."""
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization layer '{self.name}' was given mean and variance in its "
                "constructor; adapt() cannot be used on it"
            )
        if isinstance(data, (np.ndarray, Tensor, list)) or hasattr(data, "to_numpy"):
            batches = [_as_array(data, f"Normalization '{self.name}'.adapt")]
        else:
            batches = (_as_array(b, f"Normalization '{self.name}'.adapt") for b in data)
        count, mean, m2 = 0, None, None
        for i, arr in enumerate(batches):
            if steps is not None and i >= steps:
                break
            if arr.ndim == 1:
                arr = arr[:, None]
            if not self.built:
                self._maybe_build((None,) + arr.shape[1:])
            if arr.ndim != self._input_ndim or any(arr.shape[a] != self.mean.shape[j]
                                                   for j, a in enumerate(self._kept)):
                raise ValueError(
                    f"Normalization layer '{self.name}' was built for inputs of shape "
                    f"{self._build_input_shape}; adapt() received data of shape {arr.shape}"
                )
            arr = arr.astype(np.float64)
            n = arr.size // max(1, int(np.prod(self.mean.shape)))
            b_mean = arr.mean(axis=self._reduce)
            b_m2 = ((arr - b_mean.reshape(self._broadcast_shape)) ** 2).sum(axis=self._reduce)
            if mean is None:
                count, mean, m2 = n, b_mean, b_m2
            else:  # Chan et al.: combine the moments of two sets
                delta = b_mean - mean
                total = count + n
                mean = mean + delta * (n / total)
                m2 = m2 + b_m2 + delta ** 2 * (count * n / total)
                count = total
        if mean is None or count == 0:
            raise ValueError(f"Normalization layer '{self.name}': adapt() received no data")
        self.mean.assign(mean.astype(self.mean.dtype))
        self.variance.assign((m2 / count).astype(self.variance.dtype))
        self.count.assign(np.asarray(count, dtype=np.int64))
        self.adapted = True

    # ---- call ---------------------------------------------------------------------
    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim != self._input_ndim:
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"{self._input_ndim} axes, received input of shape {tuple(inputs.shape)}"
            )
        kept = [i for i, n in enumerate(self._broadcast_shape) if n != 1]
        if any(inputs.shape[i] != self._broadcast_shape[i] for i in kept):
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: it was "
                f"adapted to features of shape {tuple(self.mean.shape)}, received input of "
                f"shape {tuple(inputs.shape)}"
            )
        mean = self.mean.data.reshape(self._broadcast_shape)
        std = np.sqrt(self.variance.data).reshape(self._broadcast_shape)
        if self.invert:
            return math_ops.add(math_ops.multiply(inputs, Tensor(std)), Tensor(mean))
        inv = 1.0 / np.maximum(std, backend.epsilon())
        return math_ops.multiply(math_ops.subtract(inputs, Tensor(mean)), Tensor(inv))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        mean, var = self.input_mean, self.input_variance
        config.update(
            axis=list(self.axis) if len(self.axis) != 1 else self.axis[0],
            mean=np.asarray(mean).tolist() if mean is not None else None,
            variance=np.asarray(var).tolist() if var is not None else None,
            invert=self.invert,
        )
        return config
