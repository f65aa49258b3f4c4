"""TensorBoard writes event files that TensorBoard itself reads (no TensorFlow needed)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from neuroflow.callbacks import TensorBoard

pytest.importorskip("tensorboardX")
event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator")


def _read(run_dir):
    acc = event_accumulator.EventAccumulator(
        str(run_dir), size_guidance={event_accumulator.HISTOGRAMS: 0})
    acc.Reload()
    return acc


def _train(tmp_path, make_model, data, **kwargs):
    log_dir = tmp_path / "logs" / "run_1"
    make_model().fit(*data, epochs=2, batch_size=8, verbose=0, validation_data=data,
                     callbacks=[TensorBoard(log_dir, **kwargs)])
    return log_dir


def test_epoch_scalars_for_train_and_validation(tmp_path, make_model, data):
    log_dir = _train(tmp_path, make_model, data)
    train, val = _read(log_dir / "train"), _read(log_dir / "validation")
    assert {"epoch_loss", "epoch_learning_rate"} <= set(train.Tags()["scalars"])
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1]
    assert [e.step for e in val.Scalars("epoch_loss")] == [0, 1]


def test_learning_rate_scalar_has_the_optimizer_rate(tmp_path, make_model, data):
    log_dir = _train(tmp_path, make_model, data)
    values = [e.value for e in _read(log_dir / "train").Scalars("epoch_learning_rate")]
    assert values == pytest.approx([0.05, 0.05])


def test_weight_histograms_when_asked(tmp_path, make_model, data):
    log_dir = _train(tmp_path, make_model, data, histogram_freq=1)
    tags = _read(log_dir / "train").Tags()["histograms"]
    assert "dense/kernel" in tags or any(t.endswith("kernel") for t in tags)


def test_no_histograms_by_default(tmp_path, make_model, data):
    log_dir = _train(tmp_path, make_model, data)
    assert _read(log_dir / "train").Tags()["histograms"] == []


def test_integer_update_freq_writes_batch_scalars(tmp_path, make_model, data):
    log_dir = _train(tmp_path, make_model, data, update_freq=2)
    steps = [e.step for e in _read(log_dir / "train").Scalars("batch_loss")]
    assert steps == [2, 4, 6, 8]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_tensorboard_server_lists_runs_and_scalars(tmp_path, make_model, data):
    pytest.importorskip("tensorboard.main")
    log_dir = _train(tmp_path, make_model, data)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(log_dir), "--host",
         "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            tags = _get_json(f"{base}/data/plugin/scalars/tags", deadline)
            if "train" in tags and "validation" in tags or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert sorted(_get_json(f"{base}/data/runs", deadline)) == ["train", "validation"]
        assert "epoch_loss" in tags["train"] and "epoch_loss" in tags["validation"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
