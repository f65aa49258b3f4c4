"""Issue 18, items 8-12: idle and slow clients are shed, workers converge after a failed
catch-up, reloads are bounded and refuse FIFOs, versions are ASCII digits, and a request's
answer does not depend on the requests batched with it."""

from __future__ import annotations

import asyncio
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest

import neuroflow
from neuroflow import layers, models
from neuroflow.serving import (
    BackgroundServer,
    ModelRepository,
    ModelSource,
    ServerSettings,
    create_app,
)
from neuroflow.serving.batching import MicroBatcher

SRC = str(Path(neuroflow.__file__).resolve().parents[1])
X = [[0.5, -1.0, 2.0]]


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` within `seconds` (reading whatever it sends)."""
    sock.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False
    return False


def _serve(make_model, settings: ServerSettings, **repository) -> BackgroundServer:
    source = ModelSource("m", model=make_model(seed=1))
    return BackgroundServer(create_app(ModelRepository([source], **repository), settings))


# ---- item 8: idle clients ------------------------------------------------------------------
def test_a_client_that_sends_nothing_is_disconnected(make_model):
    with _serve(make_model, ServerSettings(header_timeout_s=0.3)) as server:
        silent = _connect(server.url)
        assert _closed_within(silent, 5)
        assert httpx.post(f"{server.url}/v1/models/m:predict",
                          json={"instances": X}).status_code == 200


def test_a_client_that_never_finishes_its_headers_is_disconnected(make_model):
    with _serve(make_model, ServerSettings(header_timeout_s=0.3)) as server:
        slow = _connect(server.url)
        slow.sendall(b"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.2)
        slow.sendall(b"X-Slow: 1\r\n")
        assert _closed_within(slow, 5)


def test_an_idle_keep_alive_connection_is_closed(make_model):
    with _serve(make_model, ServerSettings(keep_alive_s=1, header_timeout_s=30)) as server:
        sock = _connect(server.url)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in sock.recv(65536)
        assert _closed_within(sock, 5)


def test_a_request_in_progress_is_not_cut_by_the_header_timeout(make_model):
    with _serve(make_model, ServerSettings(header_timeout_s=0.3)) as server:
        sock = _connect(server.url)
        body = b'{"instances": [[0.5, -1.0, 2.0]]}'
        sock.sendall(b"POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     b"application/json\r\nContent-Length: " + str(len(body)).encode() +
                     b"\r\n\r\n" + body[:5])
        time.sleep(0.6)
        sock.sendall(body[5:])
        sock.settimeout(5)
        assert b"200 OK" in sock.recv(65536)
        sock.close()


def test_past_max_connections_the_oldest_idle_one_is_shed(make_model):
    with _serve(make_model, ServerSettings(max_connections=5, header_timeout_s=60)) as server:
        idle = [_connect(server.url) for _ in range(5)]
        time.sleep(0.3)
        response = httpx.post(f"{server.url}/v1/models/m:predict", json={"instances": X},
                              timeout=5)
        assert response.status_code == 200
        readable, _, _ = select.select(idle, [], [], 5)
        assert readable and _closed_within(readable[0], 1)  # an idle client was shed
        for sock in idle:
            sock.close()


_SERVE_WITH_FEW_FILES = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
sys.argv = ["neuroflow", "serve", *sys.argv[1:]]
runpy.run_module("neuroflow", run_name="__main__")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], script: str | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "neuroflow",
                                                             "serve"]
    proc = subprocess.Popen([*command, *args, "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode()
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


@pytest.mark.slow
def test_more_idle_connections_than_file_descriptors_do_not_lock_clients_out(mlp_file):
    proc, url = _start([mlp_file, "--name", "m"], script=_SERVE_WITH_FEW_FILES)
    idle = []
    try:
        idle = [_connect(url) for _ in range(400)]  # the server may hold at most 256 files
        time.sleep(0.5)
        started = time.monotonic()
        response = httpx.post(f"{url}/v1/models/m:predict", json={"instances": X}, timeout=10)
        assert response.status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()
        _kill(proc)


# ---- item 9: workers converge after a failed catch-up --------------------------------------
class FlakyLoader:
    """Loads a model file, failing the first `failures` times."""

    def __init__(self, failures: int):
        self.failures = failures

    def __call__(self, path: str):
        if self.failures > 0:
            self.failures -= 1
            raise OSError("the disk hiccupped")
        return models.load_model(path, compile=False)


def test_a_failed_catch_up_is_logged_and_retried_until_the_workers_agree(tmp_path, make_model,
                                                                         caplog):
    path = tmp_path / "m.keras"
    make_model(seed=1).save(path)
    sync = tmp_path / "sync"
    sync.mkdir()
    first = ModelRepository([ModelSource("m", str(path))], sync_dir=str(sync))
    second = ModelRepository([ModelSource("m", str(path))], loader=FlakyLoader(0),
                             sync_dir=str(sync))
    second.loader = FlakyLoader(2)

    async def main():
        make_model(seed=2).save(path)
        await first.reload("m")
        with caplog.at_level(logging.WARNING, logger="neuroflow.serving"):
            await second.catch_up("m", interval=0.0)
        assert second.get("m").version == 1 and "could not catch up" in caplog.text
        await second.catch_up("m", interval=0.0)
        assert second.get("m").version == 1
        await second.catch_up("m", interval=0.0)
        assert second.get("m").version == 2 == first.get("m").version

    asyncio.run(main())


def test_predict_is_answered_while_catching_up_fails(tmp_path, make_model):
    path = tmp_path / "m.keras"
    make_model(seed=1).save(path)
    (tmp_path / "sync").mkdir()
    (tmp_path / "sync" / "m").write_text("7")  # another worker announced version 7
    repository = ModelRepository([ModelSource("m", str(path))], loader=FlakyLoader(0),
                                 sync_dir=str(tmp_path / "sync"))
    repository.loader = FlakyLoader(100)
    with BackgroundServer(create_app(repository)) as server:
        for _ in range(3):
            response = httpx.post(f"{server.url}/v1/models/m:predict", json={"instances": X})
            assert response.status_code == 200, response.text
            time.sleep(0.25)
    assert repository.get("m").version == 1


# ---- item 10: bounded reloads, FIFOs, SIGTERM ----------------------------------------------
def test_a_reload_onto_a_fifo_is_refused_at_once(tmp_path, make_model):
    path = tmp_path / "m.keras"
    make_model(seed=1).save(path)
    with BackgroundServer(create_app(ModelRepository([ModelSource("m", str(path))]))) as server:
        path.unlink()
        os.mkfifo(path)
        response = httpx.post(f"{server.url}/v1/models/m:reload", timeout=10)
        assert response.status_code == 409
        assert "not a regular file" in response.json()["error"]


class StuckLoader:
    """Blocks until released the first time, then loads normally."""

    def __init__(self):
        self.release = threading.Event()
        self.calls = 0

    def __call__(self, path: str):
        self.calls += 1
        if self.calls == 2:  # the first reload
            self.release.wait(30)
        return models.load_model(path, compile=False)


def test_a_stuck_reload_times_out_and_does_not_block_the_next(tmp_path, make_model):
    path = tmp_path / "m.keras"
    make_model(seed=1).save(path)
    loader = StuckLoader()
    repository = ModelRepository([ModelSource("m", str(path))], loader=loader)
    settings = ServerSettings(reload_timeout_s=0.5)
    try:
        with BackgroundServer(create_app(repository, settings)) as server:
            started = time.monotonic()
            stuck = httpx.post(f"{server.url}/v1/models/m:reload", timeout=10)
            assert stuck.status_code == 409 and "longer than 0.5 s" in stuck.json()["error"]
            assert time.monotonic() - started < 5
            again = httpx.post(f"{server.url}/v1/models/m:reload", timeout=10)
            assert again.status_code == 200, again.text
            assert again.json()["model_version_status"][0]["version"] == "2"
    finally:
        loader.release.set()


@pytest.mark.slow
def test_sigterm_stops_the_server_within_seconds_after_a_fifo_reload(tmp_path, mlp_file):
    path = tmp_path / "m.keras"
    path.write_bytes(Path(mlp_file).read_bytes())
    proc, url = _start([str(path), "--name", "m"])
    try:
        idle = _connect(url)
        path.unlink()
        os.mkfifo(path)
        assert httpx.post(f"{url}/v1/models/m:reload", timeout=10).status_code == 409
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        assert time.monotonic() - started < 7
        idle.close()
    finally:
        _kill(proc)


# ---- item 11: versions are ASCII digits ----------------------------------------------------
@pytest.mark.parametrize("version", ["²", "١", "1²", "𝟏", "+1", " 1"])
def test_a_version_that_is_not_ascii_digits_is_not_found(client, version):
    response = client.get(f"/v1/models/mlp/versions/{version}")
    assert response.status_code == 404
    assert "not a version number" in response.json()["error"]


def test_an_ascii_version_is_found(client):
    assert client.get("/v1/models/mlp/versions/1").status_code == 200


# ---- item 12: the same answer whatever the batching ----------------------------------------
def _summing_model():
    model = models.Sequential([layers.Input((3,)), layers.Dense(1, use_bias=False)])
    model.layers[0].kernel.assign(np.ones((3, 1), "float32"))
    return model


def _answers(rows: list[list[float]], batched: bool) -> list:
    model = _summing_model()

    def predict(arrays):
        return {"y": model.predict_on_batch(arrays[0])}

    async def main():
        with ThreadPoolExecutor(1) as pool:
            batcher = MicroBatcher(pool, 256, 0.05)
            jobs = [batcher.submit("k", predict, [np.asarray([r], np.float32)], 1)
                    for r in rows]
            if batched:
                results = await asyncio.gather(*jobs, return_exceptions=True)
            else:
                results = [await job for job in jobs]
            await batcher.close()
            return results, batcher.batches_run

    results, calls = asyncio.run(main())
    assert (calls < len(rows)) if batched else calls == len(rows)
    return [bool(np.isfinite(r["y"]).all()) for r in results]


def test_a_request_is_judged_the_same_alone_and_batched():
    near_overflow = [3e38, 3e38, -3e38]  # finite alone; overflows in a batched product
    overflowing = [3e38, 3e38, 3e38]
    rows = [[1.0, 2.0, 3.0], near_overflow, overflowing, [4.0, 5.0, 6.0]] * 3
    assert _answers(rows, batched=True) == _answers(rows, batched=False)
