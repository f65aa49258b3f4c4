"""ONNX graphs of the fitted `neuroflow.sklearn` estimators, from their public fitted
attributes only (coefs_/intercepts_/out_activation_, coef_/intercept_, classes_).

One float32 input `X` of shape (batch, n_features_in_); outputs named as skl2onnx names
them: classifiers give `label` (what `predict` returns) and `probabilities`
(`predict_proba`, MLPClassifier) or `scores` (`decision_function`, Perceptron);
MLPRegressor gives `variable` (`predict`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.export.graph import OnnxGraph

__all__ = ["estimator_graph"]

_HIDDEN = {"relu": "Relu", "tanh": "Tanh", "logistic": "Sigmoid"}


def _fitted(estimator: Any, *attributes: str) -> None:
    missing = [a for a in attributes if not hasattr(estimator, a)]
    if missing:
        raise ValueError(f"{type(estimator).__name__} is not fitted (no {missing}): call fit() "
                         "before exporting it")


def _input(graph: OnnxGraph, estimator: Any):
    return graph.add_input("X", (None, int(estimator.n_features_in_)))


def _mlp_forward(graph: OnnxGraph, estimator: Any, x: str) -> str:
    """The network's output activations, as `_forward_pass_fast` computes them."""
    n = len(estimator.coefs_)
    for i, (w, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_, strict=True)):
        x = graph.op("Gemm", [x, graph.const(w, f"layer{i}/coef"),
                              graph.const(b, f"layer{i}/intercept")], hint=f"layer{i}")
        activation = estimator.activation if i < n - 1 else estimator.out_activation_
        if activation == "identity":
            continue
        if activation == "softmax":
            x = graph.op("Softmax", [x], hint=f"layer{i}", axis=-1)
        elif activation in _HIDDEN:
            x = graph.op(_HIDDEN[activation], [x], hint=f"layer{i}")
        else:
            raise ValueError(f"{type(estimator).__name__}: activation {activation!r} has no "
                             "ONNX translation")
    return x


def _classes(graph: OnnxGraph, classes: np.ndarray) -> tuple[str, Any]:
    """The classes as a constant, and the element type of the `label` output."""
    arr = np.asarray(classes)
    if arr.dtype.kind in "iub":
        return graph.const(arr.astype(np.int64), "classes", dtype=np.int64), np.int64
    if arr.dtype.kind == "f":
        return graph.const(arr, "classes", dtype=np.float32), np.float32
    strings = np.array([str(c) for c in arr], dtype=object)
    return graph.const(strings, "classes", dtype=object), object


def _label_from_index(graph: OnnxGraph, classes: np.ndarray, index: str) -> None:
    table, elem = _classes(graph, classes)
    label = graph.op("Gather", [table, index], hint="label", axis=0)
    graph.add_output(label, "label", (None,), _elem(elem))


def _elem(kind: Any) -> int:
    from onnx import TensorProto

    return {np.int64: TensorProto.INT64, np.float32: TensorProto.FLOAT,
            object: TensorProto.STRING}[kind]


def _argmax(graph: OnnxGraph, scores: str) -> str:
    return graph.op("ArgMax", [scores], hint="label", axis=1, keepdims=0)


def _above(graph: OnnxGraph, values: str, threshold: float, hint: str) -> str:
    """1 where values > threshold, else 0 (int64)."""
    above = graph.op("Greater", [values, graph.const(threshold, f"{hint}/threshold")],
                     hint=hint)
    return graph.op("Cast", [above], hint=hint, to=_elem(np.int64))


def _flat(graph: OnnxGraph, x: str, hint: str) -> str:
    return graph.op("Reshape", [x, graph.ints([-1], f"{hint}/flat")], hint=hint)


def _mlp_classifier(graph: OnnxGraph, est: Any) -> None:
    _fitted(est, "coefs_", "intercepts_", "classes_", "out_activation_")
    x = _input(graph, est)
    proba = _mlp_forward(graph, est, x.name)
    n_outputs = int(est.n_outputs_)
    if est.out_activation_ == "softmax":
        graph.add_output(proba, "probabilities", (None, n_outputs))
        _label_from_index(graph, est.classes_, _argmax(graph, proba))
    elif n_outputs == 1:  # binary: one logistic unit for the second class
        positive = _flat(graph, proba, "positive")
        index = _above(graph, positive, 0.5, "label")
        negative = graph.op("Sub", [graph.const(1.0, "one"), proba], hint="negative")
        both = graph.op("Concat", [negative, proba], hint="probabilities", axis=1)
        graph.add_output(both, "probabilities", (None, 2))
        _label_from_index(graph, est.classes_, index)
    else:  # multilabel: one logistic unit per label, an indicator matrix out
        graph.add_output(proba, "probabilities", (None, n_outputs))
        graph.add_output(_above(graph, proba, 0.5, "label"), "label", (None, n_outputs),
                         _elem(np.int64))


def _mlp_regressor(graph: OnnxGraph, est: Any) -> None:
    _fitted(est, "coefs_", "intercepts_", "out_activation_")
    x = _input(graph, est)
    out = _mlp_forward(graph, est, x.name)
    if int(est.n_outputs_) == 1:  # predict returns (n_samples,) for one target
        graph.add_output(_flat(graph, out, "variable"), "variable", (None,))
    else:
        graph.add_output(out, "variable", (None, int(est.n_outputs_)))


def _perceptron(graph: OnnxGraph, est: Any) -> None:
    _fitted(est, "coef_", "intercept_", "classes_")
    x = _input(graph, est)
    coef = np.asarray(est.coef_)
    scores = graph.op("Gemm", [x.name, graph.const(coef, "coef"),
                               graph.const(np.asarray(est.intercept_), "intercept")],
                      hint="scores", transB=1)
    if coef.shape[0] == 1:  # binary: decision_function has shape (n_samples,)
        flat = _flat(graph, scores, "scores")
        graph.add_output(flat, "scores", (None,))
        _label_from_index(graph, est.classes_, _above(graph, flat, 0.0, "label"))
    else:
        graph.add_output(scores, "scores", (None, coef.shape[0]))
        _label_from_index(graph, est.classes_, _argmax(graph, scores))


def estimator_graph(estimator: Any, opset: int) -> OnnxGraph:
    """The graph of a fitted Perceptron, MLPClassifier or MLPRegressor."""
    from neuroflow.sklearn import MLPClassifier, MLPRegressor, Perceptron

    graph = OnnxGraph(opset)
    if isinstance(estimator, MLPClassifier):
        _mlp_classifier(graph, estimator)
    elif isinstance(estimator, MLPRegressor):
        _mlp_regressor(graph, estimator)
    elif isinstance(estimator, Perceptron):
        _perceptron(graph, estimator)
    else:
        raise TypeError(
            f"ONNX export supports neuroflow models and the neuroflow.sklearn Perceptron, "
            f"MLPClassifier and MLPRegressor; received {type(estimator).__name__}")
    return graph
