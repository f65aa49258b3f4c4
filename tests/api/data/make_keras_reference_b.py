"""Write keras_reference_b.json: Keras 3's numbers for the losses, metrics, layers and
optimizers of issue 16 part B, on fixed small inputs, for the tests (which have no Keras).

    KERAS_BACKEND=numpy python tests/api/data/make_keras_reference_b.py
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

T = np.array([[0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]], dtype="float32")
P = np.array([[0.2, 0.7, 0.9], [0.9, 0.4, 0.3], [0.1, 0.3, 0.6], [0.55, 0.35, 0.05]],
             dtype="float32")
ONE_HOT = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]], dtype="float32")
PROBS = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.25, 0.25, 0.5], [0.1, 0.8, 0.1]],
                 dtype="float32")
LOGITS = np.array([[1.0, -0.5, 2.0], [-1.5, 0.3, 0.2], [0.0, 1.2, -2.0], [0.7, 0.7, -0.1]],
                  dtype="float32")
SPARSE = np.array([1, 0, 2, 1])
EMB = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
EMB /= np.linalg.norm(EMB, axis=1, keepdims=True)
EMB_LABELS = np.array([0, 0, 1, 1, 2, 0])
W = np.array([1.0, 0.5, 2.0, 0.0], dtype="float32")

LOSSES = {
    "BinaryFocalCrossentropy": ({}, T, P),
    "BinaryFocalCrossentropy_balanced": ({"apply_class_balancing": True, "alpha": 0.4,
                                          "gamma": 1.5, "label_smoothing": 0.1}, T, P),
    "BinaryFocalCrossentropy_logits": ({"from_logits": True}, T, LOGITS),
    "CategoricalFocalCrossentropy": ({}, ONE_HOT, PROBS),
    "CategoricalFocalCrossentropy_logits": ({"from_logits": True, "alpha": 0.5, "gamma": 1.0,
                                             "label_smoothing": 0.2}, ONE_HOT, LOGITS),
    "CategoricalGeneralizedCrossEntropy": ({"q": 0.7}, SPARSE, PROBS),
    "Dice": ({}, T, P),
    "Dice_axis1": ({"axis": 1}, T, P),
    "Tversky": ({"alpha": 0.3, "beta": 0.7}, T, P),
    "Tversky_axis1": ({"axis": 1}, T, P),
    "Circle": ({}, EMB_LABELS, EMB),
    "Circle_keep_diagonal": ({"gamma": 10.0, "margin": 0.25, "remove_diagonal": False},
                             EMB_LABELS, EMB),
}


def losses() -> dict:
    out = {}
    for key, (kwargs, y_true, y_pred) in LOSSES.items():
        cls = getattr(keras.losses, key.split("_")[0])
        out[key] = {
            "kwargs": kwargs, "y_true": y_true.tolist(), "y_pred": y_pred.tolist(),
            "value": float(cls(**kwargs)(y_true, y_pred)),
            "per_sample": np.asarray(cls(reduction=None, **kwargs)(y_true, y_pred)).tolist(),
        }
        if key in ("BinaryFocalCrossentropy", "CategoricalFocalCrossentropy", "Dice_axis1"):
            out[key]["weighted"] = float(cls(**kwargs)(y_true, y_pred, sample_weight=W))
    return out


def main() -> None:
    out = {"keras_version": keras.__version__, "losses": losses()}
    path = Path(__file__).with_name("keras_reference_b.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path} (Keras {keras.__version__})")


if __name__ == "__main__":
    main()
