"""Metrics (Keras `keras.metrics`): stateful `Metric` classes and per-sample functions.

Metrics work on NumPy arrays (tensors are read through `.data`) and never record
graph nodes. `resolve_accuracy` / `resolve_crossentropy` turn the 'accuracy' and
'crossentropy' shorthands of `compile` into the right metric for a loss and shapes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from neuroflow import losses as _losses
from neuroflow.backend._registry import resolve as _resolve
from neuroflow.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from neuroflow.metrics.at_threshold_metrics import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from neuroflow.metrics.confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from neuroflow.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from neuroflow.metrics.f_score_metrics import F1Score, FBetaScore
from neuroflow.metrics.hinge_metrics import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from neuroflow.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from neuroflow.metrics.loss_functions import (
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    huber,
)
from neuroflow.metrics.metric import Metric
from neuroflow.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from neuroflow.metrics.r2_score import R2Score
from neuroflow.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from neuroflow.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
    cosine_similarity,
    log_cosh,
    logcosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
)

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "RootMeanSquaredError",
    "CosineSimilarity", "LogCoshError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge", "SquaredHinge",
    "CategoricalHinge", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    "Precision", "Recall", "AUC", "BinaryIoU", "ConcordanceCorrelation", "F1Score",
    "FBetaScore", "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "PearsonCorrelation",
    "PrecisionAtRecall", "R2Score", "RecallAtPrecision", "SensitivityAtSpecificity",
    "SpecificityAtSensitivity", "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "concordance_correlation", "huber", "pearson_correlation",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "mean_squared_error",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "cosine_similarity", "log_cosh", "logcosh", "mse", "mae", "mape", "msle",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "kl_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge",
    "get", "serialize", "deserialize", "resolve", "resolve_accuracy", "resolve_crossentropy",
]

_SNAKE: dict[type, str] = {
    Metric: "metric", Mean: "mean", Sum: "sum", MeanMetricWrapper: "mean_metric_wrapper",
    Accuracy: "accuracy", BinaryAccuracy: "binary_accuracy",
    CategoricalAccuracy: "categorical_accuracy",
    SparseCategoricalAccuracy: "sparse_categorical_accuracy",
    TopKCategoricalAccuracy: "top_k_categorical_accuracy",
    SparseTopKCategoricalAccuracy: "sparse_top_k_categorical_accuracy",
    MeanSquaredError: "mean_squared_error", MeanAbsoluteError: "mean_absolute_error",
    MeanAbsolutePercentageError: "mean_absolute_percentage_error",
    MeanSquaredLogarithmicError: "mean_squared_logarithmic_error",
    RootMeanSquaredError: "root_mean_squared_error", CosineSimilarity: "cosine_similarity",
    LogCoshError: "log_cosh_error", BinaryCrossentropy: "binary_crossentropy",
    CategoricalCrossentropy: "categorical_crossentropy",
    SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
    KLDivergence: "kl_divergence", Poisson: "poisson", Hinge: "hinge",
    SquaredHinge: "squared_hinge", CategoricalHinge: "categorical_hinge",
    TruePositives: "true_positives", FalsePositives: "false_positives",
    TrueNegatives: "true_negatives", FalseNegatives: "false_negatives",
    Precision: "precision", Recall: "recall", AUC: "auc",
    BinaryIoU: "binary_io_u", ConcordanceCorrelation: "concordance_correlation",
    F1Score: "f1_score", FBetaScore: "f_beta_score", IoU: "io_u", MeanIoU: "mean_io_u",
    OneHotIoU: "one_hot_io_u", OneHotMeanIoU: "one_hot_mean_io_u",
    PearsonCorrelation: "pearson_correlation", PrecisionAtRecall: "precision_at_recall",
    R2Score: "r2_score", RecallAtPrecision: "recall_at_precision",
    SensitivityAtSpecificity: "sensitivity_at_specificity",
    SpecificityAtSensitivity: "specificity_at_sensitivity",
}

CLASSES: dict[str, type] = {cls.__name__: cls for cls in _SNAKE}
CLASSES.update({name: cls for cls, name in _SNAKE.items()})
CLASSES.update({
    "acc": Accuracy, "mse": MeanSquaredError, "mae": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError,
    "rmse": RootMeanSquaredError, "bce": BinaryCrossentropy, "kld": KLDivergence,
    "logcosh": LogCoshError,
})

FUNCTIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
        top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
        mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
        cosine_similarity, log_cosh, binary_crossentropy, categorical_crossentropy,
        sparse_categorical_crossentropy, kl_divergence, poisson, hinge, squared_hinge,
        categorical_hinge, binary_focal_crossentropy, categorical_focal_crossentropy,
        concordance_correlation, huber, pearson_correlation,
    )
}


def serialize(metric: Metric | Callable) -> dict:
    """A Keras-style `{"module", "class_name", "config", "registered_name"}` dict."""
    if isinstance(metric, Metric):
        return {"module": "keras.metrics", "class_name": type(metric).__name__,
                "config": metric.get_config(), "registered_name": None}
    if callable(metric) and hasattr(metric, "__name__"):
        return {"module": "keras.metrics", "class_name": "function",
                "config": metric.__name__, "registered_name": "function"}
    raise TypeError(
        f"metrics.serialize: expected a Metric instance or a metric function, received {metric!r}"
    )


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Metric | Callable:
    """A metric from `serialize()` output (or a bare name); custom_objects add names."""
    custom = custom_objects or {}
    if isinstance(config, str):
        obj = _resolve(config, {**FUNCTIONS, **CLASSES, **custom}, "metric")
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "metrics.deserialize: expected a name or a dict with 'class_name' and 'config', "
            f"received {config!r}"
        )
    if config["class_name"] == "function":
        return _resolve(config.get("config"), {**FUNCTIONS, **custom}, "metric function")
    cls = _resolve(config["class_name"], {**CLASSES, **custom}, "metric")
    inner = dict(config.get("config") or {})
    if isinstance(inner.get("fn"), str):
        inner["fn"] = _resolve(inner["fn"], {**FUNCTIONS, **custom}, "metric function")
    return cls.from_config(inner)


def get(identifier: Any) -> Metric | Callable | None:
    """A metric from None, a name, a config dict, a `Metric` instance or class, or a callable.

    Names give `Metric` instances ('mse' -> MeanSquaredError(), 'auc' -> AUC()), as in
    Keras; 'accuracy' is the exact-match Accuracy here (compile resolves it with
    `resolve_accuracy`). Callables are returned as they are.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        obj = _resolve(identifier, CLASSES, "metric")
        return obj() if obj is not Accuracy or identifier == "accuracy" else obj(name=identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


# ---- the 'accuracy' and 'crossentropy' shorthands -------------------------------------
_KINDS = {
    _losses.binary_crossentropy: "binary", _losses.categorical_crossentropy: "categorical",
    _losses.sparse_categorical_crossentropy: "sparse",
    _losses.BinaryCrossentropy: "binary", _losses.CategoricalCrossentropy: "categorical",
    _losses.SparseCategoricalCrossentropy: "sparse",
}


def _crossentropy_kind(loss: Any) -> tuple[str | None, bool]:
    """('binary' | 'categorical' | 'sparse' | None, from_logits) for a loss identifier."""
    if isinstance(loss, str):
        if loss.lower() in ("crossentropy", "ce"):
            return None, False
        try:
            loss = _losses.get(loss)
        except ValueError:
            return None, False
    if isinstance(loss, _losses.LossFunctionWrapper):
        kind = _KINDS.get(type(loss)) or _KINDS.get(loss.fn)
        return kind, bool(loss._fn_kwargs.get("from_logits", False))
    if inspect.isclass(loss) or callable(loss):
        try:
            return _KINDS.get(loss), False
        except TypeError:  # unhashable callable
            return None, False
    return None, False


def _kind_from_shapes(y_true_shape: Any, y_pred_shape: Any) -> str:
    t = tuple(y_true_shape) if y_true_shape is not None else ()
    p = tuple(y_pred_shape) if y_pred_shape is not None else ()
    if len(p) <= 1 or p[-1] == 1:
        return "binary"
    if len(t) < len(p) or (t and t[-1] == 1):
        return "sparse"
    return "categorical"


def resolve_accuracy(loss: Any, y_true_shape: Any, y_pred_shape: Any,
                     name: str = "accuracy") -> Metric:
    """The accuracy metric that 'accuracy'/'acc' means for `loss` and these shapes.

    A cross-entropy loss decides (binary, categorical or sparse); otherwise, as Keras'
    compile does, a y_pred last axis of 1 means binary, fewer axes in y_true (or a last
    axis of 1 against several classes) sparse, and anything else categorical. A binary
    cross-entropy `from_logits=True` thresholds at 0 instead of 0.5.
    """
    kind, from_logits = _crossentropy_kind(loss)
    kind = kind or _kind_from_shapes(y_true_shape, y_pred_shape)
    if kind == "binary":
        return BinaryAccuracy(name=name, threshold=0.0 if from_logits else 0.5)
    if kind == "sparse":
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def resolve_crossentropy(loss: Any, y_true_shape: Any, y_pred_shape: Any,
                         name: str = "crossentropy") -> Metric:
    """The cross-entropy metric that 'crossentropy'/'ce' means for `loss` and these shapes."""
    kind, from_logits = _crossentropy_kind(loss)
    kind = kind or _kind_from_shapes(y_true_shape, y_pred_shape)
    cls = {"binary": BinaryCrossentropy, "sparse": SparseCategoricalCrossentropy,
           "categorical": CategoricalCrossentropy}[kind]
    return cls(name=name, from_logits=from_logits)


def resolve(identifier: Any, loss: Any = None, y_true_shape: Any = None,
            y_pred_shape: Any = None) -> Metric | None:
    """A `Metric` object for `compile`, named as Keras 3's compile names it.

    'accuracy'/'acc' and 'crossentropy'/'ce' are resolved from `loss` and the shapes;
    a metric given by a string is named after that string ('mae' logs as 'mae');
    functions are wrapped in `MeanMetricWrapper` named after them.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return resolve_accuracy(loss, y_true_shape, y_pred_shape, name=identifier)
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        return resolve_crossentropy(loss, y_true_shape, y_pred_shape, name=identifier)
    obj = get(identifier)
    if not isinstance(obj, Metric):
        obj = MeanMetricWrapper(obj, name=getattr(obj, "__name__", None))
    if isinstance(identifier, str):
        obj.name = identifier
    return obj
