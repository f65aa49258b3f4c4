"""Checks of everything `fit` trains on, before the first update (one vectorised pass).

Errors found batch by batch leave a half-trained model: labels out of range in batch 7
after six updates, a validation set of the wrong width after a whole epoch, or NaN sample
weights that silently turn every weight into NaN. `check_fit_inputs` looks at all of it
at once, so a bad call raises before the model changes:

- sample_weight and class_weight: finite numbers;
- y for sparse losses (those that read integer class labels): whole numbers within
  [0, classes) (or the loss's ignore_class);
- validation_data: x as wide as the model's inputs, its y and sample_weight as above.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_fit_inputs"]


def _as_list(value: Any, names: list[str]) -> list:
    if value is None:
        return [None] * len(names)
    if isinstance(value, dict):
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        return list(value) + [None] * (len(names) - len(value))
    return [value]


def _check_finite(values: Any, what: str) -> None:
    if values is None:
        return
    if isinstance(values, dict):
        for key, item in values.items():
            _check_finite(item, f"{what}['{key}']")
        return
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], np.ndarray):
        for i, item in enumerate(values):
            _check_finite(item, f"{what}[{i}]")
        return
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be numbers, received values of dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            first = np.argwhere(bad)[0].tolist()
            raise ValueError(f"{what} holds {int(bad.sum())} NaN or infinite value(s) (the "
                             f"first at index {first}); every weight must be a finite number")


def _check_class_weight(class_weight: dict | None) -> None:
    if not class_weight:
        return
    for key, weight in class_weight.items():
        if isinstance(weight, (int, float, np.number)) and not np.isfinite(weight):
            raise ValueError(f"fit: class_weight[{key!r}] is {weight}; class weights must be "
                             "finite numbers")


def _classes(model: Any, index: int) -> int | None:
    outputs = getattr(model, "outputs", None) or []
    if index >= len(outputs):
        return None
    last = tuple(outputs[index].shape)[-1:]
    return int(last[0]) if last and last[0] is not None else None


def _check_labels(model: Any, y: Any, what: str) -> None:
    compiled = getattr(model, "compiled_loss", None)
    losses = getattr(compiled, "losses", None) or []
    names = getattr(compiled, "output_names", None) or ["output"]
    for i, (loss, target) in enumerate(zip(losses, _as_list(y, names), strict=False)):
        if target is None or not getattr(loss, "_raw_labels", False):
            continue
        labels = np.asarray(target)
        where = what if len(names) == 1 else f"{what} for output '{names[i]}'"
        if labels.dtype.kind not in "biuf":
            raise ValueError(f"{where}: class labels must be integers, received dtype "
                             f"{labels.dtype}")
        ignore = getattr(loss, "ignore_class", None)
        kept = labels if ignore is None else labels[labels != ignore]
        if kept.dtype.kind == "f":
            bad = ~np.isfinite(kept) | (np.mod(kept, 1) != 0)
            if bad.any():
                raise ValueError(f"{where}: class labels must be whole numbers, received "
                                 f"{int(bad.sum())} that are not (e.g. {kept[bad][:3].tolist()})")
        k = _classes(model, i)
        if k is not None and kept.size and (kept.min() < 0 or kept.max() >= k):
            out = np.unique(kept[(kept < 0) | (kept >= k)])[:10].tolist()
            raise ValueError(f"{where}: class labels must be in [0, {k}) since the model has "
                             f"{k} classes, received out-of-range labels {out}")


def _check_width(model: Any, x: Any, what: str) -> None:
    inputs = getattr(model, "inputs", None) or []
    names = [getattr(t, "name", f"input_{i}") for i, t in enumerate(inputs)]
    for name, tensor, arr in zip(names, inputs, _as_list(x, names), strict=False):
        if arr is None:
            continue
        expected = tuple(tensor.shape)[1:]
        got = tuple(np.shape(arr))[1:]
        if len(expected) != len(got) or any(e is not None and e != g
                                            for e, g in zip(expected, got, strict=True)):
            shown = tuple("None" if d is None else d for d in expected)
            raise ValueError(f"{what}: input '{name}' of the model expects samples of shape "
                             f"{shown}, received x of shape {tuple(np.shape(arr))}")


def check_fit_inputs(model: Any, y: Any, sample_weight: Any, class_weight: dict | None,
                     validation: tuple | None) -> None:
    """Raise ValueError before training when y, sample_weight, class_weight or the
    validation data (x, y, sample_weight) cannot be trained on; see the module."""
    _check_class_weight(class_weight)
    _check_finite(sample_weight, "fit: sample_weight")
    _check_labels(model, y, "fit: y")
    if validation is not None:
        vx, vy, vsw = (tuple(validation) + (None, None, None))[:3]
        _check_width(model, vx, "fit: validation_data")
        _check_labels(model, vy, "fit: validation_data's y")
        _check_finite(vsw, "fit: validation_data's sample_weight")
