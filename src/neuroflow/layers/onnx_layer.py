"""ONNXLayer: an exported ONNX file, run by ONNX Runtime, as a layer of a neuroflow model.

It plays the part Keras 3's `TFSMLayer` plays for TensorFlow SavedModels (reload an
export for inference), under a name that says which format it reads; `TFSMLayer`
itself needs TensorFlow and says so. `OnnxRuntimeSession` is the one place neuroflow
runs an ONNX file (the layer and `neuroflow serve model.onnx` both use it).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["ONNXLayer", "OnnxRuntimeSession", "TFSMLayer"]

_MISSING = "needs the onnx extra (onnx and onnxruntime): pip install 'neuroflow[onnx]'"


def _dims(shape: Any) -> tuple | None:
    if shape is None:
        return None
    return tuple(d if isinstance(d, int) and d >= 0 else None for d in shape)


class OnnxRuntimeSession:
    """An ONNX Runtime inference session with its inputs' and outputs' names and shapes
    (None for a symbolic size) and a float32 `run`."""

    def __init__(self, filepath: str | os.PathLike, owner: str = "ONNX model"):
        try:
            import onnxruntime
        except ImportError as err:
            raise ImportError(f"{owner} {_MISSING} ({err})") from None
        path = os.fspath(filepath)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{owner}: no such ONNX file {path!r}")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(
                path, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as err:  # noqa: BLE001 - ORT raises its own exception classes
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ValueError(f"{owner}: {path!r} is not a model ONNX Runtime can run "
                             f"({first})") from None
        self.path = path
        self.owner = owner
        ins, outs = self._session.get_inputs(), self._session.get_outputs()
        self.input_names = [i.name for i in ins]
        self.input_shapes = [_dims(i.shape) for i in ins]
        self.input_types = [i.type for i in ins]
        self.output_names = [o.name for o in outs]
        self.output_shapes = [_dims(o.shape) for o in outs]

    def run(self, arrays: list[np.ndarray], output_names: list[str] | None = None
            ) -> list[np.ndarray]:
        """The outputs for one array per input (in `input_names` order)."""
        if len(arrays) != len(self.input_names):
            raise ValueError(f"{self.owner} takes {len(self.input_names)} input(s) "
                             f"{self.input_names}, received {len(arrays)}")
        feed = {}
        for name, kind, arr in zip(self.input_names, self.input_types, arrays, strict=True):
            arr = np.asarray(arr)
            feed[name] = arr.astype(np.float32, copy=False) if kind == "tensor(float)" else arr
        return self._session.run(output_names, feed)


class ONNXLayer(Layer):
    """Run an exported `.onnx` file (from `model.export(...)` or any tool) for inference.

    `ONNXLayer("model.onnx")(x)` returns the file's output (a list for several, or only
    `output_names`); a file with several inputs takes a list in its input order or a
    dict by input name. The outputs carry no gradient: the layer is inference only.
    """

    def __init__(self, filepath: str | os.PathLike, output_names: list[str] | None = None,
                 **kwargs: Any):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.filepath = os.fspath(filepath)
        self.session = OnnxRuntimeSession(self.filepath,
                                          owner=f"ONNXLayer '{self.name}'")
        if output_names is None:
            output_names = list(self.session.output_names)
        else:
            output_names = [str(n) for n in output_names]
            unknown = [n for n in output_names if n not in self.session.output_names]
            if unknown or not output_names:
                raise ValueError(
                    f"ONNXLayer '{self.name}': output_names must name outputs of "
                    f"{self.filepath!r}, which are {self.session.output_names}; received "
                    f"{output_names}")
        self.output_names = output_names
        self.built = True

    def _flat(self, inputs: Any) -> list:
        names = self.session.input_names
        if isinstance(inputs, dict):
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"ONNXLayer '{self.name}': missing input(s) {missing}; the "
                                 f"file's inputs are {names}")
            return [inputs[n] for n in names]
        flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(names):
            raise ValueError(f"ONNXLayer '{self.name}': {self.filepath!r} takes "
                             f"{len(names)} input(s) {names}, received {len(flat)}")
        return flat

    def call(self, inputs: Any) -> Any:
        arrays = [x.data if isinstance(x, Tensor) else np.asarray(x) for x in self._flat(inputs)]
        for arr, shape, name in zip(arrays, self.session.input_shapes,
                                    self.session.input_names, strict=True):
            if shape is not None and (arr.ndim != len(shape) or any(
                    d is not None and d != n for d, n in zip(shape, arr.shape, strict=True))):
                raise ValueError(
                    f"Input '{name}' of layer '{self.name}' is incompatible with "
                    f"{self.filepath!r}: expected shape {shape}, received shape {arr.shape}")
        outs = self.session.run(arrays, self.output_names)
        tensors = [Tensor(np.asarray(o).astype(backend.floatx(), copy=False)) for o in outs]
        return tensors[0] if len(tensors) == 1 else tensors

    def compute_output_shape(self, input_shape: Any) -> Any:
        first = input_shape if not isinstance(input_shape, (list, dict)) else (
            next(iter(input_shape.values())) if isinstance(input_shape, dict) else input_shape[0])
        batch = first[0] if first else None
        shapes = []
        for name in self.output_names:
            shape = self.session.output_shapes[self.session.output_names.index(name)]
            if shape is None:
                raise ValueError(f"ONNXLayer '{self.name}': output {name!r} of "
                                 f"{self.filepath!r} has no declared rank")
            shapes.append((batch,) + tuple(shape[1:]) if shape else ())
        return shapes[0] if len(shapes) == 1 else shapes

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"ONNXLayer '{self.name}' cannot be saved inside a .keras/.h5 file: loading it "
            f"would have to read another file ({self.filepath!r}), which neuroflow's loading "
            "never does. Save the rest of the model, and keep the .onnx file beside it")


class TFSMLayer(Layer):
    """Keras 3's layer for TensorFlow SavedModels: it needs TensorFlow, which neuroflow
    does not use; it raises an error that points to ONNXLayer."""

    def __init__(self, filepath: Any, call_endpoint: str = "serve", *args: Any,
                 **kwargs: Any):
        raise NotImplementedError(
            f"TFSMLayer reloads TensorFlow SavedModels, which need TensorFlow ({filepath!r}); "
            "neuroflow exports and reloads ONNX: model.export('model.onnx') and "
            "keras.layers.ONNXLayer('model.onnx')")
