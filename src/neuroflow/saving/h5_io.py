"""Weights trees and optimizer state in HDF5 groups (via h5py), and reading them back.

Layout (the same in `.weights.h5`, in the `.keras` archive's `model.weights.h5` and at
the root of a full-model `.h5` file):

    vars/0, vars/1, ...              the model's own weights
    layers/<key>/vars/<i>            each layer's weights (keys: see weights_tree)
    layers/<key>/layers/<key>/...    nested layers
    optimizer/vars/<i>               the optimizer's variables, in order (optional)

Reading copies everything into NumPy arrays first; any h5py failure becomes a
FileFormatError that names the file.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from neuroflow.saving.errors import FileFormatError

__all__ = ["require_h5py", "write_tree", "read_tree", "write_optimizer", "read_optimizer",
           "write_json_attr", "read_json_attr"]


def require_h5py():
    """The h5py module, or an ImportError that says how to install it."""
    try:
        import h5py
    except ImportError as err:
        raise ImportError(
            "Saving and loading weights needs h5py: pip install h5py (or neuroflow[h5])"
        ) from err
    return h5py


def _write_vars(group: Any, arrays: list, paths: list | None = None) -> None:
    if not arrays:
        return
    vars_group = group.create_group("vars")
    for i, arr in enumerate(arrays):
        ds = vars_group.create_dataset(str(i), data=np.asarray(arr))
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


def _read_vars(group: Any) -> list[np.ndarray]:
    if "vars" not in group:
        return []
    vars_group = group["vars"]
    count = len(vars_group.keys())
    out = []
    for i in range(count):
        key = str(i)
        if key not in vars_group:
            raise FileFormatError(f"missing dataset '{vars_group.name}/{key}'")
        out.append(np.array(vars_group[key][()]))
    return out


def _str_attr(group: Any, key: str) -> str:
    value = group.attrs.get(key, "")
    return value.decode() if isinstance(value, bytes) else str(value)


def read_tree(group: Any) -> dict:
    """Read a weights tree back into NumPy arrays."""
    node = {"class_name": _str_attr(group, "class_name"), "name": _str_attr(group, "name"),
            "vars": _read_vars(group), "layers": {}}
    if "layers" in group:
        for key in group["layers"].keys():
            node["layers"][key] = read_tree(group["layers"][key])
    return node


def write_optimizer(group: Any, optimizer: Any, arrays: list) -> None:
    """Write the optimizer's variables under `optimizer/vars`."""
    opt = group.create_group("optimizer")
    opt.attrs["class_name"] = type(optimizer).__name__
    _write_vars(opt, arrays)


def read_optimizer(group: Any) -> list[np.ndarray] | None:
    """The optimizer arrays stored in the file, or None when it has none."""
    if "optimizer" not in group:
        return None
    return _read_vars(group["optimizer"])


def write_json_attr(group: Any, key: str, value: Any) -> None:
    group.attrs[key] = json.dumps(value)


def read_json_attr(group: Any, key: str) -> Any:
    if key not in group.attrs:
        return None
    raw = group.attrs[key]
    raw = raw.decode() if isinstance(raw, bytes) else str(raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        raise FileFormatError(f"attribute '{key}' is not valid JSON: {err}") from err
