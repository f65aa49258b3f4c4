"""`neuroflow export model.keras model.onnx`, and `neuroflow serve` of the .onnx file:
the same REST API answers what model.predict answers, with ONNX Runtime underneath."""

from __future__ import annotations

import numpy as np
import pytest
from tests.export.conftest import run

import neuroflow as keras
from neuroflow import layers as L
from neuroflow.cli import main

pytest.importorskip("h5py")

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A two-input, two-output model saved as .keras, and its export through the CLI."""
    keras.utils.set_random_seed(6)
    wide, deep = keras.Input(shape=(3,), name="wide"), keras.Input(shape=(2,), name="deep")
    h = L.Dense(4, activation="relu")(L.concatenate([wide, deep]))
    model = keras.Model([wide, deep], [L.Dense(1, name="price")(h),
                                       L.Dense(2, activation="softmax", name="kind")(h)])
    folder = tmp_path_factory.mktemp("cli")
    model.save(folder / "multi.keras")
    assert main(["export", str(folder / "multi.keras"), str(folder / "multi.onnx")]) == 0
    return model, folder


def _inputs():
    return [X, X[:, :2] * 2.0]


def test_cli_export_writes_an_equivalent_onnx_file(saved, capsys):
    model, folder = saved
    outs = run(str(folder / "multi.onnx"), _inputs())
    assert list(outs) == ["price", "kind"]
    for got, want in zip(outs.values(), model.predict(_inputs(), verbose=0), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


def test_cli_export_reports_errors_in_one_line(saved, tmp_path, capsys):
    _, folder = saved
    assert main(["export", str(tmp_path / "missing.keras"), str(tmp_path / "m.onnx")]) == 3
    assert "no such model file" in capsys.readouterr().err
    assert main(["export", str(folder / "multi.keras"), str(tmp_path / "m.onnx"),
                 "--opset", "7"]) == 1
    assert "opset_version must be an integer from 18" in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists()


@pytest.fixture(scope="module")
def onnx_server(saved):
    pytest.importorskip("starlette")
    pytest.importorskip("uvicorn")
    from neuroflow.serving import BackgroundServer, ModelRepository, ModelSource, create_app

    _, folder = saved
    keras.utils.set_random_seed(7)
    mlp = keras.Sequential([keras.Input(shape=(3,)), L.Dense(4, activation="relu"), L.Dense(2)])
    mlp.export(folder / "mlp.onnx", verbose=False)
    repository = ModelRepository([ModelSource("mlp", str(folder / "mlp.onnx")),
                                  ModelSource("multi", str(folder / "multi.onnx"))])
    with BackgroundServer(create_app(repository)) as running:
        yield running, mlp


def test_serve_onnx_file_answers_like_model_predict(onnx_server):
    httpx = pytest.importorskip("httpx")
    server, mlp = onnx_server
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post("/v1/models/mlp:predict", json={"instances": X.tolist()})
        assert response.status_code == 200
        np.testing.assert_allclose(np.asarray(response.json()["predictions"], np.float32),
                                   mlp.predict(X, verbose=0), rtol=0, atol=1e-5)
        meta = client.get("/v1/models/mlp/metadata").json()["metadata"]["signature_def"]
        inputs = meta["signature_def"]["serving_default"]["inputs"]
        assert list(inputs) == ["input"]
        assert [d["size"] for d in inputs["input"]["tensor_shape"]["dim"]] == ["-1", "3"]


def test_serve_onnx_file_with_two_inputs_and_outputs(onnx_server, saved):
    httpx = pytest.importorskip("httpx")
    server, _ = onnx_server
    model, _ = saved
    body = {"inputs": {"wide": _inputs()[0].tolist(), "deep": _inputs()[1].tolist()}}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post("/v1/models/multi:predict", json=body)
    assert response.status_code == 200
    outputs = response.json()["outputs"]
    for name, want in zip(["price", "kind"], model.predict(_inputs(), verbose=0), strict=True):
        np.testing.assert_allclose(np.asarray(outputs[name], np.float32), want, atol=1e-5)


def test_serve_onnx_file_refuses_a_bad_shape(onnx_server):
    httpx = pytest.importorskip("httpx")
    server, _ = onnx_server
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post("/v1/models/mlp:predict", json={"instances": [[1.0, 2.0]]})
    assert response.status_code == 400
