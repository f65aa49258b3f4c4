"""Reverse-mode automatic differentiation over NumPy arrays."""

from neuroflow.autodiff import math_ops, nn_ops, reduce_ops, shape_ops
from neuroflow.autodiff.gradient_check import check_gradients, numerical_gradient
from neuroflow.autodiff.tensor import (
    GradientTape,
    Tensor,
    Variable,
    convert_to_tensor,
    is_recording,
    stop_gradient,
)

__all__ = [
    "GradientTape", "Tensor", "Variable", "convert_to_tensor", "is_recording",
    "stop_gradient", "math_ops", "nn_ops", "reduce_ops", "shape_ops", "check_gradients",
    "numerical_gradient",
]
