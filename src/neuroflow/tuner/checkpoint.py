"""A trial's best weights on disk: an .npz of arrays (no pickle) plus the input shape."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from neuroflow.saving.atomic import atomic_path

__all__ = ["input_shape_of", "load_checkpoint", "save_checkpoint"]


def _jsonable_shape(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, dict):
        return {k: _jsonable_shape(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple, dict)):
        return [_jsonable_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def input_shape_of(model: Any, fallback: Any = None) -> Any:
    """The batch input shape the model was built with (or that of `fallback` data)."""
    shape = getattr(model, "_build_input_shape", None)
    if shape is None and fallback is not None and hasattr(fallback, "shape"):
        shape = (None, *np.shape(fallback)[1:])
    return _jsonable_shape(shape)


def save_checkpoint(path: str | os.PathLike, weights: list[np.ndarray], input_shape: Any) -> None:
    """Write `weights` and `input_shape` atomically to `path` (an .npz file)."""
    arrays = {f"w{i:04d}": np.asarray(w) for i, w in enumerate(weights)}
    arrays["input_shape"] = np.array(json.dumps(input_shape))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)


def load_checkpoint(model: Any, path: str | os.PathLike) -> Any:
    """Build `model` for the saved input shape if needed and load the saved weights."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"the trial checkpoint {os.fspath(path)!r} does not exist here; trials run on "
            "other machines keep their checkpoints in their own project folder (use a "
            "shared directory)")
    with np.load(path, allow_pickle=False) as data:
        shape = json.loads(str(data["input_shape"]))
        weights = [data[k] for k in sorted(k for k in data.files if k.startswith("w"))]
    if not getattr(model, "built", True) or (not model.weights and weights):
        if shape is None:
            raise ValueError(f"{os.fspath(path)!r} does not record the model's input shape")
        model.build(_as_shape(shape))
    model.set_weights(weights)
    return model


def _as_shape(shape: Any) -> Any:
    if isinstance(shape, dict):
        return {k: _as_shape(v) for k, v in shape.items()}
    if shape and isinstance(shape[0], (list, dict)):
        return [_as_shape(s) for s in shape]
    return tuple(shape)
