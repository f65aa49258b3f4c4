"""save_model / load_model / save_weights / load_weights: pick the format, then delegate."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from neuroflow.backend.allocation import WeightsBudgetExceeded, weights_budget
from neuroflow.saving import h5_format, keras_archive
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.h5_io import read_optimizer, read_tree
from neuroflow.saving.limits import DEFAULT_MAX_WEIGHTS_BYTES, LoadLimits, weights_member_limit
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


def _open(path: str, limits: LoadLimits) -> Any:
    """A reader for the file at `path` (checked to be a regular file of a known kind)."""
    if file_kind(path) == "zip":
        return keras_archive.ArchiveReader(path, limits)
    return h5_format.H5Reader(path, limits)


def _model_bytes(model: Any) -> int:
    return sum(int(np.asarray(v.data).nbytes) for v in model.weights)


@contextlib.contextmanager
def _load_errors(path: str) -> Iterator[str]:
    """Every failure to load `path` (other than its absence) as a FileFormatError that
    names the file."""
    source = f"file {path!r}"
    if not os.path.lexists(path):
        raise FileNotFoundError(f"No such file: {path!r}")
    try:
        yield source
    except FileFormatError as err:
        if repr(path) in str(err):
            raise
        raise type(err)(f"{source}: {err}") from err
    except WeightsBudgetExceeded as err:
        raise FileFormatError(
            f"{source}: its config asks for more weights than max_weights_bytes allows "
            f"({err}); refused before allocating them. If you trust the file, pass a "
            "larger max_weights_bytes") from err
    except MemoryError as err:
        raise FileFormatError(f"{source}: loading it ran out of memory") from err
    except RecursionError as err:
        raise FileFormatError(f"{source}: its content is nested too deeply") from err
    except (ImportError, FileNotFoundError):
        raise
    except Exception as err:  # noqa: BLE001 - one documented error type for every failure
        message = str(err) if repr(path) in str(err) else f"{source}: {err}"
        raise FileFormatError(f"{message} ({type(err).__name__})") from err


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True, *,
               max_weights_bytes: int = DEFAULT_MAX_WEIGHTS_BYTES,
               allow_non_finite: bool = False) -> Any:
    """A model saved by `model.save()`: same architecture, weights and optimizer state.

    The file's config may name only built-in neuroflow objects and classes registered with
    `register_serializable` or given in `custom_objects`; Lambda layers are refused unless
    `safe_mode=False`. Nothing in the file is ever executed, no other file is read, and a
    config whose weights would exceed `max_weights_bytes` is refused before they are
    allocated. Weights holding NaN or infinity are refused unless `allow_non_finite`.
    Every failure is a FileFormatError naming the file.
    """
    path = os.fspath(filepath)
    limits = LoadLimits(max_weights_bytes, allow_non_finite)
    with _load_errors(path) as source:
        reader = _open(path, limits)
        try:
            config = reader.config()
            if config is None:
                raise FileFormatError(
                    f"{source} holds weights only, no model architecture: create the model "
                    "in code and call model.load_weights() on it")
            with weights_budget(limits.max_weights_bytes):
                model = model_from_config(config, custom_objects=custom_objects,
                                          compile=compile, safe_mode=safe_mode,
                                          source=source)
            with reader.weights(weights_member_limit(_model_bytes(model))) as root:
                assign_tree(model, read_tree(root), source,
                            allow_non_finite=allow_non_finite)
                optimizer = getattr(model, "optimizer", None)
                arrays = read_optimizer(root) if compile and optimizer is not None else None
                if arrays is not None:
                    with weights_budget(limits.max_weights_bytes):
                        assign_optimizer(optimizer, model, arrays, source,
                                         allow_non_finite=allow_non_finite)
        finally:
            reader.close()
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
                 *, allow_non_finite: bool = False, **kwargs: Any) -> None:
    """Load weights saved by `save_weights` (or from a `.keras`/`.h5` model file).

    Every shape and dtype is checked before any data is read and anything is assigned; a
    mismatch names the layer. Every failure is a FileFormatError naming the file.
    """
    if kwargs.pop("by_name", False):
        raise ValueError("load_weights: by_name=True is not supported; weights are matched "
                         "by layer structure (skip_mismatch=True skips layers that differ)")
    if kwargs:
        raise TypeError(f"load_weights: unexpected keyword argument(s) {sorted(kwargs)}")
    path = os.fspath(filepath)
    with _load_errors(path) as source:
        reader = _open(path, LoadLimits(allow_non_finite=allow_non_finite))
        try:
            with reader.weights(weights_member_limit(_model_bytes(model))) as root:
                assign_tree(model, read_tree(root), source, skip_mismatch=skip_mismatch,
                            allow_non_finite=allow_non_finite)
        finally:
            reader.close()
