"""Loss classes with Keras names: `LossFunctionWrapper` and one class per loss function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Tensor
from neuroflow.losses import functions as F
from neuroflow.losses.loss import Loss, squeeze_or_expand_to_same_rank

__all__ = [
    "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
    "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
]

_DEFAULT = "sum_over_batch_size"


class LossFunctionWrapper(Loss):
    """A `Loss` around any `fn(y_true, y_pred, **kwargs)` returning per-sample losses.

    Ranks of y_true and y_pred that differ by a trailing axis of size 1 are aligned
    before `fn` runs. The name defaults to the function's name.
    """

    def __init__(self, fn: Callable, reduction: str | None = _DEFAULT, name: str | None = None,
                 dtype: Any = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(
                f"LossFunctionWrapper: expected a callable fn(y_true, y_pred), received {fn!r}"
            )
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    @property
    def _raw_labels(self) -> bool:  # sparse labels stay integers
        return self.fn is F.sparse_categorical_crossentropy

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def _values_and_mask(self, y_true: Any, y_pred: Tensor) -> tuple[Tensor, np.ndarray | None]:
        if self.fn is F.sparse_categorical_crossentropy:
            return F.sparse_categorical_crossentropy_with_mask(y_true, y_pred, **self._fn_kwargs)
        return self.call(y_true, y_pred), None

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = getattr(self.fn, "__name__", repr(self.fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> LossFunctionWrapper:
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            from neuroflow.losses import get

            fn = get(fn)
        return cls(fn, **config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn!r}, kwargs={self._fn_kwargs})>"


class _BuiltinLoss(LossFunctionWrapper):
    """A wrapper whose function is fixed by the class; its config holds only arguments."""

    def get_config(self) -> dict:
        config = Loss.get_config(self)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return Loss.__repr__(self)


class MeanSquaredError(_BuiltinLoss):
    """mean(square(y_true - y_pred)) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "mean_squared_error",
                 dtype: Any = None):
        super().__init__(F.mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """mean(abs(y_true - y_pred)) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "mean_absolute_error",
                 dtype: Any = None):
        super().__init__(F.mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """100 * mean(abs((y_true - y_pred) / y_true)) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT,
                 name: str = "mean_absolute_percentage_error", dtype: Any = None):
        super().__init__(F.mean_absolute_percentage_error, reduction=reduction, name=name,
                         dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """mean(square(log(y_true + 1) - log(y_pred + 1))) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT,
                 name: str = "mean_squared_logarithmic_error", dtype: Any = None):
        super().__init__(F.mean_squared_logarithmic_error, reduction=reduction, name=name,
                         dtype=dtype)


class Huber(_BuiltinLoss):
    """Quadratic for errors up to `delta` (default 1.0), linear beyond."""

    def __init__(self, delta: float = 1.0, reduction: str | None = _DEFAULT,
                 name: str = "huber_loss", dtype: Any = None):
        if not float(delta) > 0:
            raise ValueError(f"Huber: expected delta > 0, received {delta!r}")
        super().__init__(F.huber, reduction=reduction, name=name, dtype=dtype, delta=float(delta))


class LogCosh(_BuiltinLoss):
    """mean(log(cosh(y_pred - y_true))) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "log_cosh",
                 dtype: Any = None):
        super().__init__(F.log_cosh, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(_BuiltinLoss):
    """-cosine similarity along `axis` (default -1): -1 for aligned vectors."""

    def __init__(self, axis: int = -1, reduction: str | None = _DEFAULT,
                 name: str = "cosine_similarity", dtype: Any = None):
        super().__init__(F.cosine_similarity, reduction=reduction, name=name, dtype=dtype,
                         axis=axis)


class Hinge(_BuiltinLoss):
    """mean(maximum(1 - y_true * y_pred, 0)); labels in {-1, 1} (0/1 are converted)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "hinge", dtype: Any = None):
        super().__init__(F.hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(_BuiltinLoss):
    """mean(square(maximum(1 - y_true * y_pred, 0))); labels in {-1, 1}."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "squared_hinge",
                 dtype: Any = None):
        super().__init__(F.squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(_BuiltinLoss):
    """maximum(neg - pos + 1, 0) with pos = sum(t * p), neg = max((1 - t) * p)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "categorical_hinge",
                 dtype: Any = None):
        super().__init__(F.categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(_BuiltinLoss):
    """sum(y_true * log(y_true / y_pred)) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "kl_divergence",
                 dtype: Any = None):
        super().__init__(F.kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(_BuiltinLoss):
    """mean(y_pred - y_true * log(y_pred)) over the last axis."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "poisson",
                 dtype: Any = None):
        super().__init__(F.poisson, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(_BuiltinLoss):
    """Cross-entropy of 0/1 labels and probabilities (or logits with `from_logits=True`).

    `label_smoothing` in [0, 1] squeezes the labels towards 0.5.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _DEFAULT, name: str = "binary_crossentropy",
                 dtype: Any = None):
        F._check_smoothing(label_smoothing, "BinaryCrossentropy")
        super().__init__(F.binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing),
                         axis=axis)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis


class CategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy of one-hot labels and class probabilities (or logits).

    `label_smoothing` in [0, 1] mixes the labels with the uniform distribution.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _DEFAULT, name: str = "categorical_crossentropy",
                 dtype: Any = None):
        F._check_smoothing(label_smoothing, "CategoricalCrossentropy")
        super().__init__(F.categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing),
                         axis=axis)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)
        self.axis = axis


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Cross-entropy of integer labels, shape (n,) or (n, 1), and class probabilities.

    Samples labelled `ignore_class` are left out: they add 0 and do not count in the
    'sum_over_batch_size' average.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = _DEFAULT, name: str = "sparse_categorical_crossentropy",
                 dtype: Any = None):
        super().__init__(F.sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=bool(from_logits), ignore_class=ignore_class)
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class
