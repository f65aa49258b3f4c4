"""save_model / load_model / save_weights / load_weights: pick the format, then delegate."""

from __future__ import annotations

import os
import warnings
from typing import Any

from neuroflow.saving import h5_format, keras_archive
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.metadata import file_kind
from neuroflow.saving.model_config import model_config, model_from_config
from neuroflow.saving.weights_tree import (
    assign_optimizer,
    assign_tree,
    model_tree,
    optimizer_arrays,
)

__all__ = ["save_model", "load_model", "save_weights", "load_weights"]


_TF2_NAMES = ("", ".tf", ".ckpt")


def _extension(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[1].lower()


def model_format(path: str, save_format: str | None = None) -> str:
    """'keras' or 'h5' for a model file name (tf.keras 2 names without an extension, or
    save_format='tf', are written as a .keras archive at that exact path)."""
    if path.endswith(".weights.h5"):
        raise ValueError(f"{path!r} ends with .weights.h5, which is for weights only; use "
                         "save_weights() or name the model file '*.keras'")
    ext = _extension(path)
    if save_format not in (None, "keras", "h5", "tf"):
        raise ValueError(f"save_format must be 'keras', 'h5' or 'tf', received {save_format!r}")
    if save_format == "h5" or ext in (".h5", ".hdf5"):
        return "h5"
    if save_format in ("keras", "tf") or ext in (".keras", *_TF2_NAMES):
        return "keras"
    raise ValueError(f"A model file name must end with .keras or .h5, received {path!r}")


def check_weights_path(path: str) -> None:
    """Refuse weights file names that look like something else (e.g. '*.keras')."""
    if _extension(path) not in (".h5", ".hdf5", *_TF2_NAMES):
        raise ValueError(f"A weights file name must end with .weights.h5, received {path!r}")


def warn_legacy_name(path: str, kind: str, save_format: str | None = None) -> None:
    """DeprecationWarning for tf.keras 2 file names: the newer spelling is named."""
    if kind == "model" and (save_format in ("h5", "tf") or not path.endswith(".keras")):
        newer = "'*.keras' (the .keras archive)"
    elif kind == "weights" and not path.endswith(".weights.h5"):
        newer = "'*.weights.h5'"
    else:
        return
    warnings.warn(
        f"{path!r}: this {kind} file name is the tf.keras 2 spelling; it is written in "
        f"neuroflow's format anyway, but the newer name is {newer}",
        DeprecationWarning, stacklevel=4,
    )


def _optimizer_state(model: Any, include_optimizer: bool) -> tuple[Any, list | None]:
    optimizer = getattr(model, "optimizer", None)
    if not include_optimizer or optimizer is None or not getattr(model, "compiled", False):
        return None, None
    return optimizer, optimizer_arrays(optimizer)


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
               include_optimizer: bool = True, **kwargs: Any) -> None:
    """Save architecture, weights and (when compiled) optimizer state.

    `.keras` writes a zip archive; `.h5`/`.hdf5` one HDF5 file with the same content.
    The file is written to a temporary file in the same folder and renamed into place.
    """
    save_format = kwargs.pop("save_format", None)
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"save_model: unexpected keyword argument(s) {sorted(kwargs)}")
    path = os.fspath(filepath)
    fmt = model_format(path, save_format)
    warn_legacy_name(path, "model", save_format)
    config = model_config(model, include_optimizer=include_optimizer)
    tree = model_tree(model)
    optimizer, arrays = _optimizer_state(model, include_optimizer)
    if fmt == "keras":
        keras_archive.write_archive(path, config, tree, optimizer, arrays, overwrite=overwrite)
    else:
        h5_format.write_h5(path, tree, config=config, optimizer=optimizer,
                           optimizer_arrays=arrays, overwrite=overwrite)


def _read_any(path: str) -> tuple[dict | None, dict, list | None]:
    if file_kind(path) == "zip":
        _, config, tree, arrays = keras_archive.read_archive(path)
        return config, tree, arrays
    content = h5_format.read_h5(path)
    return content["config"], content["tree"], content["optimizer"]


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:
    """A model saved by `model.save()`: same architecture, weights and optimizer state.

    The file's config may name only built-in neuroflow objects and classes registered with
    `register_serializable` or given in `custom_objects`; Lambda layers are refused unless
    `safe_mode=False`. Nothing in the file is ever executed.
    """
    path = os.fspath(filepath)
    config, tree, arrays = _read_any(path)
    source = f"file {path!r}"
    if config is None:
        raise FileFormatError(f"{source} holds weights only, no model architecture: create "
                              "the model in code and call model.load_weights() on it")
    model = model_from_config(config, custom_objects=custom_objects, compile=compile,
                              safe_mode=safe_mode, source=source)
    assign_tree(model, tree, source)
    if compile and arrays is not None and getattr(model, "optimizer", None) is not None:
        assign_optimizer(model.optimizer, model, arrays, source)
    return model


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
                 **kwargs: Any) -> None:
    """Save the weights of any model (subclassed too) to an HDF5 `.weights.h5` file."""
    kwargs.pop("save_format", None)
    if kwargs:
        raise TypeError(f"save_weights: unexpected keyword argument(s) {sorted(kwargs)}")
    path = os.fspath(filepath)
    check_weights_path(path)
    warn_legacy_name(path, "weights")
    h5_format.write_h5(path, model_tree(model), overwrite=overwrite)


def load_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False,
                 **kwargs: Any) -> None:
    """Load weights saved by `save_weights` (or from a `.keras`/`.h5` model file).

    Every shape is checked before anything is assigned; a mismatch names the layer.
    """
    if kwargs.pop("by_name", False):
        raise ValueError("load_weights: by_name=True is not supported; weights are matched "
                         "by layer structure (skip_mismatch=True skips layers that differ)")
    if kwargs:
        raise TypeError(f"load_weights: unexpected keyword argument(s) {sorted(kwargs)}")
    path = os.fspath(filepath)
    _, tree, _ = _read_any(path)
    assign_tree(model, tree, f"file {path!r}", skip_mismatch=skip_mismatch)
