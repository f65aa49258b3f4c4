"""Utilities: to_categorical, seeds, plotting and more."""

from neuroflow.utils.lr_finder import find_learning_rate
from neuroflow.utils.numerical import normalize, to_categorical
from neuroflow.utils.plot_model import model_to_dot, plot_model
from neuroflow.utils.plotting import plot_history, plot_images
from neuroflow.utils.seeding import set_random_seed

__all__ = [
    "find_learning_rate", "model_to_dot", "normalize", "plot_history", "plot_images",
    "plot_model", "set_random_seed", "to_categorical",
]
