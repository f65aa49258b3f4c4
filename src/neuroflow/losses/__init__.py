"""Losses (Keras `keras.losses`): `Loss` classes, per-sample functions, `get`.

>>> loss = SparseCategoricalCrossentropy()
>>> value = loss(y_true, y_pred)            # a scalar Tensor linked to y_pred
>>> per_sample = sparse_categorical_crossentropy(y_true, y_pred)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from neuroflow.backend import _registry
from neuroflow.backend._registry import resolve as _resolve
from neuroflow.losses.circle_loss import Circle, circle
from neuroflow.losses.classes import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    LossFunctionWrapper,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from neuroflow.losses.focal_losses import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
)
from neuroflow.losses.functions import (
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    kld,
    kullback_leibler_divergence,
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
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from neuroflow.losses.loss import Loss, reduce_weighted_values, squeeze_or_expand_to_same_rank
from neuroflow.losses.overlap_losses import Dice, Tversky, dice, tversky

__all__ = [
    "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
    "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity", "hinge",
    "squared_hinge", "categorical_hinge", "kl_divergence", "poisson", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "mse", "mae", "mape",
    "msle", "logcosh", "kld", "kullback_leibler_divergence",
    "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy", "Circle", "Dice", "Tversky",
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy", "circle", "dice", "tversky",
    "get", "serialize", "deserialize", "resolve", "resolve_crossentropy",
    "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
]

CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError,
        MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
        CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
        BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
        BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
        CategoricalGeneralizedCrossEntropy, Circle, Dice, Tversky,
    )
}

FUNCTIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (
        mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, huber, log_cosh, cosine_similarity, hinge,
        squared_hinge, categorical_hinge, kl_divergence, poisson, binary_crossentropy,
        categorical_crossentropy, sparse_categorical_crossentropy,
        binary_focal_crossentropy, categorical_focal_crossentropy,
        categorical_generalized_cross_entropy, circle, dice, tversky,
    )
}
FUNCTIONS.update({
    "mse": mean_squared_error, "mae": mean_absolute_error,
    "mape": mean_absolute_percentage_error, "msle": mean_squared_logarithmic_error,
    "bce": binary_crossentropy, "kld": kl_divergence, "logcosh": log_cosh,
    "kullback_leibler_divergence": kl_divergence, "huber_loss": huber,
})

ALL_OBJECTS: dict[str, Any] = {**CLASSES, **FUNCTIONS}


def serialize(loss: Loss | Callable) -> dict:
    """A Keras-style `{"module", "class_name", "config", "registered_name"}` dict."""
    if isinstance(loss, Loss):
        return {"module": "keras.losses", "class_name": type(loss).__name__,
                "config": loss.get_config(), "registered_name": None}
    if callable(loss) and hasattr(loss, "__name__"):
        return {"module": "keras.losses", "class_name": "function", "config": loss.__name__,
                "registered_name": "function"}
    raise TypeError(
        f"losses.serialize: expected a Loss instance or a loss function, received {loss!r}"
    )


def deserialize(name: dict | str, custom_objects: dict | None = None) -> Loss | Callable:
    """A loss from `serialize()` output (or a bare name); custom_objects add names."""
    config = name
    table = {**ALL_OBJECTS, **(custom_objects or {})}
    if isinstance(config, str):
        obj = _resolve(config, table, "loss")
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "losses.deserialize: expected a name or a dict with 'class_name' and 'config', "
            f"received {config!r}"
        )
    if config["class_name"] == "function":
        return _resolve(config.get("config"), table, "loss function")
    cls = _resolve(config["class_name"], table, "loss")
    inner = dict(config.get("config") or {})
    if isinstance(inner.get("fn"), str) and inner["fn"] in table:
        inner["fn"] = table[inner["fn"]]
    return cls.from_config(inner)


def get(identifier: Any) -> Loss | Callable | None:
    """A loss from None, a name, a config dict, a `Loss` instance or class, or a callable.

    Names of functions ('mse', 'sparse_categorical_crossentropy') give the function,
    names of classes ('MeanSquaredError') give an instance, as in Keras.
    """
    return _registry.get(identifier, deserialize, "loss")


def resolve_crossentropy(y_true_shape: tuple, y_pred_shape: tuple) -> Callable:
    """The cross-entropy that 'crossentropy'/'ce' means for these shapes (as Keras' compile).

    A last axis of 1 in y_pred is binary; fewer axes in y_true (or a last axis of 1
    against several classes) is sparse; otherwise categorical.
    """
    t, p = tuple(y_true_shape), tuple(y_pred_shape)
    if not p or p[-1] == 1:
        return binary_crossentropy
    if len(t) < len(p) or (t and t[-1] == 1):
        return sparse_categorical_crossentropy
    return categorical_crossentropy


def resolve(identifier: Any, y_true_shape: tuple | None = None,
            y_pred_shape: tuple | None = None) -> Loss | None:
    """A `Loss` object for `compile`: functions are wrapped and named after the identifier.

    'crossentropy' and 'ce' pick binary, sparse or categorical cross-entropy from the
    shapes (both must then be given).
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        if y_true_shape is None or y_pred_shape is None:
            raise ValueError(
                f"losses.resolve: {identifier!r} needs y_true_shape and y_pred_shape to choose "
                "between binary, categorical and sparse categorical cross-entropy"
            )
        return LossFunctionWrapper(resolve_crossentropy(y_true_shape, y_pred_shape),
                                   name=identifier)
    obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    name = identifier if isinstance(identifier, str) else getattr(obj, "__name__", None)
    return LossFunctionWrapper(obj, name=name)
