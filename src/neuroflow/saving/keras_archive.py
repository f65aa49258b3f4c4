"""The `.keras` archive: a zip of config.json, metadata.json and model.weights.h5.

Reading never trusts the sizes the zip declares: each member is inflated only up to the
bytes it may take (JSON: LoadLimits.max_json_bytes; the weights: a bound from the built
model), counted as they are produced, and the zip's CRC is checked at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from neuroflow.saving import h5_io
from neuroflow.saving.atomic import atomic_path
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.h5_format import open_h5
from neuroflow.saving.limits import LoadLimits, parse_json
from neuroflow.saving.metadata import check_metadata, make_metadata

__all__ = ["write_archive", "ArchiveReader"]

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               NotImplementedError, RuntimeError)


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


class ArchiveReader:
    """An opened `.keras` archive: its metadata is checked on opening; then its config,
    then its weights (inflated within a bound the caller computes from the model)."""

    def __init__(self, filepath: str, limits: LoadLimits):
        self.source = f"file {filepath!r}"
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(filepath, "r")
        except _ZIP_ERRORS as err:
            raise self._corrupted(err) from err
        try:
            check_metadata(self._json(METADATA), self.source)
        except BaseException:
            self._zip.close()
            raise

    def _corrupted(self, err: BaseException) -> FileFormatError:
        return FileFormatError(f"{self.source} is truncated or corrupted: it is not a "
                               f"readable .keras (zip) archive ({err})")

    def _member(self, name: str, max_bytes: int) -> bytes:
        """A member's bytes, inflated at most to `max_bytes` (whatever its header says)."""
        try:
            info = self._zip.getinfo(name)
        except KeyError as err:
            raise FileFormatError(f"{self.source} is not a neuroflow .keras archive: it has "
                                  f"no {name}") from err
        try:
            with self._zip.open(info) as member:
                data = member.read(max_bytes + 1)
                if len(data) > max_bytes:
                    raise FileFormatError(f"{self.source}: {name} inflates to more than "
                                          f"{max_bytes:,} bytes; refused")
                member.read(1)  # at the end: makes zipfile check the CRC
        except _ZIP_ERRORS as err:
            raise self._corrupted(err) from err
        return data

    def _json(self, name: str) -> Any:
        raw = self._member(name, self.limits.max_json_bytes)
        return parse_json(raw, f"{self.source}: {name}", self.limits)

    def config(self) -> Any:
        """The model config (config.json)."""
        return self._json(CONFIG)

    @contextlib.contextmanager
    def weights(self, max_bytes: int) -> Iterator[Any]:
        """The root group of model.weights.h5, inflated at most to `max_bytes`."""
        data = self._member(WEIGHTS, max_bytes)
        with open_h5(io.BytesIO(data), f"{WEIGHTS} in {self.source}") as f:
            yield f

    def close(self) -> None:
        self._zip.close()
