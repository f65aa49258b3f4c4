"""InputSpec: what a layer accepts (rank, dtype, axis sizes), checked once per call with
one clear error naming the layer (Keras 3)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["InputSpec", "assert_input_compatibility"]


class InputSpec:
    """Constraints on one input of a layer: `dtype`, `shape` (None for any size), `ndim`,
    `max_ndim`, `min_ndim` and `axes` ({axis: size}). Set `layer.input_spec` to one (or a
    list, one per input) and every call checks it."""

    def __init__(self, dtype: Any = None, shape: Any = None, ndim: int | None = None,
                 max_ndim: int | None = None, min_ndim: int | None = None,
                 axes: dict | None = None, allow_last_axis_squeeze: bool = False,
                 name: str | None = None, optional: bool = False):
        self.dtype = None if dtype is None else np.dtype(dtype).name
        if shape is not None:
            self.shape: tuple | None = tuple(None if d is None else int(d) for d in shape)
            self.ndim = len(self.shape)
        else:
            self.shape = None
            self.ndim = ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = bool(optional)
        self.allow_last_axis_squeeze = bool(allow_last_axis_squeeze)
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (TypeError, ValueError, AttributeError):
            raise TypeError(f"InputSpec: axes must be a dict with integer keys, received "
                            f"axes={axes!r}") from None
        top = self.ndim if self.ndim is not None else self.max_ndim
        if self.axes and top is not None and max(self.axes) > top - 1:
            raise ValueError(f"InputSpec: axis {max(self.axes)} is greater than the maximum "
                             f"allowed value {top - 1}")

    def __repr__(self) -> str:
        parts = [f"{k}={getattr(self, k)}" for k in ("dtype", "shape", "ndim", "max_ndim",
                                                    "min_ndim", "axes") if getattr(self, k)]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config: dict) -> InputSpec:
        return cls(**config)


def _check_one(x: Any, spec: InputSpec, index: int, layer_name: str) -> None:
    if x is None and spec.optional:
        return
    if not hasattr(x, "shape"):
        raise ValueError(f"Inputs to layer '{layer_name}' should be tensors, received "
                         f"{type(x).__name__} as input {index}")
    shape = tuple(x.shape)
    ndim = len(shape)
    where = f"Input {index} of layer '{layer_name}' is incompatible with the layer"
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={ndim}; full "
                         f"shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={ndim}; "
                         f"full shape received: {shape}")
    if spec.dtype is not None and np.dtype(x.dtype).name != spec.dtype:
        raise ValueError(f"{where}: expected dtype={spec.dtype}, found dtype="
                         f"{np.dtype(x.dtype).name}")
    for axis, value in spec.axes.items():
        if value is not None and -ndim <= axis < ndim and shape[axis] not in (value, None):
            raise ValueError(f"{where}: expected axis {axis} of the input shape to have "
                             f"value {value}, received input of shape {shape}")
    if spec.shape is not None:
        want, got = spec.shape, shape
        if spec.allow_last_axis_squeeze:
            got = got[:-1] if got and got[-1] == 1 else got
            want = want[:-1] if want and want[-1] == 1 else want
        if any(w is not None and g is not None and w != g
               for w, g in zip(want, got, strict=False)):
            raise ValueError(f"{where}: expected shape={spec.shape}, found shape={shape}")


def assert_input_compatibility(input_spec: Any, inputs: Any, layer_name: str) -> None:
    """Raise one ValueError naming `layer_name` if `inputs` break `input_spec`."""
    if not input_spec:
        return
    specs = list(input_spec) if isinstance(input_spec, (list, tuple)) else [input_spec]
    if isinstance(inputs, dict):
        names = [s.name for s in specs]
        if all(names):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Layer '{layer_name}': missing data for input(s) {missing}; "
                                 f"received keys {sorted(inputs)}")
            inputs = [inputs[n] for n in names]
        else:
            inputs = list(inputs.values())
    leaves = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(leaves) != len(specs):
        raise ValueError(f"Layer '{layer_name}' expects {len(specs)} input(s), but it "
                         f"received {len(leaves)} input tensors")
    for index, (x, spec) in enumerate(zip(leaves, specs, strict=True)):
        if spec is not None:
            _check_one(x, spec, index, layer_name)
