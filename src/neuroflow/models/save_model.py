"""`keras.models.save_model`: the same function as `keras.saving.save_model`."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["save_model"]


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
               zipped: bool | None = None, **kwargs: Any) -> None:
    """Save `model` to a `.keras` (zip) or `.h5` file; see `neuroflow.saving.save_model`.
    `zipped=False` (an unzipped folder) is refused: a .keras file is always a zip."""
    from neuroflow.saving import save_model as _save

    if zipped is False:
        raise ValueError("save_model: zipped=False (an unzipped .keras folder) is not "
                         "supported; a .keras file is always a zip archive")
    _save(model, filepath, overwrite=overwrite, **kwargs)
