"""The ``.npz`` cache of parsed arrays, keyed by the digest of the verified source.

After a data file has been verified and parsed, its arrays are saved as
``<name>.<first 16 hex digits of its SHA-256>.npz`` in the cache folder, together with
a digest of the arrays themselves. A cache file whose arrays do not match that digest
(or that cannot be read) is deleted and ignored. Writing is best effort: a read-only
folder only costs the speed-up.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from neuroflow.datasets._content import DataFile

_DIGEST_KEY = "__sha256__"


def cache_file(folder: Path, spec: DataFile) -> Path:
    """Return the path of the parse cache of ``spec`` in ``folder``."""
    return folder / f"{spec.name}.{spec.sha256[:16]}.npz"


def _arrays_digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for key in sorted(arrays):
        array = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.data)
    return digest.hexdigest()


def load_cached(folder: Path, spec: DataFile) -> dict[str, np.ndarray] | None:
    """Return the cached arrays parsed from ``spec``, or None when there are none.

    A damaged cache file is deleted (when possible) and None is returned.
    """
    path = cache_file(folder, spec)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        stored = str(arrays.pop(_DIGEST_KEY))
        if stored == _arrays_digest(arrays):
            return arrays
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass
    try:
        path.unlink()
    except OSError:
        pass
    return None


def save_cached(folder: Path, spec: DataFile, arrays: dict[str, np.ndarray]) -> Path | None:
    """Save ``arrays`` as the parse cache of ``spec``; return its path, or None on failure.

    The file is written under a temporary name and renamed into place, so a reader
    never sees half of it.
    """
    payload = dict(arrays)
    payload[_DIGEST_KEY] = np.array(_arrays_digest(arrays))
    target = cache_file(folder, spec)
    tmp_name = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=target.name, suffix=".tmp", delete=False
        ) as handle:
            tmp_name = handle.name
            np.savez(handle, **payload)
        os.replace(tmp_name, target)
    except OSError:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
        return None
    return target
