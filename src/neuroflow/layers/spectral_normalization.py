"""SpectralNormalization: divide a layer's kernel by its largest singular value,
estimated by power iteration, before each training call (Miyato et al., 2018; Keras 3)."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import initializers
from neuroflow.autodiff.primitive import untraceable
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.layer import Layer
from neuroflow.layers.wrapper import Wrapper

__all__ = ["SpectralNormalization"]


def _normalize(x: np.ndarray) -> np.ndarray:
    """x / ||x|| (Keras' `normalize(axis=None)`: an epsilon of 1e-12 on the square)."""
    return x / np.sqrt(np.maximum(np.sum(np.square(x)), np.asarray(1e-12, x.dtype)))


class SpectralNormalization(Wrapper):
    """Wraps a layer with a `kernel` (Dense, EinsumDense) or `embeddings` (Embedding).
    In training calls the kernel is replaced by kernel / sigma, sigma the spectral norm of
    the kernel reshaped to (-1, last axis), found with `power_iterations` steps from the
    kept vector `vector_u`; inference calls use the kernel as it is."""

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) \
                or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization '{self.name}': power_iterations should "
                             f"be an integer greater than zero, received {power_iterations!r}")
        self.power_iterations = power_iterations
        self.kernel = None
        self.vector_u = None

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization '{self.name}': the wrapped "
                             f"{type(self.layer).__name__} has no attribute 'kernel' nor "
                             "'embeddings'")
        self.kernel = kernel
        self.vector_u = self.add_weight(
            shape=(1, kernel.shape[-1]), initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False, name="vector_u", dtype=kernel.dtype)
        self.built = True

    def normalized_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(the new vector_u, the kernel divided by its estimated spectral norm)."""
        w = self.kernel.data.reshape(-1, self.kernel.shape[-1])
        u = self.vector_u.data
        for _ in range(self.power_iterations):
            v = _normalize(u @ w.T)
            u = _normalize(v @ w)
        sigma = (v @ w) @ u.T
        return u.astype(self.vector_u.dtype), (self.kernel.data / sigma).reshape(
            self.kernel.shape).astype(self.kernel.dtype)

    def call(self, inputs: Any, training: bool | None = False) -> Any:
        if training:
            # an update of the weights in place: a traced plan must not bake it in
            untraceable("SpectralNormalization rewrites its kernel in training calls")
            if np.any(self.kernel.data != 0):
                u, kernel = self.normalized_weights()
                self.vector_u.assign(u)
                self.kernel.assign(kernel)
        return self.layer(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}
