"""Helpers for the export tests: run an ONNX model through ONNX Runtime."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

ATOL = 1e-5


def session(proto_or_path):
    """An ONNX Runtime session of a ModelProto or a file path."""
    source = proto_or_path if isinstance(proto_or_path, str) else \
        proto_or_path.SerializeToString()
    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])


def run(proto_or_path, inputs) -> dict[str, np.ndarray]:
    """Outputs by name for `inputs` (one array, a list in input order, or a dict)."""
    s = session(proto_or_path)
    names = [i.name for i in s.get_inputs()]
    if not isinstance(inputs, dict):
        inputs = dict(zip(names, inputs if isinstance(inputs, list) else [inputs],
                          strict=True))
    outs = s.run(None, {k: np.asarray(v, dtype=np.float32) for k, v in inputs.items()})
    return dict(zip([o.name for o in s.get_outputs()], outs, strict=True))


def assert_matches_predict(model, inputs, proto=None) -> dict[str, np.ndarray]:
    """ONNX Runtime's outputs of `model`'s export equal model.predict (atol 1e-5)."""
    from neuroflow.export import to_onnx

    outs = run(proto if proto is not None else to_onnx(model), inputs)
    expected = model.predict(inputs, verbose=0)
    expected = list(expected.values()) if isinstance(expected, dict) else (
        expected if isinstance(expected, list) else [expected])
    assert len(outs) == len(expected)
    for got, want in zip(outs.values(), expected, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=0, atol=ATOL)
    return outs
