"""Serve an `.onnx` file through ONNX Runtime, without neuroflow's engine.

The repository and the signature ask a served model for a small protocol: `inputs` and
`outputs` (objects with `shape`, `dtype`, `name`), `input_names`, `output_names` and
`predict_on_batch(x)`. A loaded neuroflow model is one implementation; `OnnxModel`,
over an ONNX Runtime session, is the other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from neuroflow.layers.onnx_layer import OnnxRuntimeSession

__all__ = ["OnnxModel", "is_onnx_file"]


def is_onnx_file(path: str | os.PathLike) -> bool:
    """True for a path that names an ONNX file (by its `.onnx` suffix)."""
    return os.fspath(path).lower().endswith(".onnx")


@dataclass(frozen=True)
class _Port:
    name: str
    shape: tuple | None
    dtype: str = "float32"


class OnnxModel:
    """An exported model run by ONNX Runtime, with the served-model protocol."""

    def __init__(self, path: str | os.PathLike):
        self.session = OnnxRuntimeSession(path, owner=f"served model {os.fspath(path)!r}")
        self.name = os.path.splitext(os.path.basename(os.fspath(path)))[0]
        self.input_names = list(self.session.input_names)
        self.output_names = list(self.session.output_names)
        self.inputs = [_Port(n, s) for n, s in zip(self.input_names, self.session.input_shapes,
                                                   strict=True)]
        self.outputs = [_Port(n, s) for n, s in zip(self.output_names,
                                                    self.session.output_shapes, strict=True)]

    def predict_on_batch(self, x: Any) -> Any:
        """The outputs for one batch: an array (one output) or a list in output order."""
        if isinstance(x, dict):
            arrays = [x[n] for n in self.input_names]
        elif isinstance(x, (list, tuple)):
            arrays = list(x)
        else:
            arrays = [x]
        outs = [np.asarray(o) for o in self.session.run(arrays)]
        return outs[0] if len(outs) == 1 else outs
