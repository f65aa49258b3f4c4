"""Export models for inference outside neuroflow: ONNX, checked by ONNX Runtime.

    model.export("model.onnx")                       # Keras 3's model.export(format="onnx")
    neuroflow.export.export_model(estimator, "mlp.onnx")   # neuroflow.sklearn estimators
    keras.layers.ONNXLayer("model.onnx")             # reload an export inside a model

Every layer is translated by a function registered for its class (`onnx_translation`,
the hook for custom layers); activation functions by `onnx_activation`. Needs the onnx
extra: `pip install 'neuroflow[onnx]'`.
"""

from neuroflow.export.api import SUPPORTED_FORMATS, export_model, save_onnx, to_onnx
from neuroflow.export.graph import DEFAULT_OPSET, MIN_OPSET, OnnxGraph, Value
from neuroflow.export.registry import UnsupportedLayerError, onnx_activation, onnx_translation

__all__ = [
    "DEFAULT_OPSET", "MIN_OPSET", "OnnxGraph", "SUPPORTED_FORMATS", "UnsupportedLayerError",
    "Value", "export_model", "onnx_activation", "onnx_translation", "save_onnx", "to_onnx",
]
