"""HDF5 files: weights-only `.weights.h5` and full-model `.h5` (config + weights + state).

Both share the weights layout of h5_io; a full-model file adds the JSON model config as
the root attribute `model_config`. Every file carries `neuroflow_metadata`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from neuroflow.saving import h5_io
from neuroflow.saving.atomic import atomic_path
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.limits import LoadLimits
from neuroflow.saving.metadata import check_metadata, make_metadata

__all__ = ["write_h5", "read_h5", "H5Reader"]


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


def open_h5(source: Any, name: str) -> Any:
    """An h5py File opened read-only on a path or file object; an unreadable file is a
    FileFormatError naming `name`."""
    h5py = h5_io.require_h5py()
    try:
        return h5py.File(source, "r")
    except (OSError, ValueError) as err:
        raise FileFormatError(f"{name} is truncated or corrupted: it is not a readable HDF5 "
                              f"file ({err})") from err


class H5Reader:
    """An opened `.h5` / `.weights.h5` file: its config, then its weights."""

    def __init__(self, filepath: str, limits: LoadLimits):
        self.source = f"file {filepath!r}"
        self.limits = limits
        self._file = open_h5(filepath, self.source)
        try:
            metadata = h5_io.read_json_attr(self._file, "neuroflow_metadata", limits)
            if metadata is None and "model_weights" in self._file:
                raise FileFormatError(
                    f"{self.source} is a tf.keras HDF5 file; neuroflow loads only the files "
                    "it writes itself")
            check_metadata(metadata, self.source)
        except BaseException:
            self._file.close()
            raise

    def config(self) -> dict | None:
        """The model config, or None for a weights-only file."""
        return h5_io.read_json_attr(self._file, "model_config", self.limits)

    @contextlib.contextmanager
    def weights(self, max_bytes: int) -> Iterator[Any]:
        """The root group holding the weights (the file is on disk: nothing inflates)."""
        yield self._file

    def close(self) -> None:
        self._file.close()


def read_h5(filepath: str, extra_keys: tuple[str, ...] = ()) -> dict:
    """Everything in an HDF5 file written by write_h5 (e.g. a training backup), read into
    NumPy arrays with the checks of h5_io.

    Returns a dict with 'metadata', 'config' (None for weights-only files), 'tree',
    'optimizer' (arrays or None) and each of `extra_keys`.
    """
    limits = LoadLimits()
    reader = H5Reader(filepath, limits)
    source = reader.source
    try:
        f = reader._file
        tree = _materialize(h5_io.read_tree(f))
        optimizer = h5_io.read_optimizer(f)
        out = {"metadata": h5_io.read_json_attr(f, "neuroflow_metadata", limits),
               "config": reader.config(), "tree": tree,
               "optimizer": None if optimizer is None else [a.read() for a in optimizer]}
        for key in extra_keys:
            out[key] = h5_io.read_json_attr(f, key, limits)
        return out
    except FileFormatError as err:
        if str(err).startswith(source):
            raise
        raise FileFormatError(f"{source}: {err}") from err
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise FileFormatError(f"{source} is truncated or corrupted: it is not a readable "
                              f"HDF5 file ({err})") from err
    finally:
        reader.close()


def _materialize(node: dict) -> dict:
    return {**node, "vars": [a.read() for a in node["vars"]],
            "layers": {k: _materialize(v) for k, v in node["layers"].items()}}
