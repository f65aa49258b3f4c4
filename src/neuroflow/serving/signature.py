"""A model's serving signature: the names, shapes and dtypes of its inputs and outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["TensorSpec", "Signature", "model_signature", "signature_def", "format_shape"]

_AUTO_INPUT = re.compile(r"^input_layer(_\d+)?$")
_TF_DTYPES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE",
              "int32": "DT_INT32", "int64": "DT_INT64"}


@dataclass(frozen=True)
class TensorSpec:
    """One input or output: its name, its shape with the batch axis (None = any size) or
    None when the rank is unknown, and its dtype name."""

    name: str
    shape: tuple | None
    dtype: str = "float32"

    def describe(self) -> str:
        return f"'{self.name}' of shape {format_shape(self.shape)}"


@dataclass(frozen=True)
class Signature:
    """Inputs and outputs of a model; `dict_inputs` when the model takes a dict of inputs."""

    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    dict_inputs: bool = False

    @property
    def input_names(self) -> list[str]:
        return [spec.name for spec in self.inputs]

    def pack(self, arrays: list[np.ndarray]) -> Any:
        """The inputs in the structure the model is called with (array, list or dict)."""
        if self.dict_inputs:
            return {spec.name: arr for spec, arr in zip(self.inputs, arrays, strict=True)}
        return arrays[0] if len(arrays) == 1 else list(arrays)

    def name_outputs(self, raw: Any) -> dict[str, np.ndarray]:
        """The model's outputs (an array, a list or a dict of arrays) by output name."""
        if isinstance(raw, dict):
            return {str(k): np.asarray(v) for k, v in raw.items()}
        leaves = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        names = [spec.name for spec in self.outputs]
        if len(names) != len(leaves):
            names = [f"output_{i}" for i in range(len(leaves))]
        return {name: np.asarray(v) for name, v in zip(names, leaves, strict=True)}


def format_shape(shape: tuple | None) -> str:
    """`(None, 3)` as `[batch, 3]`; unknown rank as `[batch, ...]`."""
    if shape is None:
        return "[batch, ...]"
    dims = ["batch" if i == 0 else ("any" if d is None else str(d)) for i, d in enumerate(shape)]
    return "[" + ", ".join(dims) + "]"


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def _specs(tensors: list, names: list[str]) -> tuple[TensorSpec, ...]:
    return tuple(
        TensorSpec(name, tuple(t.shape) if getattr(t, "shape", None) is not None else None,
                   str(getattr(t, "dtype", None) or "float32"))
        for t, name in zip(tensors, names, strict=True)
    )


def _input_names(model: Any, tensors: list) -> tuple[list[str], bool]:
    """Input names; automatic ones (`input_layer_7`, which change from one load to the next)
    become `input` (one input) or `input_0`, `input_1`, ... so that clients can rely on them."""
    structure = getattr(model, "_inputs_struct", None)
    if isinstance(structure, dict) and len(structure) == len(tensors):
        return [str(k) for k in structure], True
    names = getattr(model, "input_names", None)
    if getattr(model, "_input_layer", False) is None:  # a Sequential's automatic input
        names = [None] * len(tensors)
    elif not (isinstance(names, (list, tuple)) and len(names) == len(tensors)):
        names = [getattr(t, "name", None) for t in tensors]
    stable = "input" if len(tensors) == 1 else "input_{}"
    names = [stable.format(i) if not n or _AUTO_INPUT.match(str(n)) else str(n)
             for i, n in enumerate(names)]
    return _unique(names), False


def _output_names(model: Any, tensors: list) -> list[str]:
    structure = getattr(model, "_outputs_struct", None)
    if isinstance(structure, dict) and len(structure) == len(tensors):
        return [str(k) for k in structure]
    try:
        names = model.output_names
    except (AttributeError, IndexError, TypeError):
        names = None
    if not (isinstance(names, (list, tuple)) and len(names) == len(tensors)):
        names = [getattr(t, "name", None) or f"output_{i}" for i, t in enumerate(tensors)]
    return _unique([str(n) for n in names])


def model_signature(model: Any) -> Signature:
    """The signature of a built model from its symbolic `inputs` and `outputs`.

    A model without symbolic inputs (a subclassed model) gets one input of unknown rank.
    """
    inputs = list(getattr(model, "inputs", None) or [])
    outputs = list(getattr(model, "outputs", None) or [])
    if not inputs:
        return Signature((TensorSpec("input", None),), (TensorSpec("output_0", None),))
    names, as_dict = _input_names(model, inputs)
    out_names = _output_names(model, outputs) if outputs else ["output_0"]
    out_specs = _specs(outputs, out_names) if outputs else (TensorSpec("output_0", None),)
    return Signature(_specs(inputs, names), out_specs, dict_inputs=as_dict)


def _tensor_info(spec: TensorSpec) -> dict:
    shape = {"dim": [], "unknown_rank": spec.shape is None}
    for d in spec.shape or ():
        shape["dim"].append({"size": "-1" if d is None else str(d), "name": ""})
    return {"dtype": _TF_DTYPES.get(spec.dtype, "DT_INVALID"), "tensor_shape": shape,
            "name": f"serving_default_{spec.name}:0"}


def signature_def(signature: Signature) -> dict:
    """The `serving_default` SignatureDef as TensorFlow Serving's metadata API writes it."""
    return {
        "inputs": {spec.name: _tensor_info(spec) for spec in signature.inputs},
        "outputs": {spec.name: _tensor_info(spec) for spec in signature.outputs},
        "method_name": "tensorflow/serving/predict",
        "defaults": {},
    }
