"""Micro-batching: concurrent requests share one model call and get their own rows back."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest

from neuroflow.serving import BackgroundServer, ModelRepository, ModelSource, create_app
from neuroflow.serving.batching import MicroBatcher


class Recorder:
    """A predict function doubling its input that records the batch sizes it saw."""

    def __init__(self, fail_on_negative: bool = False):
        self.sizes: list[int] = []
        self.fail_on_negative = fail_on_negative

    def __call__(self, arrays):
        self.sizes.append(len(arrays[0]))
        if self.fail_on_negative and (arrays[0] < 0).any():
            raise ValueError("negative input")
        return {"y": arrays[0] * 2}


def run_requests(values, fn, max_batch_size=256, max_wait_s=0.002, keys=None):
    async def main():
        with ThreadPoolExecutor(1) as pool:
            batcher = MicroBatcher(pool, max_batch_size, max_wait_s)
            jobs = [batcher.submit(keys[i] if keys else "k", fn,
                                   [np.full((n, 1), v, np.float32)], n)
                    for i, (v, n) in enumerate(values)]
            results = await asyncio.gather(*jobs, return_exceptions=True)
            await batcher.close()
            return results

    return asyncio.run(main())


def test_concurrent_requests_share_one_model_call():
    fn = Recorder()
    run_requests([(float(i), 1) for i in range(8)], fn)
    assert fn.sizes == [8]


def test_each_request_gets_its_own_rows():
    results = run_requests([(1.0, 2), (5.0, 1), (7.0, 3)], Recorder())
    assert [r["y"][:, 0].tolist() for r in results] == [[2.0, 2.0], [10.0], [14.0, 14.0, 14.0]]


def test_batches_stay_within_max_batch_size():
    fn = Recorder()
    run_requests([(1.0, 3)] * 5, fn, max_batch_size=7)
    assert max(fn.sizes) <= 7 and sum(fn.sizes) == 15


def test_failing_request_does_not_fail_the_others():
    results = run_requests([(1.0, 1), (-1.0, 1), (3.0, 1)], Recorder(fail_on_negative=True))
    assert isinstance(results[1], ValueError)
    assert [results[0]["y"][0, 0], results[2]["y"][0, 0]] == [2.0, 6.0]


def test_requests_with_different_keys_are_not_mixed():
    fn = Recorder()
    run_requests([(1.0, 1)] * 4, fn, keys=["a", "b", "a", "b"])
    assert sorted(fn.sizes) == [2, 2]


def test_lone_request_does_not_wait_for_company():
    start = time.perf_counter()
    run_requests([(1.0, 1)], Recorder(), max_wait_s=2.0)
    assert time.perf_counter() - start < 1.0


def test_invalid_max_batch_size_is_refused():
    with pytest.raises(ValueError, match="max_batch_size"):
        MicroBatcher(ThreadPoolExecutor(1), max_batch_size=0)


def test_server_gathers_concurrent_http_requests(make_model):
    model = make_model()
    app = create_app(ModelRepository([ModelSource("m", model=model)]))
    x = np.arange(3, dtype=np.float32).reshape(1, 3)

    async def main(url):
        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            return await asyncio.gather(*[
                client.post("/v1/models/m:predict", json={"instances": (x + i).tolist()})
                for i in range(40)])

    with BackgroundServer(app) as server:
        responses = asyncio.run(main(server.url))
    for i, r in enumerate(responses):
        np.testing.assert_allclose(np.asarray(r.json()["predictions"], np.float32),
                                   model.predict(x + i, verbose=0), rtol=1e-5, atol=1e-6)
    assert app.state.handlers.batchers["m"].batches_run < len(responses)
