"""The `.keras` archive: a zip of config.json, metadata.json and model.weights.h5."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from typing import Any

from neuroflow.saving import h5_io
from neuroflow.saving.atomic import atomic_path
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.metadata import check_metadata, make_metadata

__all__ = ["write_archive", "read_archive"]

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
_MAX_JSON_BYTES = 64 * 2**20


def _weights_bytes(tree: dict, optimizer: Any, optimizer_arrays: list | None) -> bytes:
    h5py = h5_io.require_h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        h5_io.write_json_attr(f, "neuroflow_metadata", make_metadata())
        h5_io.write_tree(f, tree)
        if optimizer_arrays is not None:
            h5_io.write_optimizer(f, optimizer, optimizer_arrays)
    return buffer.getvalue()


def write_archive(filepath: str, config: dict, tree: dict, optimizer: Any = None,
                  optimizer_arrays: list | None = None, overwrite: bool = True) -> None:
    """Write a `.keras` archive atomically (temporary file, then rename)."""
    weights = _weights_bytes(tree, optimizer, optimizer_arrays)
    with atomic_path(filepath, overwrite=overwrite) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(METADATA, json.dumps(make_metadata(), indent=2))
            zf.writestr(CONFIG, json.dumps(config))
            zf.writestr(WEIGHTS, weights)


def _read_json(zf: zipfile.ZipFile, name: str, source: str) -> Any:
    try:
        info = zf.getinfo(name)
    except KeyError as err:
        raise FileFormatError(f"{source} is not a neuroflow .keras archive: it has no "
                              f"{name}") from err
    if info.file_size > _MAX_JSON_BYTES:
        raise FileFormatError(f"{source}: {name} is implausibly large ({info.file_size} bytes)")
    try:
        return json.loads(zf.read(name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FileFormatError(f"{source}: {name} is not valid JSON ({err})") from err


def read_archive(filepath: str) -> tuple[dict, dict, dict, list | None]:
    """(metadata, config, weights tree, optimizer arrays or None) from a `.keras` file."""
    source = f"file {filepath!r}"
    try:
        with zipfile.ZipFile(filepath, "r") as zf:
            metadata = _read_json(zf, METADATA, source)
            check_metadata(metadata, source)
            config = _read_json(zf, CONFIG, source)
            try:
                weights = zf.read(WEIGHTS)
            except KeyError as err:
                raise FileFormatError(f"{source} has no {WEIGHTS}") from err
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            ValueError) as err:
        if isinstance(err, (FileFormatError, FileNotFoundError)):
            raise
        raise FileFormatError(f"{source} is truncated or corrupted: it is not a readable "
                              f".keras (zip) archive ({err})") from err
    tree, optimizer_arrays = read_weights_bytes(weights, f"{WEIGHTS} in {source}")
    return metadata, config, tree, optimizer_arrays


def read_weights_bytes(data: bytes, source: str) -> tuple[dict, list | None]:
    """The weights tree and optimizer arrays of an in-memory HDF5 weights file."""
    h5py = h5_io.require_h5py()
    try:
        with h5py.File(io.BytesIO(data), "r") as f:
            return h5_io.read_tree(f), h5_io.read_optimizer(f)
    except FileFormatError as err:
        raise FileFormatError(f"{source}: {err}") from err
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as err:
        raise FileFormatError(f"{source} is truncated or corrupted ({err})") from err
