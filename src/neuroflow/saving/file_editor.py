"""KerasFileEditor: inspect, edit and resave the weights of a saved model (Keras 3).

Useful to adapt an old weights file to a changed architecture. The file is read through
the same hardened path as `load_model` (saving_api's reader and error handling, h5_io's
checked datasets): no link, external storage, virtual or filtered dataset is followed,
the zip member inflates within a bound, every dataset is checked before it is read and
against its checksum, and the arrays read together stay within `max_weights_bytes`.

The weights are a nested dict as in Keras: `editor.weights_dict["layers"]["dense"]["0"]`
is the first weight of the layer stored under `layers/dense`; a layer's own sub-layers sit
under its "layers" key, the optimizer's variables under the root's "optimizer".
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from neuroflow.saving import h5_io
from neuroflow.saving.errors import FileFormatError
from neuroflow.saving.h5_format import H5Reader, write_h5
from neuroflow.saving.keras_archive import METADATA, ArchiveReader, write_archive
from neuroflow.saving.limits import DEFAULT_MAX_WEIGHTS_BYTES, LoadLimits, weights_member_limit
from neuroflow.saving.metadata import file_kind
from neuroflow.saving.saving_api import _load_errors
from neuroflow.saving.weights_tree import model_tree

__all__ = ["KerasFileEditor"]

_OPTIMIZER = "optimizer"
_LAYERS = "layers"


class KerasFileEditor:
    """Open a `.keras`, `.h5` or `.weights.h5` file to inspect and edit its weights.

    Args:
        filepath: the file to open.
        max_weights_bytes: the most bytes of weights the file may hold (as `load_model`).
    """

    def __init__(self, filepath: str | os.PathLike, *,
                 max_weights_bytes: int = DEFAULT_MAX_WEIGHTS_BYTES):
        self.filepath = os.fspath(filepath)
        self.config: dict | None = None
        self.metadata: dict | None = None
        self._labels: dict[int, tuple[str, str]] = {}
        limits = LoadLimits(max_weights_bytes, allow_non_finite=True)
        with _load_errors(self.filepath) as source:
            archive = file_kind(self.filepath) == "zip"
            reader = ArchiveReader(self.filepath, limits) if archive \
                else H5Reader(self.filepath, limits)
            try:
                self.config = reader.config()
                if archive:
                    self.metadata = reader._json(METADATA)
                with reader.weights(weights_member_limit(max_weights_bytes)) as root:
                    if not archive:
                        self.metadata = h5_io.read_json_attr(root, "neuroflow_metadata", limits)
                    self.weights_dict = self._read(root, source, max_weights_bytes)
            finally:
                reader.close()
        print(f"Keras model file '{self.filepath}'")

    # ---- reading ---------------------------------------------------------------------
    def _read(self, root: Any, source: str, max_bytes: int) -> dict:
        tree = h5_io.read_tree(root)
        optimizer = h5_io.read_optimizer(root)
        total = sum(a.nbytes for a in _stored_arrays(tree))
        slots = sum(a.nbytes for a in optimizer or [])
        if total > max_bytes or slots > weights_member_limit(max_bytes):
            raise FileFormatError(f"{source}: its weights take {total:,} bytes (optimizer "
                                  f"{slots:,}), more than max_weights_bytes={max_bytes:,} "
                                  "allows; refused before reading them. If you trust the "
                                  "file, pass a larger max_weights_bytes")
        weights = self._to_dict(tree)
        if optimizer is not None:
            weights[_OPTIMIZER] = {str(i): a.read() for i, a in enumerate(optimizer)}
        return weights

    def _to_dict(self, node: dict) -> dict:
        out: dict[str, Any] = {str(i): a.read() for i, a in enumerate(node["vars"])}
        if node["layers"]:
            out[_LAYERS] = {key: self._to_dict(child) for key, child in node["layers"].items()}
        self._labels[id(out)] = (node["class_name"], node["name"])
        return out

    # ---- inspecting ------------------------------------------------------------------
    def summary(self) -> None:
        """Print the file's weights: each object's path, each weight's shape and dtype."""
        if self.metadata:
            print(f"Saved with {self.metadata.get('keras_version', '?')} on "
                  f"{self.metadata.get('date_saved', '?')}")
        print("\n".join(_lines(self.weights_dict, "")) or "(no weights)")

    def compare(self, reference_model: Any) -> dict:
        """List where the file and `reference_model` differ (missing objects or weights,
        other shapes). Returns {'status': 'success'|'error', 'error_count', 'match_count'}."""
        reference = _shape_dict(model_tree(reference_model))
        mine = _shape_dict(self.weights_dict, from_arrays=True)
        mine.pop(_OPTIMIZER, None)
        errors: list[str] = []
        matches = _compare(mine, reference, "", errors)
        if errors:
            print("\n".join(errors))
            print(f"Found {len(errors)} error{'s' * (len(errors) != 1)}: saved file is not "
                  "compatible with the reference model")
        else:
            print("Comparison successful: saved file is compatible with the reference model"
                  f"\n    Found {matches} matching weight{'s' * (matches != 1)}")
        return {"status": "error" if errors else "success", "error_count": len(errors),
                "match_count": matches}

    # ---- editing ---------------------------------------------------------------------
    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object (e.g. "dense_2" or the path "layers/dense_2")."""
        if not isinstance(new_name, str) or not new_name or "/" in new_name:
            raise ValueError(f"KerasFileEditor.rename_object: new_name must be a leaf name, "
                             f"not a path, received {new_name!r}")

        def rename(parent: dict, key: str) -> None:
            if new_name in parent:
                raise ValueError(f"KerasFileEditor.rename_object: '{new_name}' already exists "
                                 f"beside '{key}'")
            parent[new_name] = parent.pop(key)
        self._edit(object_name, rename)

    def delete_object(self, object_name: str) -> None:
        """Remove an object and its weights (e.g. "dense_2" or "layers/dense_2")."""
        self._edit(object_name, lambda parent, key: parent.pop(key))

    def add_object(self, object_path: str, weights: dict) -> None:
        """Add an object at `object_path` (e.g. "layers/dense_2") with `weights`
        ({"0": kernel, "1": bias})."""
        weights = _checked_weights(weights, "add_object")
        *parents, leaf = object_path.split("/")
        node = self.weights_dict
        for i, part in enumerate(parents):
            if not isinstance(node.get(part), dict):
                raise ValueError(f"KerasFileEditor.add_object: path "
                                 f"'{'/'.join(parents[:i + 1])}' not found in the file")
            node = node[part]
        if leaf in node:
            raise ValueError(f"KerasFileEditor.add_object: '{object_path}' already exists; "
                             "delete it first or use add_weights")
        node[leaf] = weights
        self._labels[id(weights)] = ("", leaf)

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove one weight (e.g. "1") from an object."""
        def delete(parent: dict, key: str) -> None:
            obj = parent[key]
            if not isinstance(obj, dict) or weight_name not in obj \
                    or isinstance(obj[weight_name], dict):
                found = [k for k, v in obj.items() if not isinstance(v, dict)] \
                    if isinstance(obj, dict) else []
                raise ValueError(f"KerasFileEditor.delete_weight: weight '{weight_name}' not "
                                 f"found in object '{object_name}'; its weights: {found}")
            obj.pop(weight_name)
        self._edit(object_name, delete)

    def add_weights(self, object_name: str, weights: dict) -> None:
        """Add weights ({"2": array}) to an existing object."""
        weights = _checked_weights(weights, "add_weights")

        def add(parent: dict, key: str) -> None:
            if not isinstance(parent[key], dict):
                raise ValueError(f"KerasFileEditor.add_weights: '{object_name}' is a weight, "
                                 "not an object")
            parent[key].update(weights)
        self._edit(object_name, add)

    def _edit(self, name: str, fn: Any) -> None:
        """Apply fn(parent_dict, key) to the object at a path or of a unique name."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"KerasFileEditor: expected an object name or path, received "
                             f"{name!r}")
        if "/" in name:
            *parents, leaf = name.split("/")
            node = self.weights_dict
            for part in parents:
                node = node.get(part) if isinstance(node, dict) else None
            if not isinstance(node, dict) or leaf not in node:
                raise ValueError(f"KerasFileEditor: path '{name}' not found in the file")
            fn(node, leaf)
            return
        found = list(_find(self.weights_dict, name))
        if len(found) > 1:
            raise ValueError(f"KerasFileEditor: name '{name}' occurs {len(found)} times in the "
                             "file; pass its complete path (see summary())")
        if not found:
            raise ValueError(f"KerasFileEditor: name '{name}' does not appear in the file; "
                             "summary() lists its objects")
        fn(found[0], name)

    # ---- saving ----------------------------------------------------------------------
    def save(self, filepath: str | os.PathLike) -> None:
        """Write the edited weights: a `.weights.h5` file (as Keras), or, when the opened
        file had a model config, a whole `.keras` or `.h5` model with that config."""
        path = os.fspath(filepath)
        if not path.endswith((".weights.h5", ".keras", ".h5")):
            raise ValueError(f"KerasFileEditor.save: expected a .weights.h5, .keras or .h5 "
                             f"path, received {path!r}")
        if self.config is None and not path.endswith(".weights.h5"):
            raise ValueError(f"KerasFileEditor.save: '{self.filepath}' holds weights only, no "
                             f"model config, so it can only be saved as .weights.h5, not "
                             f"{path!r}")
        tree = self._to_tree(self.weights_dict, "", root=True)
        optimizer = self.weights_dict.get(_OPTIMIZER)
        arrays = None if optimizer is None else _ordered_vars(optimizer, _OPTIMIZER)
        label = type(self._optimizer_class(), (), {})()  # write_optimizer files its class name
        if path.endswith(".weights.h5"):
            write_h5(path, tree, optimizer=label, optimizer_arrays=arrays)
            return
        if path.endswith(".keras"):
            write_archive(path, self.config, tree, optimizer=label, optimizer_arrays=arrays)
        else:
            write_h5(path, tree, config=self.config, optimizer=label, optimizer_arrays=arrays)

    def resave_weights(self, filepath: str | os.PathLike) -> None:
        """Keras' older name of `save`."""
        self.save(filepath)

    def _optimizer_class(self) -> str:
        """The optimizer's class name, as the model config names it."""
        compiled = (self.config or {}).get("compile_config") or {}
        optimizer = compiled.get("optimizer") if isinstance(compiled, dict) else None
        name = optimizer.get("class_name") if isinstance(optimizer, dict) else None
        return name if isinstance(name, str) and name.isidentifier() else "Optimizer"

    def _to_tree(self, node: dict, where: str, root: bool = False) -> dict:
        class_name, name = self._labels.get(id(node), ("", where.rsplit("/", 1)[-1]))
        children = node.get(_LAYERS, {})
        extra = set(node) - {_LAYERS} - {k for k in node if k.isdigit()} \
            - ({_OPTIMIZER} if root else set())
        if extra or not isinstance(children, dict):
            raise ValueError(f"KerasFileEditor.save: object '{where or '/'}' holds keys "
                             f"{sorted(extra) or [_LAYERS]} that are neither weights ('0', "
                             f"'1', ...) nor a '{_LAYERS}' dict of sub-objects")
        return {"class_name": class_name, "name": name,
                "vars": _ordered_vars({k: v for k, v in node.items() if k.isdigit()},
                                      where or "/"),
                "layers": {k: self._to_tree(v, f"{where}/{_LAYERS}/{k}".lstrip("/"))
                           for k, v in children.items()}}


# ---- helpers ---------------------------------------------------------------------------
def _stored_arrays(node: dict) -> list:
    out = list(node["vars"])
    for child in node["layers"].values():
        out.extend(_stored_arrays(child))
    return out


def _checked_weights(weights: Any, what: str) -> dict:
    if not isinstance(weights, dict):
        raise ValueError(f"KerasFileEditor.{what}: weights must be a dict of weight names "
                         f"('0', '1', ...) to arrays, received {type(weights).__name__}")
    out = {}
    for key, value in weights.items():
        arr = np.asarray(value.data if hasattr(value, "data") and not isinstance(
            value, np.ndarray) else value)
        if not isinstance(key, str) or not key.isdigit() or arr.dtype.kind not in "fiub":
            raise ValueError(f"KerasFileEditor.{what}: weight {key!r} must be named by its "
                             f"index ('0', '1', ...) and be a real array, received "
                             f"dtype {arr.dtype}")
        out[key] = arr
    return out


def _ordered_vars(weights: dict, where: str) -> list[np.ndarray]:
    keys = sorted(weights, key=int)
    if keys != [str(i) for i in range(len(keys))]:
        raise ValueError(f"KerasFileEditor.save: the weights of '{where}' are named {keys}; "
                         "they must be numbered '0', '1', ... without gaps")
    return [np.asarray(weights[k]) for k in keys]


def _find(node: dict, name: str):
    """Every dict holding the key `name`, depth first."""
    for value in node.values():
        if isinstance(value, dict):
            yield from _find(value, name)
    if name in node:
        yield node


def _lines(node: dict, where: str) -> list[str]:
    lines = []
    weights = [(k, v) for k, v in node.items() if not isinstance(v, dict)]
    if weights and where:
        lines.append(where)
    for key, value in weights:
        lines.append(f"    {key}: shape={tuple(value.shape)}, dtype={value.dtype}")
    for key, value in node.items():
        if isinstance(value, dict):
            lines.extend(_lines(value, f"{where}/{key}".lstrip("/")))
    return lines


def _shape_dict(node: dict, from_arrays: bool = False) -> dict:
    """{'0': shape, ..., 'layers': {...}} of an editor dict or a model_tree node."""
    if from_arrays:
        return {k: (_shape_dict(v, True) if isinstance(v, dict) else tuple(v.shape))
                for k, v in node.items()}
    out: dict[str, Any] = {str(i): tuple(a.shape) for i, a in enumerate(node["vars"])}
    if node["layers"]:
        out[_LAYERS] = {k: _shape_dict(v) for k, v in node["layers"].items()}
    return out


def _compare(mine: dict, reference: dict, where: str, errors: list[str]) -> int:
    matches = 0
    for key in sorted(set(mine) | set(reference), key=str):
        path = f"{where}/{key}".lstrip("/")
        ours, theirs = mine.get(key), reference.get(key)
        kind = "Object" if isinstance(ours if ours is not None else theirs, dict) else "Weight"
        if theirs is None:
            errors.append(f"...{kind} {path} present in saved file, missing from reference "
                          "model")
        elif ours is None:
            errors.append(f"...{kind} {path} present in reference model, missing from saved "
                          "file")
        elif isinstance(ours, dict) and isinstance(theirs, dict):
            matches += _compare(ours, theirs, path, errors)
        elif ours != theirs:
            errors.append(f"...Weight shape mismatch for {path}\n    In reference model: "
                          f"shape={theirs}\n    In saved file: shape={ours}")
        else:
            matches += 1
    return matches

