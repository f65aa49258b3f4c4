"""Utilities: to_categorical, seeds, plotting and more."""

from neuroflow.backend.compat import clear_session
from neuroflow.callbacks.plotting import plot_history, plot_images
from neuroflow.ops._dtypes import standardize_dtype
from neuroflow.saving import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from neuroflow.utils.config import Config
from neuroflow.utils.dataset_utils import (
    pack_x_y_sample_weight,
    split_dataset,
    unpack_x_y_sample_weight,
)
from neuroflow.utils.file_utils import get_file
from neuroflow.utils.graph_utils import get_source_inputs, is_keras_tensor
from neuroflow.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from neuroflow.utils.lr_finder import find_learning_rate
from neuroflow.utils.numerical import normalize, to_categorical
from neuroflow.utils.plot_model import model_to_dot, plot_model
from neuroflow.utils.progbar import Progbar
from neuroflow.utils.py_dataset import PyDataset, Sequence
from neuroflow.utils.seeding import set_random_seed

__all__ = [
    "find_learning_rate", "model_to_dot", "normalize", "plot_history", "plot_images",
    "plot_model", "set_random_seed", "to_categorical",
    "Config", "CustomObjectScope", "Progbar", "PyDataset", "Sequence", "clear_session",
    "custom_object_scope", "deserialize_keras_object", "disable_interactive_logging",
    "enable_interactive_logging", "get_custom_objects", "get_file", "get_registered_name",
    "get_registered_object", "get_source_inputs", "is_interactive_logging_enabled",
    "is_keras_tensor", "pack_x_y_sample_weight", "register_keras_serializable",
    "serialize_keras_object", "split_dataset", "standardize_dtype",
    "unpack_x_y_sample_weight",
]
