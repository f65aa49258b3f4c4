"""The weights of a model as a tree keyed like Keras 3 files, and loading it back.

Each layer is a node `{"vars": [arrays], "layers": {key: node}, "class_name", "name"}`;
a child's key is its snake_case class name, numbered in order (`dense`, `dense_1`, ...),
so a file loads into a freshly built model whatever its layers' names. Layers without
weights are left out. Loading checks every shape and dtype first and names the layer that
does not match; only then is any stored array read (arrays from a file are StoredArray:
their data is read on demand), and nothing is assigned unless everything was read.

Layers and models are reached through their saving protocol only: `_own_variables()`
(the variables the layer itself created), `_saveable_children()` (the sub-layers whose
weights are nested under it) and `weights`; optimizers through `variables` and
Keras 3's `save_own_variables`/`load_own_variables`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from neuroflow.backend.naming import snake_case

__all__ = ["model_tree", "assign_tree", "optimizer_arrays", "assign_optimizer"]


def _has_weights(layer: Any, seen: set[int]) -> bool:
    return any(id(v) not in seen for v in layer.weights)


def _keyed_children(layer: Any) -> list[tuple[str, Any]]:
    counts: dict[str, int] = {}
    out = []
    for child in layer._saveable_children():
        base = snake_case(type(child).__name__)
        n = counts.get(base, 0)
        counts[base] = n + 1
        out.append((base if n == 0 else f"{base}_{n}", child))
    return out


def model_tree(layer: Any, seen: set[int] | None = None) -> dict:
    """The weights of `layer` and its sub-layers as a tree of NumPy arrays."""
    seen = set() if seen is None else seen
    own = [v for v in layer._own_variables() if id(v) not in seen]
    seen.update(id(v) for v in own)
    node: dict[str, Any] = {
        "class_name": type(layer).__name__, "name": layer.name,
        "vars": [np.array(v.data) for v in own], "paths": [str(v.path) for v in own],
        "layers": {},
    }
    for key, child in _keyed_children(layer):
        if _has_weights(child, seen):
            node["layers"][key] = model_tree(child, seen)
    return node


def _label(layer: Any) -> str:
    return f"layer '{layer.name}' ({type(layer).__name__})"


def _match(node: dict, layer: Any, where: str, pairs: list, seen: set[int],
           source: str, skip_mismatch: bool) -> None:
    own = [v for v in layer._own_variables() if id(v) not in seen]
    seen.update(id(v) for v in own)
    stored = node.get("vars", [])
    problem = None
    if len(stored) != len(own):
        problem = (f"{_label(layer)} has {len(own)} weight(s) "
                   f"{[tuple(v.shape) for v in own]}, but {source} holds {len(stored)} "
                   f"{[tuple(a.shape) for a in stored]} at '{where or '/'}'")
    else:
        for i, (var, arr) in enumerate(zip(own, stored, strict=True)):
            if tuple(arr.shape) != tuple(var.shape):
                problem = (f"{_label(layer)}: weight '{var.path}' has shape "
                           f"{tuple(var.shape)}, but {source} holds shape {tuple(arr.shape)} "
                           f"at '{where}/vars/{i}'")
                break
            if not _dtype_fits(arr.dtype, var.dtype):
                problem = (f"{_label(layer)}: weight '{var.path}' is {np.dtype(var.dtype)}, "
                           f"but {source} holds {np.dtype(arr.dtype)} at '{where}/vars/{i}'")
                break
    if problem is not None:
        if not skip_mismatch:
            raise ValueError(f"Cannot load weights: {problem}")
        warnings.warn(f"Skipping {problem}", stacklevel=4)
    else:
        pairs.extend(zip(own, stored, strict=True))
    stored_children = dict(node.get("layers", {}))
    for key, child in _keyed_children(layer):
        if not _has_weights(child, seen):
            continue
        sub = f"{where}/layers/{key}"
        if key not in stored_children:
            problem = f"{source} has no weights for {_label(child)} (expected at '{sub}')"
            if not skip_mismatch:
                raise ValueError(f"Cannot load weights: {problem}")
            warnings.warn(f"Skipping {problem}", stacklevel=4)
            continue
        _match(stored_children.pop(key), child, sub, pairs, seen, source, skip_mismatch)
    if stored_children and not skip_mismatch:
        extra = ", ".join(f"'{where}/layers/{k}' ({v.get('class_name')} '{v.get('name')}')"
                          for k, v in stored_children.items())
        raise ValueError(f"Cannot load weights: {source} holds weights for layers that "
                         f"{_label(layer)} does not have: {extra}")


def _dtype_fits(stored: Any, wanted: Any) -> bool:
    """Float weights load from real floats, integer ones (counters) from integers."""
    stored, wanted = np.dtype(stored).kind, np.dtype(wanted).kind
    return stored == "f" if wanted in "fc" else stored in "iub"


def _fetch(arr: Any, dtype: Any, allow_non_finite: bool, what: str) -> np.ndarray:
    """The values of a stored (lazy) or in-memory array, as `dtype`."""
    if hasattr(arr, "read"):
        value = arr.read(allow_non_finite=allow_non_finite)
    else:
        value = np.asarray(arr)
        if not allow_non_finite and value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ValueError(f"{what} holds NaN or infinite values")
    return np.asarray(value, dtype=dtype)


def assign_tree(model: Any, tree: dict, source: str, skip_mismatch: bool = False,
                allow_non_finite: bool = True) -> None:
    """Check every shape and dtype against `tree`, read the arrays, then assign all
    weights (or none); non-finite weights are refused unless `allow_non_finite`."""
    if not model.built and (tree.get("vars") or tree.get("layers")):
        raise ValueError(
            f"Cannot load weights from {source} into model '{model.name}': it is not built "
            "yet, so it has no weights. Build it first: call it on a batch of data or call "
            "model.build(input_shape)"
        )
    pairs: list = []
    _match(tree, model, "", pairs, set(), source, skip_mismatch)
    values = [_fetch(arr, var.dtype, allow_non_finite, f"{source}: weight '{var.path}'")
              for var, arr in pairs]
    for (var, _), value in zip(pairs, values, strict=True):
        var.assign(value)


def optimizer_arrays(optimizer: Any) -> list[np.ndarray]:
    """The optimizer's state: its `variables` (iterations, rate, slots) in order, as its
    `save_own_variables` writes them."""
    store: dict[str, np.ndarray] = {}
    optimizer.save_own_variables(store)
    return [store[str(i)] for i in range(len(store))]


def assign_optimizer(optimizer: Any, model: Any, arrays: list, source: str,
                     allow_non_finite: bool = True) -> None:
    """Build the optimizer's slots for the model, then restore its variables in order
    (every shape and dtype checked before any array is read)."""
    variables = optimizer.variables
    if not optimizer.built and len(variables) != len(arrays):
        # the file was saved after training started: create the slots it holds
        optimizer.build(model.trainable_weights)
        variables = optimizer.variables
    if len(variables) != len(arrays):
        raise ValueError(
            f"Cannot load the optimizer state from {source}: optimizer "
            f"{type(optimizer).__name__} has {len(variables)} variables, the file holds "
            f"{len(arrays)}"
        )
    for var, arr in zip(variables, arrays, strict=True):
        if tuple(var.shape) != tuple(np.shape(arr)):
            raise ValueError(
                f"Cannot load the optimizer state from {source}: variable '{var.path}' has "
                f"shape {tuple(var.shape)}, the file holds {tuple(np.shape(arr))}"
            )
        if not _dtype_fits(arr.dtype, var.dtype):
            raise ValueError(
                f"Cannot load the optimizer state from {source}: variable '{var.path}' is "
                f"{np.dtype(var.dtype)}, the file holds {np.dtype(arr.dtype)}"
            )
    values = [_fetch(arr, var.dtype, allow_non_finite, f"{source}: optimizer variable "
                     f"'{var.path}'") for var, arr in zip(variables, arrays, strict=True)]
    optimizer.load_own_variables({str(i): value for i, value in enumerate(values)})
