"""Conversion of a data set to pandas objects (``as_frame=True``)."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_frame(
    data: np.ndarray, target: np.ndarray, feature_names: list[str], target_name: str
) -> tuple[Any, Any, Any]:
    """Return ``(frame, X, y)``: a DataFrame of features and target, and its two parts.

    Raises:
        ImportError: pandas is not installed (``pip install neuroflow[pandas]``).
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(
            "as_frame=True requires pandas, which is not installed; "
            "install it with `pip install neuroflow[pandas]` or use as_frame=False."
        ) from exc
    frame = pd.DataFrame(data, columns=list(feature_names))
    frame[target_name] = target
    return frame, frame[list(feature_names)], frame[target_name]
