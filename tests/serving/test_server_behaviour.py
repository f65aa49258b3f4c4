"""How the server behaves around predictions: the event loop stays free, limits hold for
streamed bodies, and names stay stable across reloads."""

from __future__ import annotations

import threading
import time

import httpx
import numpy as np

from neuroflow.serving import BackgroundServer, ModelRepository, ModelSource, codec, create_app
from neuroflow.serving.app import ServerSettings


class SlowModel:
    """A model whose predictions take `seconds` (it echoes its input)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def predict_on_batch(self, x):
        time.sleep(self.seconds)
        return np.asarray(x)


def test_a_slow_prediction_does_not_block_other_requests():
    app = create_app(ModelRepository([ModelSource("slow", model=SlowModel(1.5))]))
    with BackgroundServer(app) as server:
        worker = threading.Thread(target=httpx.post, args=(f"{server.url}/v1/models/slow:predict",),
                                  kwargs={"json": {"instances": [1.0]}, "timeout": 10})
        worker.start()
        time.sleep(0.2)
        start = time.perf_counter()
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        elapsed = time.perf_counter() - start
        worker.join()
    assert elapsed < 1.0


def test_streamed_body_over_the_limit_gets_413(make_model):
    app = create_app(ModelRepository([ModelSource("m", model=make_model())]),
                     ServerSettings(max_body_bytes=1024))

    def chunks():
        yield b'{"instances": ['
        for _ in range(200):
            yield b"[1.0, 2.0, 3.0],"
        yield b"[1.0, 2.0, 3.0]]}"

    with BackgroundServer(app) as server:
        response = httpx.post(f"{server.url}/v1/models/m:predict", content=chunks())
    assert response.status_code == 413


def test_single_input_of_a_sequential_model_is_named_input(client):
    signature = client.get("/v1/models/mlp/metadata").json()["metadata"]["signature_def"][
        "signature_def"]["serving_default"]
    assert list(signature["inputs"]) == ["input"]


def test_input_names_survive_a_reload(tmp_path, make_model):
    path = tmp_path / "m.keras"
    make_model().save(path)
    with BackgroundServer(create_app(ModelRepository([ModelSource("m", str(path))]))) as server:
        with httpx.Client(base_url=server.url) as client:
            client.post("/v1/models/m:reload")
            response = client.post("/v1/models/m:predict",
                                   json={"instances": [{"input": [1.0, 2.0, 3.0]}]})
    assert response.status_code == 200


def test_standard_library_json_gives_the_same_answer(monkeypatch):
    outputs = {"y": np.array([[0.1, 2.5]], dtype=np.float32)}
    fast = codec.encode_predictions(outputs, columnar=False)
    monkeypatch.setattr(codec, "_orjson", None)
    slow = codec.encode_predictions(outputs, columnar=False)
    assert np.float32(codec.parse_json(fast)["predictions"][0][0]) == np.float32(
        codec.parse_json(slow)["predictions"][0][0])
