"""HDF5 files: weights-only `.weights.h5` and full-model `.h5` (config + weights + state).

Both share the weights layout of h5_io; a full-model file adds the JSON model config as
the root attribute `model_config`. Every file carries `neuroflow_metadata`.
"""

from __future__ import annotations

from typing import Any

from neuroflow.saving import h5_io
from neuroflow.saving.atomic import atomic_path
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.metadata import check_metadata, make_metadata

__all__ = ["write_h5", "read_h5"]


def write_h5(filepath: str, tree: dict, config: dict | None = None, optimizer: Any = None,
             optimizer_arrays: list | None = None, extra: dict | None = None,
             overwrite: bool = True) -> None:
    """Write an HDF5 weights or model file atomically.

    Args:
        tree: the weights tree (weights_tree.model_tree).
        config: the model config (full-model files only).
        optimizer_arrays: the optimizer's variables, when its state is to be kept.
        extra: more JSON-able root attributes (e.g. a backup's epoch and RNG state).
    """
    h5py = h5_io.require_h5py()
    with atomic_path(filepath, overwrite=overwrite) as tmp:
        with h5py.File(tmp, "w") as f:
            h5_io.write_json_attr(f, "neuroflow_metadata", make_metadata())
            if config is not None:
                h5_io.write_json_attr(f, "model_config", config)
            for key, value in (extra or {}).items():
                h5_io.write_json_attr(f, key, value)
            h5_io.write_tree(f, tree)
            if optimizer_arrays is not None:
                h5_io.write_optimizer(f, optimizer, optimizer_arrays)


def read_h5(filepath: str, extra_keys: tuple[str, ...] = ()) -> dict:
    """Everything in an HDF5 file written by write_h5, as plain Python/NumPy data.

    Returns a dict with 'metadata', 'config' (None for weights-only files), 'tree',
    'optimizer' (arrays or None) and each of `extra_keys`.
    """
    h5py = h5_io.require_h5py()
    source = f"file {filepath!r}"
    try:
        with h5py.File(filepath, "r") as f:
            metadata = h5_io.read_json_attr(f, "neuroflow_metadata")
            if metadata is None and "model_weights" in f:
                raise FileFormatError(
                    f"{source} is a tf.keras HDF5 file; neuroflow loads only the files it "
                    "writes itself")
            check_metadata(metadata, source)
            out = {"metadata": metadata, "config": h5_io.read_json_attr(f, "model_config"),
                   "tree": h5_io.read_tree(f), "optimizer": h5_io.read_optimizer(f)}
            for key in extra_keys:
                out[key] = h5_io.read_json_attr(f, key)
            return out
    except FileFormatError as err:
        if str(err).startswith(source):
            raise
        raise FileFormatError(f"{source}: {err}") from err
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise FileFormatError(f"{source} is truncated or corrupted: it is not a readable "
                              f"HDF5 file ({err})") from err
