"""Noise layers active in training only: Dropout, GaussianNoise, GaussianDropout,
AlphaDropout (for self-normalizing SELU networks).

Randomness comes from `neuroflow.backend.global_rng()` (reseeded by `set_random_seed`) or,
when the layer is given `seed=`, from a generator of its own. The draw happens inside the
`random_affine` primitive, so a traced training step replays it with fresh numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.random_ops import random_affine
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _RandomLayer(Layer):
    """Shared parts: a validated rate, an optional seed, an identity output shape."""

    def __init__(self, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise TypeError(
                f"{type(self).__name__} layer '{self.name}': seed must be an integer or None, "
                f"received {seed!r}"
            )
        self.seed = None if seed is None else int(seed)
        self._rng = None if seed is None else np.random.default_rng(self.seed)

    def _generator(self) -> np.random.Generator:
        """The layer's own generator, or the global one (looked up at every draw, so that
        `set_random_seed` is seen by traced plans too)."""
        return self._rng if self._rng is not None else backend.global_rng()

    def _check_rate(self, rate: Any) -> float:
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)) \
                or not 0 <= rate < 1:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': rate must be a number in [0, 1), "
                f"received {rate!r}"
            )
        return float(rate)

    def _noise_shape(self, inputs: Tensor, noise_shape: tuple | None) -> tuple:
        if noise_shape is None:
            return inputs.shape
        if len(noise_shape) != inputs.ndim:
            raise ValueError(
                f"{type(self).__name__} layer '{self.name}': noise_shape {noise_shape} must have "
                f"one entry per axis of the input, received input of shape {inputs.shape}"
            )
        return tuple(d if n is None else int(n)
                     for n, d in zip(noise_shape, inputs.shape, strict=True))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["seed"] = self.seed
        return config


class _MaskingDropout(_RandomLayer):
    """Shared parts of Dropout and AlphaDropout: a rate, an optional noise_shape (the mask
    broadcast along the axes given as 1), the identity outside training; `_draw` differs."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        self.rate = self._check_rate(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs: Tensor, training=None) -> Tensor:
        if not training or self.rate == 0.0:
            return inputs
        return random_affine(inputs, self._generator, self._draw)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rate=self.rate,
                      noise_shape=None if self.noise_shape is None else list(self.noise_shape))
        return config


class Dropout(_MaskingDropout):
    """Zero a fraction `rate` of the inputs in training and scale the rest by 1/(1-rate);
    the identity in inference (predict, evaluate)."""

    def _draw(self, rng: np.random.Generator, x: np.ndarray) -> tuple:
        shape = self._noise_shape(x, self.noise_shape)
        keep = rng.random(shape, dtype=np.float32) >= self.rate
        return keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.rate)), None


class GaussianNoise(_RandomLayer):
    """Add zero-centred Gaussian noise of standard deviation `stddev` in training."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float, np.number)) \
                or stddev < 0:
            raise ValueError(
                f"GaussianNoise layer '{self.name}': stddev must be a non-negative number, "
                f"received {stddev!r}"
            )
        self.stddev = float(stddev)

    def call(self, inputs: Tensor, training=None) -> Tensor:
        if not training or self.stddev == 0.0:
            return inputs
        return random_affine(inputs, self._generator, self._draw)

    def _draw(self, rng: np.random.Generator, x: np.ndarray) -> tuple:
        return None, rng.normal(0.0, self.stddev, x.shape).astype(x.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["stddev"] = self.stddev
        return config


class GaussianDropout(_RandomLayer):
    """Multiply the inputs by Gaussian noise of mean 1 and variance rate/(1-rate) in training."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        self.rate = self._check_rate(rate)

    def call(self, inputs: Tensor, training=None) -> Tensor:
        if not training or self.rate == 0.0:
            return inputs
        return random_affine(inputs, self._generator, self._draw)

    def _draw(self, rng: np.random.Generator, x: np.ndarray) -> tuple:
        std = math.sqrt(self.rate / (1.0 - self.rate))
        return rng.normal(1.0, std, x.shape).astype(x.dtype), None

    def get_config(self) -> dict:
        config = super().get_config()
        config["rate"] = self.rate
        return config


class AlphaDropout(_MaskingDropout):
    """Dropout that keeps the mean and variance of SELU activations: dropped units are set
    to SELU's negative saturation value, then an affine map restores the statistics."""

    def _draw(self, rng: np.random.Generator, x: np.ndarray) -> tuple:
        rate = self.rate
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1.0 - rate) * (1.0 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        shape = self._noise_shape(x, self.noise_shape)
        keep = (rng.random(shape, dtype=np.float32) >= rate).astype(x.dtype)
        # a * (x * keep + alpha_p * (1 - keep)) + b, as one multiply and one add
        return keep * x.dtype.type(a), ((1.0 - keep) * (a * alpha_p) + b).astype(x.dtype)
