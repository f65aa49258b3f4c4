"""neuroflow: the Keras API on a NumPy autodiff engine of its own.

`import neuroflow as keras` runs Keras code for multilayer perceptrons.
"""

from neuroflow import (  # _builtins files the built-in objects in the registry
    _builtins,  # noqa: F401
    activations,
    backend,
    callbacks,
    config,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    utils,
)
from neuroflow.autodiff import GradientTape, Tensor, Variable, convert_to_tensor
from neuroflow.backend.keras_tensor import KerasTensor
from neuroflow.initializers import Initializer
from neuroflow.layers import Input, InputSpec, Layer
from neuroflow.losses import Loss
from neuroflow.metrics import Metric
from neuroflow.models import Model, Sequential
from neuroflow.optimizers import Optimizer
from neuroflow.regularizers import Regularizer

__version__ = "0.1.0"

_LAZY = ("datasets", "saving", "classic", "sklearn", "wrappers", "tuner", "serving", "cli",
         "summary", "population")


def __getattr__(name: str):
    """Import optional sub-packages on first use (they may need optional extras)."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f"neuroflow.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'neuroflow' has no attribute {name!r}")


__all__ = [
    "GradientTape", "Initializer", "Input", "InputSpec", "KerasTensor", "Layer", "Loss",
    "Metric", "Model", "Optimizer", "Regularizer", "Sequential", "Tensor", "Variable",
    "activations", "backend", "callbacks", "config", "constraints", "convert_to_tensor",
    "initializers", "layers",
    "losses", "metrics", "models", "ops", "optimizers", "random", "regularizers", "utils",
    "__version__",
]
