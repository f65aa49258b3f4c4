"""The `Loss` base class, reductions and the rank alignment of targets and predictions."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff import math_ops, reduce_ops, shape_ops
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor, convert_to_tensor
from neuroflow.backend.naming import snake_case

__all__ = [
    "Loss", "REDUCTIONS", "standardize_reduction", "squeeze_or_expand_to_same_rank",
    "reduce_weighted_values", "as_prediction", "as_target",
]

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction: str | None) -> str | None:
    """Check `reduction` against the Keras reductions and return it."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`: expected one of {REDUCTIONS}, "
            f"received reduction={reduction!r}"
        )
    return reduction


# ---- rank alignment -------------------------------------------------------------------
def _shape(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _reshaped(x: Any, shape: tuple[int, ...]) -> Any:
    """`x` viewed with `shape`: a graph op for tensors (carrying their logits along)."""
    if not isinstance(x, Tensor):
        return np.reshape(x, shape)
    out = shape_ops.reshape(x, shape)
    logits = x._keras_logits
    if logits is not None:
        out._keras_logits = shape_ops.reshape(logits, shape)
    return out


def squeeze_or_expand_to_same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple:
    """Align ranks that differ by one through a trailing axis of size 1, as Keras does.

    (n, 1) against (n,) expands the (n,) side to (n, 1); (n, m, 1) against (n, m)
    squeezes the trailing axis. Other rank differences are left alone.
    """
    s1, s2 = _shape(x1), _shape(x2)
    if len(s1) == len(s2):
        return x1, x2
    if len(s1) == len(s2) + 1 and s1[-1] == 1:
        if len(s2) == 1 and expand_rank_1:
            x2 = _reshaped(x2, s2 + (1,))
        else:
            x1 = _reshaped(x1, s1[:-1])
    elif len(s2) == len(s1) + 1 and s2[-1] == 1:
        if len(s1) == 1 and expand_rank_1:
            x1 = _reshaped(x1, s1 + (1,))
        else:
            x2 = _reshaped(x2, s2[:-1])
    return x1, x2


# ---- conversion -----------------------------------------------------------------------
def as_prediction(y_pred: Any, dtype: Any = None) -> Tensor:
    """`y_pred` as a float Tensor (of `dtype` when given); tensors pass through untouched."""
    if not isinstance(y_pred, Tensor):
        y_pred = convert_to_tensor(np.asarray(y_pred) if isinstance(y_pred, (list, tuple))
                                  else y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = Tensor(y_pred.data.astype(backend.floatx()))
    if dtype is not None and y_pred.dtype != np.dtype(dtype):
        logits = y_pred._keras_logits
        y_pred = math_ops.cast(y_pred, dtype)
        if logits is not None:
            y_pred._keras_logits = math_ops.cast(logits, dtype)
    elif y_pred.dtype.kind != "f":
        y_pred = math_ops.cast(y_pred, backend.floatx())
    return y_pred


def as_target(y_true: Any, dtype: Any) -> Tensor:
    """`y_true` as a Tensor of `dtype` (no copy when it already has it)."""
    if isinstance(y_true, Tensor):
        if y_true.dtype == np.dtype(dtype):
            return y_true
        if y_true.requires_grad:
            return math_ops.cast(y_true, dtype)
        y_true = y_true.data
    return Tensor(np.asarray(y_true, dtype=dtype))


# ---- reduction ------------------------------------------------------------------------
def _weighted_sum_fwd(v, w, divisor):
    w = np.broadcast_to(w, v.shape)
    total = np.vdot(v.reshape(-1), w.reshape(-1))
    return np.asarray(total / divisor if divisor else 0.0, dtype=v.dtype), (v, w, divisor)


def _weighted_sum_vjp(g, res, needs):
    v, w, divisor = res
    return (((g / divisor) * w) if divisor else np.zeros_like(v), None)


WEIGHTED_SUM = Primitive("weighted_sum", _weighted_sum_fwd, _weighted_sum_vjp)


def _weighted_sum(values: Tensor, weights: np.ndarray, divisor: float) -> Tensor:
    """sum(values * weights) / divisor as one node (0 when divisor is 0)."""
    return WEIGHTED_SUM.bind(values, Tensor(weights), divisor=divisor)


def _broadcasts_to(src: tuple[int, ...], dst: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(src, dst) == tuple(dst)
    except ValueError:
        return False


def _weights_for(values: Tensor, sample_weight: Any, mask: np.ndarray | None,
                 reduction: str | None) -> tuple[Tensor, np.ndarray | None, np.ndarray | None]:
    """Merge `mask` into the sample weights and align them with `values` (Keras rules)."""
    sw = None
    if sample_weight is not None:
        sw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
        sw = np.asarray(sw, dtype=values.dtype)
    if mask is not None:
        m = mask.astype(values.dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            valid = m.sum()
            m *= (m.size / valid) if valid else 0.0
        if sw is not None:
            m, sw = squeeze_or_expand_to_same_rank(m, sw)
            sw = sw * m
        else:
            sw = m
    if sw is None:
        return values, None, None
    raw_sw = sw
    values, sw = squeeze_or_expand_to_same_rank(values, sw)
    if not _broadcasts_to(sw.shape, values.shape):
        raise ValueError(
            f"sample_weight of shape {raw_sw.shape} cannot be broadcast to the per-sample "
            f"losses of shape {values.shape}"
        )
    return values, sw, raw_sw


def reduce_weighted_values(values: Tensor, sample_weight: Any = None,
                           mask: np.ndarray | None = None,
                           reduction: str | None = "sum_over_batch_size") -> Tensor:
    """Weight per-sample losses and reduce them to a scalar (or not, for 'none').

    'sum_over_batch_size' and 'mean' divide the weighted sum by the number of loss
    values, 'sum' does not divide, 'mean_with_sample_weight' divides by the sum of the
    sample weights, 'none'/None returns the weighted values.
    """
    if sample_weight is None and mask is None and values.ndim and values.data.size:
        if reduction in ("sum_over_batch_size", "mean"):  # the hot path: one node
            return reduce_ops.mean(values)
        if reduction == "sum":
            return reduce_ops.sum(values)
    reduction = standardize_reduction(reduction)
    values, sw, raw_sw = _weights_for(values, sample_weight, mask, reduction)
    if reduction in (None, "none") or values.ndim == 0 or values.shape == (0,):
        return values if sw is None else math_ops.multiply(values, sw)
    if sw is None:
        return reduce_ops.sum(values) if reduction == "sum" else reduce_ops.mean(values)
    if reduction == "sum":
        divisor = 1.0
    elif reduction == "mean_with_sample_weight":
        divisor = float(np.sum(raw_sw))
    else:
        divisor = float(values.size)
    return _weighted_sum(values, sw, divisor)


# ---- base class -----------------------------------------------------------------------
class Loss:
    """Base class of losses: `call()` gives per-sample values, `__call__` weights and reduces.

    Args:
        name: name of the loss; defaults to the snake_case class name.
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean',
            'mean_with_sample_weight', or 'none'/None for no reduction.
        dtype: float type of the computation; None follows `y_pred`'s float type
            (the `dtype` property then reports `backend.floatx()`).

    Subclasses implement `call(y_true, y_pred)` and return one value per sample.
    """

    # Losses that read y_true as integer class labels keep its dtype as given.
    _raw_labels = False

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None):
        self.name = name or snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = None if dtype is None else np.dtype(dtype)

    @property
    def dtype(self) -> str:
        """The float type of the computation ('float32' unless given)."""
        return str(self._dtype) if self._dtype is not None else backend.floatx()

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        """The reduced loss of a batch, as a Tensor linked to `y_pred`."""
        y_pred = as_prediction(y_pred, self._dtype)
        if not self._raw_labels:
            y_true = as_target(y_true, y_pred.dtype)
        values, mask = self._values_and_mask(y_true, y_pred)
        if not isinstance(values, Tensor):
            values = convert_to_tensor(values)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def _values_and_mask(self, y_true: Any, y_pred: Tensor) -> tuple[Tensor, np.ndarray | None]:
        return self.call(y_true, y_pred), None

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """Per-sample losses; implemented by subclasses."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred) returning per-sample losses"
        )

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict."""
        return {"name": self.name, "reduction": self.reduction,
                "dtype": None if self._dtype is None else str(self._dtype)}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        """Rebuild a loss from the output of `get_config()`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"
