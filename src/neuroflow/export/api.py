"""`model.export(...)`, `to_onnx(...)`: check the arguments, build the graph, write the file."""

from __future__ import annotations

import os
from typing import Any

from neuroflow.export.graph import DEFAULT_OPSET, MIN_OPSET

__all__ = ["export_model", "to_onnx", "save_onnx", "SUPPORTED_FORMATS"]

SUPPORTED_FORMATS = ("onnx",)

_MISSING = ("ONNX export needs the onnx extra (onnx and onnxruntime): "
            "pip install 'neuroflow[onnx]'")


def _require_onnx():
    try:
        import onnx
    except ImportError as err:
        raise ImportError(f"{_MISSING} ({err})") from None
    return onnx


def _opset(opset_version: Any) -> int:
    import onnx

    if opset_version is None:
        return DEFAULT_OPSET
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset_version, bool) or not isinstance(opset_version, int) or \
            not MIN_OPSET <= opset_version <= newest:
        raise ValueError(
            f"opset_version must be an integer from {MIN_OPSET} to {newest} (the newest this "
            f"onnx {onnx.__version__} knows), received {opset_version!r}")
    return opset_version


def _is_estimator(obj: Any) -> bool:
    return hasattr(obj, "get_params") and hasattr(obj, "fit") and not hasattr(obj, "layers")


def to_onnx(obj: Any, input_signature: Any = None, opset_version: int | None = None):
    """The `onnx.ModelProto` of a neuroflow model or a fitted `neuroflow.sklearn`
    estimator (Perceptron, MLPClassifier, MLPRegressor), checked by `onnx.checker`.

    Opset `DEFAULT_OPSET` unless `opset_version` says otherwise; inputs float32 with a
    dynamic batch axis. See `export_model` for `input_signature`.
    """
    _require_onnx()
    opset = _opset(opset_version)
    if _is_estimator(obj):
        from neuroflow.export.sklearn import estimator_graph

        if input_signature is not None:
            raise ValueError("input_signature: an estimator's input is its n_features_in_ "
                             "columns; do not pass input_signature for estimators")
        graph, name = estimator_graph(obj, opset), type(obj).__name__
    else:
        from neuroflow.export import layers as _layers  # noqa: F401 - registers translations
        from neuroflow.export.models import build_model_graph

        graph, name = build_model_graph(obj, input_signature, opset), obj.name
    return graph.to_model(name, doc=f"{type(obj).__name__} '{name}' exported by neuroflow")


def save_onnx(proto: Any, filepath: str | os.PathLike) -> str:
    """Write `proto` to `filepath` atomically (a temporary file renamed into place)."""
    import onnx

    from neuroflow.saving.atomic import atomic_path

    filepath = os.fspath(filepath)
    with atomic_path(filepath) as tmp:
        onnx.save_model(proto, tmp)
    return filepath


def export_model(obj: Any, filepath: str | os.PathLike, format: str = "onnx",  # noqa: A002
                 verbose: bool | None = None, input_signature: Any = None,
                 opset_version: int | None = None) -> str:
    """Export `obj` (a model or a fitted estimator) for inference; returns the path.

    `format` is "onnx" (the default, and the only format neuroflow writes: Keras'
    default "tf_saved_model" needs TensorFlow). `input_signature` gives one spec per input
    with the batch axis (`keras.Input(...)`, an array, a Tensor; a list, or a dict by input
    name); None sizes stay dynamic. `verbose` (default True, as in Keras) prints where
    the file went.
    """
    if not isinstance(format, str) or format not in SUPPORTED_FORMATS:
        hint = " (a SavedModel needs TensorFlow)" if format == "tf_saved_model" else ""
        raise ValueError(f"export: format {format!r} is not supported{hint}; supported "
                         f"formats: {list(SUPPORTED_FORMATS)}")
    proto = to_onnx(obj, input_signature=input_signature, opset_version=opset_version)
    path = save_onnx(proto, filepath)
    if verbose is None or verbose:
        print(f"Saved artifact at '{path}'.")
    return path
