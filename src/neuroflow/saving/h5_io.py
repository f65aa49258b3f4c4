"""Weights trees and optimizer state in HDF5 groups (via h5py), and reading them back.

Layout (the same in `.weights.h5`, in the `.keras` archive's `model.weights.h5` and at
the root of a full-model `.h5` file):

    vars/0, vars/1, ...              the model's own weights (attribute sha256: checksum)
    layers/<key>/vars/<i>            each layer's weights (keys: see weights_tree)
    layers/<key>/layers/<key>/...    nested layers
    optimizer/vars/<i>               the optimizer's variables, in order (optional)

Reading is lazy and refuses anything that could read another file or allocate more than
the model needs: every member must be a hard link to a group or dataset of the expected
kind, and every dataset a plain (no external storage, no virtual layout, no filters)
array of real floats or integers. Its data is read only once its shape and dtype have
been matched against the model (StoredArray.read), and its checksum (files written
before checksums existed have none) is verified then.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np

from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.limits import LoadLimits, parse_json

__all__ = ["require_h5py", "write_tree", "read_tree", "write_optimizer", "read_optimizer",
           "write_json_attr", "read_json_attr", "StoredArray", "checksum"]

_CHECKSUM = "sha256"
_MAX_DEPTH = 64
_MAX_CHUNK_BYTES = 2**20


def require_h5py():
    """The h5py module, or an ImportError that says how to install it."""
    try:
        import h5py
    except ImportError as err:
        raise ImportError(
            "Saving and loading weights needs h5py: pip install h5py (or neuroflow[h5])"
        ) from err
    return h5py


def checksum(arr: np.ndarray) -> str:
    """SHA-256 of an array's values (little-endian bytes), as stored with each dataset."""
    arr = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
    return hashlib.sha256(arr.tobytes()).hexdigest()


# ---- writing ------------------------------------------------------------------------------
def _write_vars(group: Any, arrays: list, paths: list | None = None) -> None:
    if not arrays:
        return
    vars_group = group.create_group("vars")
    for i, arr in enumerate(arrays):
        arr = np.asarray(arr)
        ds = vars_group.create_dataset(str(i), data=arr)
        ds.attrs[_CHECKSUM] = checksum(arr)
        if paths:
            ds.attrs["path"] = paths[i]


def write_tree(group: Any, tree: dict) -> None:
    """Write a weights tree (see weights_tree.model_tree) into an h5py group."""
    group.attrs["class_name"] = tree["class_name"]
    group.attrs["name"] = tree["name"]
    _write_vars(group, tree["vars"], tree.get("paths"))
    if tree["layers"]:
        layers = group.create_group("layers")
        for key, child in tree["layers"].items():
            write_tree(layers.create_group(key), child)


def write_optimizer(group: Any, optimizer: Any, arrays: list) -> None:
    """Write the optimizer's variables under `optimizer/vars`."""
    opt = group.create_group("optimizer")
    opt.attrs["class_name"] = type(optimizer).__name__
    _write_vars(opt, arrays)


def write_json_attr(group: Any, key: str, value: Any) -> None:
    import json

    group.attrs[key] = json.dumps(value)


# ---- reading ------------------------------------------------------------------------------
def _member(group: Any, key: str, kind: str) -> Any:
    """`group[key]` when it is a hard link to a `kind` ('group' or 'dataset'), else a
    FileFormatError: soft and external links are never followed."""
    h5py = require_h5py()
    where = f"{group.name.rstrip('/')}/{key}"
    link = group.get(key, getlink=True)
    if link is None:
        raise FileFormatError(f"missing {kind} '{where}'")
    if not isinstance(link, h5py.HardLink):
        target = getattr(link, "filename", None) or getattr(link, "path", "?")
        raise FileFormatError(f"'{where}' is a {type(link).__name__} to {target!r}; a model "
                              "file may not point to other files or paths, so it is refused")
    obj = group[key]
    wanted = h5py.Group if kind == "group" else h5py.Dataset
    if not isinstance(obj, wanted):
        found = "group" if isinstance(obj, h5py.Group) else type(obj).__name__.lower()
        raise FileFormatError(f"'{where}' is a {found} where a {kind} was expected")
    return obj


class StoredArray:
    """A dataset checked to be a plain real array; its data is read only by `read`."""

    def __init__(self, dataset: Any):
        self._dataset = dataset
        self.name = dataset.name
        plist = dataset.id.get_create_plist()
        if dataset.is_virtual:
            raise FileFormatError(f"dataset '{self.name}' is a virtual dataset (its data "
                                  "lives in other files); refused")
        if plist.get_external_count():
            raise FileFormatError(f"dataset '{self.name}' keeps its data in an external "
                                  "file; refused")
        if plist.get_nfilters():
            raise FileFormatError(f"dataset '{self.name}' is compressed or filtered; "
                                  "neuroflow writes plain datasets only, so it is refused")
        dtype = dataset.dtype
        if dtype.kind not in "fiu" or dtype.fields is not None or dtype.subdtype is not None \
                or dtype.itemsize > 8:
            raise FileFormatError(f"dataset '{self.name}' has dtype {dtype}; weights are real "
                                  "floats or integers")
        self.shape = tuple(int(d) for d in dataset.shape)
        self.dtype = np.dtype(dtype)
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize
        chunks = dataset.chunks
        if chunks and math.prod(chunks) * self.dtype.itemsize > max(self.nbytes,
                                                                    _MAX_CHUNK_BYTES):
            raise FileFormatError(f"dataset '{self.name}' has chunks {chunks} larger than "
                                  f"its shape {self.shape}; refused")
        stored = dataset.attrs.get(_CHECKSUM)
        self.checksum = stored.decode() if isinstance(stored, bytes) else stored

    def read(self, allow_non_finite: bool = True) -> np.ndarray:
        """The data, after its checksum (when stored) and finiteness are verified."""
        arr = np.empty(self.shape, dtype=self.dtype)
        if arr.size:
            self._dataset.read_direct(arr)
        if self.checksum is not None and checksum(arr) != str(self.checksum):
            raise FileFormatError(f"dataset '{self.name}' does not match its checksum: the "
                                  "file is damaged")
        if not allow_non_finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise FileFormatError(f"dataset '{self.name}' holds NaN or infinite values; pass "
                                  "allow_non_finite=True to load them anyway")
        return arr


def _read_vars(group: Any) -> list[StoredArray]:
    if "vars" not in group:
        return []
    vars_group = _member(group, "vars", "group")
    return [StoredArray(_member(vars_group, str(i), "dataset"))
            for i in range(len(vars_group.keys()))]


def _str_attr(group: Any, key: str) -> str:
    value = group.attrs.get(key, "")
    return value.decode() if isinstance(value, bytes) else str(value)


def read_tree(group: Any, depth: int = 0) -> dict:
    """The weights tree of a file, its arrays as StoredArray (read them with `.read`)."""
    if depth > _MAX_DEPTH:
        raise FileFormatError(f"'{group.name}': layers nested more than {_MAX_DEPTH} deep")
    node = {"class_name": _str_attr(group, "class_name"), "name": _str_attr(group, "name"),
            "vars": _read_vars(group), "layers": {}}
    if "layers" in group:
        layers = _member(group, "layers", "group")
        for key in layers.keys():
            node["layers"][key] = read_tree(_member(layers, key, "group"), depth + 1)
    return node


def read_optimizer(group: Any) -> list[StoredArray] | None:
    """The optimizer arrays stored in the file (as StoredArray), or None when it has none."""
    if "optimizer" not in group:
        return None
    return _read_vars(_member(group, "optimizer", "group"))


def read_json_attr(group: Any, key: str, limits: LoadLimits | None = None) -> Any:
    """The JSON value of a string attribute (None when absent), within `limits`."""
    if key not in group.attrs:
        return None
    raw = group.attrs[key]
    if isinstance(raw, np.ndarray) or not isinstance(raw, (bytes, str)):
        raise FileFormatError(f"attribute '{key}' is not a string")
    return parse_json(raw, f"attribute '{key}'", limits or LoadLimits())
