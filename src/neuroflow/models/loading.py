"""`neuroflow.models.load_model` and `model_from_json` (implemented in neuroflow.saving)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["load_model", "model_from_json"]


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True, **limits: Any) -> Any:
    """Load a model saved by `model.save()` (see neuroflow.saving.load_model; `limits`:
    its max_weights_bytes and allow_non_finite)."""
    from neuroflow.saving import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode,
                 **limits)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """A new model from `model.to_json()` output (see neuroflow.saving.model_from_json)."""
    from neuroflow.saving import model_from_json as _from_json

    return _from_json(json_string, custom_objects=custom_objects)
