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


RNG = np.random.default_rng(1)
SCORES = RNG.uniform(size=(12, 3)).astype("float32")
MULTI = (RNG.uniform(size=(12, 3)) > 0.5).astype("float32")
BINARY_T = (RNG.uniform(size=(20,)) > 0.4).astype("float32")
BINARY_P = np.clip(BINARY_T * 0.3 + RNG.uniform(size=(20,)) * 0.7, 0, 1).astype("float32")
CLASS_T = RNG.integers(0, 4, size=(15,))
CLASS_P = np.where(RNG.uniform(size=15) > 0.4, CLASS_T, RNG.integers(0, 4, size=15))
REG_T = RNG.normal(size=(10, 2)).astype("float32")
REG_P = (REG_T + 0.5 * RNG.normal(size=(10, 2))).astype("float32")
CORR_T = RNG.normal(size=(6, 5)).astype("float32")
CORR_P = (0.7 * CORR_T + 0.5 * RNG.normal(size=(6, 5))).astype("float32")
W12 = RNG.uniform(0.2, 2.0, size=12).astype("float32")
W20 = RNG.uniform(0.2, 2.0, size=20).astype("float32")
W15 = RNG.uniform(0.2, 2.0, size=15).astype("float32")
ONE_HOT_T = np.eye(4, dtype="float32")[CLASS_T]
ONE_HOT_P = (np.eye(4)[CLASS_P] * 0.6 + RNG.uniform(size=(15, 4)) * 0.3).astype("float32")

# name: (class, kwargs, y_true, y_pred, sample_weight of the second batch)
METRICS = {
    "F1Score": ("F1Score", {}, MULTI, SCORES, W12),
    "F1Score_micro": ("F1Score", {"average": "micro", "threshold": 0.5}, MULTI, SCORES, W12),
    "F1Score_macro": ("F1Score", {"average": "macro", "threshold": 0.4}, MULTI, SCORES, None),
    "FBetaScore_weighted": ("FBetaScore", {"average": "weighted", "beta": 2.0}, MULTI, SCORES,
                            W12),
    "FBetaScore_half": ("FBetaScore", {"beta": 0.5, "threshold": 0.6}, MULTI, SCORES, None),
    "IoU": ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, CLASS_T, CLASS_P, W15),
    "MeanIoU": ("MeanIoU", {"num_classes": 4}, CLASS_T, CLASS_P, W15),
    "MeanIoU_ignore": ("MeanIoU", {"num_classes": 4, "ignore_class": 1}, CLASS_T, CLASS_P,
                       None),
    "OneHotIoU": ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, ONE_HOT_T,
                  ONE_HOT_P, W15),
    "OneHotMeanIoU": ("OneHotMeanIoU", {"num_classes": 4}, ONE_HOT_T, ONE_HOT_P, None),
    "BinaryIoU": ("BinaryIoU", {}, BINARY_T, BINARY_P, W20),
    "BinaryIoU_one": ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.7}, BINARY_T,
                      BINARY_P, None),
    "R2Score": ("R2Score", {}, REG_T, REG_P, W12[:10]),
    "R2Score_variance": ("R2Score", {"class_aggregation": "variance_weighted_average"},
                         REG_T, REG_P, None),
    "R2Score_raw_adjusted": ("R2Score", {"class_aggregation": None, "num_regressors": 3},
                             REG_T, REG_P, None),
    "PearsonCorrelation": ("PearsonCorrelation", {}, CORR_T, CORR_P, W12[:6]),
    "ConcordanceCorrelation": ("ConcordanceCorrelation", {}, CORR_T, CORR_P, None),
    "PrecisionAtRecall": ("PrecisionAtRecall", {"recall": 0.7}, BINARY_T, BINARY_P, W20),
    "PrecisionAtRecall_class": ("PrecisionAtRecall", {"recall": 0.5, "class_id": 1,
                                                      "num_thresholds": 50}, MULTI, SCORES,
                                None),
    "RecallAtPrecision": ("RecallAtPrecision", {"precision": 0.8}, BINARY_T, BINARY_P, W20),
    "SensitivityAtSpecificity": ("SensitivityAtSpecificity", {"specificity": 0.6}, BINARY_T,
                                 BINARY_P, W20),
    "SpecificityAtSensitivity": ("SpecificityAtSensitivity",
                                 {"sensitivity": 0.9, "num_thresholds": 20}, BINARY_T,
                                 BINARY_P, None),
}


def metrics() -> dict:
    """Two batches (the first and second halves), the second with sample weights."""
    out = {}
    for key, (cls_name, kwargs, y_true, y_pred, weights) in METRICS.items():
        metric = getattr(keras.metrics, cls_name)(**kwargs)
        half = len(y_true) // 2
        metric.update_state(y_true[:half], y_pred[:half])
        first = np.asarray(metric.result()).tolist()
        metric.update_state(y_true[half:], y_pred[half:],
                            sample_weight=None if weights is None else weights[half:])
        out[key] = {"class": cls_name, "kwargs": kwargs, "y_true": y_true.tolist(),
                    "y_pred": y_pred.tolist(),
                    "weights": None if weights is None else weights.tolist(),
                    "first": first, "result": np.asarray(metric.result()).tolist()}
    fns = {}
    for name, args in (("pearson_correlation", (CORR_T, CORR_P)),
                       ("concordance_correlation", (CORR_T, CORR_P)),
                       ("huber", (REG_T, REG_P)),
                       ("binary_focal_crossentropy", (T, P)),
                       ("categorical_focal_crossentropy", (ONE_HOT, PROBS))):
        fns[name] = np.asarray(getattr(keras.metrics, name)(*args)).tolist()
    out["_functions"] = fns
    return out


OPTIMIZERS = {
    "Lamb": {"learning_rate": 0.1, "beta_1": 0.8, "beta_2": 0.95},
    "Lamb_decay": {"learning_rate": 0.05, "weight_decay": 0.1},
    "Ftrl": {"learning_rate": 0.2},
    "Ftrl_l1_l2": {"learning_rate": 0.3, "learning_rate_power": -0.7,
                   "initial_accumulator_value": 0.2, "l1_regularization_strength": 0.05,
                   "l2_regularization_strength": 0.1,
                   "l2_shrinkage_regularization_strength": 0.02, "beta": 0.3},
}
W0 = [[0.5, -1.0], [2.0, 0.0]]
B0 = [0.25, -0.5]
GRADS = [([[0.3, -0.2], [0.0, 1.0]], [0.1, -0.3]), ([[-0.5, -0.2], [0.1, -1.0]], [0.0, 0.2]),
         ([[0.05, 0.3], [-0.1, 0.2]], [-0.4, 0.1])]


def optimizers() -> dict:
    """Three steps on a kernel and a bias from fixed gradients."""
    out = {}
    for key, kwargs in OPTIMIZERS.items():
        opt = getattr(keras.optimizers, key.split("_")[0])(**kwargs)
        w = keras.Variable(np.array(W0, dtype="float32"))
        b = keras.Variable(np.array(B0, dtype="float32"))
        steps = []
        for gw, gb in GRADS:
            opt.apply_gradients([(np.array(gw, "float32"), w), (np.array(gb, "float32"), b)])
            steps.append([np.asarray(w).tolist(), np.asarray(b).tolist()])
        out[key] = {"kwargs": kwargs, "steps": steps}
    return {"w0": W0, "b0": B0, "grads": GRADS, "cases": out}


def main() -> None:
    out = {"keras_version": keras.__version__, "losses": losses(), "metrics": metrics(),
           "optimizers": optimizers()}
    path = Path(__file__).with_name("keras_reference_b.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path} (Keras {keras.__version__})")


if __name__ == "__main__":
    main()
