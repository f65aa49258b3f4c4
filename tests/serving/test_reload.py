"""`POST /v1/models/NAME:reload` picks up a model file swapped on disk."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest

from neuroflow.serving import BackgroundServer, ModelRepository, ModelSource, create_app

X = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 1.0]], dtype=np.float32)


@pytest.fixture()
def served(tmp_path, make_model):
    """A server for 'm' loaded from a file, with the first model's expected outputs."""
    path = tmp_path / "m.keras"
    first = make_model(seed=10)
    first.save(path)
    with BackgroundServer(create_app(ModelRepository([ModelSource("m", str(path))]))) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client, path, first


def predictions(client) -> np.ndarray:
    response = client.post("/v1/models/m:predict", json={"instances": X.tolist()})
    assert response.status_code == 200, response.text
    return np.asarray(response.json()["predictions"], dtype=np.float32)


def test_reload_serves_the_swapped_file(served, make_model):
    client, path, _ = served
    second = make_model(seed=11)
    second.save(path)
    assert client.post("/v1/models/m:reload").status_code == 200
    np.testing.assert_allclose(predictions(client), second.predict(X, verbose=0), rtol=1e-6)


def test_reload_bumps_the_version(served):
    client, _, _ = served
    body = client.post("/v1/models/m:reload").json()
    assert body["model_version_status"][0]["version"] == "2"


def test_failed_reload_is_409_and_keeps_the_old_version(served):
    client, path, first = served
    path.write_bytes(b"not a model")
    response = client.post("/v1/models/m:reload")
    assert response.status_code == 409 and "still serving" in response.json()["error"]
    np.testing.assert_allclose(predictions(client), first.predict(X, verbose=0), rtol=1e-6)


def test_reload_of_unknown_model_is_404(served):
    client, _, _ = served
    assert client.post("/v1/models/other:reload").status_code == 404


def test_reload_of_an_in_memory_model_is_409(make_model):
    app = create_app(ModelRepository([ModelSource("m", model=make_model())]))
    with BackgroundServer(app) as server:
        assert httpx.post(f"{server.url}/v1/models/m:reload").status_code == 409


def test_requests_in_flight_during_reloads_all_succeed(served, make_model):
    client, path, first = served
    second = make_model(seed=12)
    second.save(path)
    expected = [first.predict(X, verbose=0), second.predict(X, verbose=0)]
    base = str(client.base_url)

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=20) as aclient:
            predicts = [aclient.post("/v1/models/m:predict", json={"instances": X.tolist()})
                        for _ in range(60)]
            reloads = [aclient.post("/v1/models/m:reload") for _ in range(3)]
            return await asyncio.gather(*predicts[:30], *reloads, *predicts[30:])

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200] * len(responses)
    for r in responses:
        if "predictions" in r.json():
            got = np.asarray(r.json()["predictions"], dtype=np.float32)
            assert any(np.allclose(got, e, rtol=1e-6) for e in expected)


def test_a_reload_announced_by_one_worker_is_picked_up_by_the_others(tmp_path, make_model):
    path = tmp_path / "m.keras"
    make_model(0).save(path)
    sync_dir = tmp_path / "sync"
    sync_dir.mkdir()
    first = ModelRepository([ModelSource("m", str(path))], sync_dir=str(sync_dir))
    second = ModelRepository([ModelSource("m", str(path))], sync_dir=str(sync_dir))
    swapped = make_model(7)
    swapped.save(path)
    x = np.ones((1, 3), dtype=np.float32)

    async def scenario():
        await first.reload("m")
        await second.catch_up("m", interval=0.0)

    asyncio.run(scenario())
    assert first.get("m").version == second.get("m").version == 2
    (outputs,) = second.get("m").predict([x]).values()
    np.testing.assert_allclose(np.asarray(outputs), swapped.predict(x, verbose=0), rtol=1e-6)
