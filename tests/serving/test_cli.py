"""`neuroflow serve` started as a process, and its argument handling."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

import neuroflow
from neuroflow.serving.repository import parse_model_args

SRC = str(Path(neuroflow.__file__).resolve().parents[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "neuroflow", "serve", *args, "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode())
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    stop(proc)
    raise AssertionError("neuroflow serve did not start within 60 s")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def test_serve_command_answers_predictions(mlp_file, mlp):
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    proc, url = start(mlp_file, "--name", "clf")
    try:
        response = httpx.post(f"{url}/v1/models/clf:predict", json={"instances": x.tolist()})
    finally:
        stop(proc)
    np.testing.assert_allclose(np.asarray(response.json()["predictions"], np.float32),
                               mlp.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.slow
def test_serve_command_with_two_workers_and_named_models(mlp_file):
    proc, url = start("--model", f"a={mlp_file}", "--model", f"b={mlp_file}", "--workers", "2")
    try:
        body = httpx.get(f"{url}/healthz").json()
    finally:
        stop(proc)
    assert sorted(body["models"]) == ["a", "b"]


def test_serve_command_without_models_is_a_usage_error():
    env = {**os.environ, "PYTHONPATH": SRC}
    result = subprocess.run([sys.executable, "-m", "neuroflow", "serve"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "at least one model" in result.stderr


def test_model_files_are_named_after_their_stem():
    assert [s.name for s in parse_model_args(["x/iris.keras"], [])] == ["iris"]


def test_name_option_names_the_single_file():
    assert [s.name for s in parse_model_args(["x/iris.keras"], [], name="flowers")] == ["flowers"]


def test_name_option_with_several_files_is_refused():
    with pytest.raises(ValueError, match="--name"):
        parse_model_args(["a.keras", "b.keras"], [], name="x")


def test_model_option_takes_name_equals_path():
    (source,) = parse_model_args([], ["prices=models/p.keras"])
    assert (source.name, source.path) == ("prices", "models/p.keras")


def test_model_option_without_equals_is_refused():
    with pytest.raises(ValueError, match="NAME=PATH"):
        parse_model_args([], ["prices"])


def test_duplicate_model_names_are_refused():
    with pytest.raises(ValueError, match="several models"):
        parse_model_args(["a/m.keras", "b/m.keras"], [])


def test_model_names_with_a_colon_are_refused():
    with pytest.raises(ValueError, match="not valid"):
        parse_model_args([], ["a:b=m.keras"])


@pytest.mark.slow
def test_a_reload_reaches_every_worker(tmp_path, make_model):
    path = tmp_path / "m.keras"
    make_model(0).save(path)
    proc, url = start(str(path), "--workers", "2")
    try:
        make_model(5).save(path)
        assert httpx.post(f"{url}/v1/models/m:reload").status_code == 200
        time.sleep(0.5)
        versions = set()
        for _ in range(24):  # new connections: the OS spreads them over the workers
            with httpx.Client() as client:
                versions.add(client.get(f"{url}/v1/models/m").json()[
                    "model_version_status"][0]["version"])
    finally:
        stop(proc)
    assert versions == {"2"}
