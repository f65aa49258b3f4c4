"""tf.keras 2 methods that Keras 3 removed from Sequential: predict_classes, predict_proba."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["SequentialLegacyMixin"]


class SequentialLegacyMixin:
    """`predict_classes` and `predict_proba` as tf.keras 2's Sequential had them."""

    def predict_classes(self, x: Any, batch_size: int = 32, verbose: Any = 0) -> np.ndarray:
        """Deprecated: class indices, `argmax` of the outputs (several units) or
        `outputs > 0.5` as int32 of shape (n, 1) (a single sigmoid unit)."""
        warnings.warn(
            "model.predict_classes() is deprecated (tf.keras 2); use "
            "np.argmax(model.predict(x), axis=-1) for multi-class classification, or "
            "(model.predict(x) > 0.5).astype('int32') for binary classification",
            DeprecationWarning, stacklevel=2,
        )
        proba = np.asarray(self.predict(x, batch_size=batch_size, verbose=verbose))
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x: Any, batch_size: int = 32, verbose: Any = 0) -> np.ndarray:
        """Deprecated: the same as `predict`; warns when the outputs are not in [0, 1]."""
        warnings.warn(
            "model.predict_proba() is deprecated (tf.keras 2); use model.predict(x)",
            DeprecationWarning, stacklevel=2,
        )
        preds = np.asarray(self.predict(x, batch_size=batch_size, verbose=verbose))
        if preds.size and (preds.min() < 0.0 or preds.max() > 1.0):
            warnings.warn(
                "Network returning invalid probability values. The last layer might not "
                "normalize predictions into probabilities (like softmax or sigmoid would).",
                UserWarning, stacklevel=2,
            )
        return preds
