"""Models: Sequential, Functional (Model(inputs, outputs)) and subclassed Model."""

from neuroflow.models.cloning import clone_model
from neuroflow.models.functional import Functional
from neuroflow.models.loading import load_model, model_from_json
from neuroflow.models.model import Model
from neuroflow.models.save_model import save_model
from neuroflow.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]
