"""neuroflow: the Keras API on a NumPy autodiff engine of its own."""

from neuroflow import backend
from neuroflow.autodiff import GradientTape, Tensor, Variable, convert_to_tensor

__version__ = "0.1.0"

__all__ = ["backend", "GradientTape", "Tensor", "Variable", "convert_to_tensor", "__version__"]
