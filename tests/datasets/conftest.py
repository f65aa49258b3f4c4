"""Fixtures of the data set tests: an isolated cache, no network, a local HTTP server."""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from neuroflow.datasets import _california, _download, fashion_mnist, mnist
from neuroflow.datasets._content import DataFile
from neuroflow.datasets._idx import idx_bytes
from neuroflow.datasets._idx_dataset import idx_file


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Cache in tmp_path, no NEUROFLOW_DATA, no system folders, mirrors that refuse."""
    home = tmp_path / "nf_home"
    monkeypatch.setenv("NEUROFLOW_HOME", str(home))
    monkeypatch.delenv("NEUROFLOW_DATA", raising=False)
    refused = _closed_port_url()
    for module in (fashion_mnist, mnist, _california):
        monkeypatch.setattr(module, "SYSTEM_DIRS", [])
    monkeypatch.setattr(fashion_mnist, "MIRRORS", [refused])
    monkeypatch.setattr(mnist, "MIRRORS", [refused])
    monkeypatch.setattr(_california, "MIRRORS", [refused + "cal_housing.tgz"])
    monkeypatch.setattr(_download, "RETRIES", 0)
    monkeypatch.setattr(_download, "BACKOFF", 0.0)
    monkeypatch.setattr(_download, "TIMEOUT", 5.0)
    return home


@pytest.fixture
def cache_root(isolated: Path) -> Path:
    """The user cache folder of data sets (``$NEUROFLOW_HOME/datasets``)."""
    return isolated / "datasets"


def make_spec(content: bytes, name: str = "toy.bin", download_name: str | None = None) -> DataFile:
    """A DataFile describing ``content`` (looked for as ``name`` and ``name.gz``)."""
    return DataFile(
        name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        file_names=(name, name + ".gz"),
        download_name=download_name or name,
    )


@pytest.fixture
def spec_for():
    """Build a DataFile for given content (see ``make_spec``)."""
    return make_spec


@dataclass
class ToyIdx:
    """Four tiny IDX files in ``folder`` (gzipped, original names), their specs and arrays."""

    folder: Path
    files: dict[str, DataFile]
    arrays: dict[str, np.ndarray]


@pytest.fixture
def toy_idx(tmp_path: Path) -> ToyIdx:
    """3 training and 2 test 2x2 images with labels, written as .gz IDX files."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, size=(3, 2, 2), dtype=np.uint8),
        "y_train": np.array([9, 0, 3], dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(2, 2, 2), dtype=np.uint8),
        "y_test": np.array([1, 2], dtype=np.uint8),
    }
    names = {
        "x_train": "train-images-idx3-ubyte",
        "y_train": "train-labels-idx1-ubyte",
        "x_test": "t10k-images-idx3-ubyte",
        "y_test": "t10k-labels-idx1-ubyte",
    }
    folder = tmp_path / "toy_idx"
    folder.mkdir()
    files = {}
    for role, array in arrays.items():
        content = idx_bytes(array)
        (folder / f"{names[role]}.gz").write_bytes(gzip.compress(content))
        files[role] = idx_file(names[role], hashlib.sha256(content).hexdigest(), len(content))
    return ToyIdx(folder, files, arrays)


@dataclass
class ServerState:
    """What the local server serves and how it misbehaves; what it saw."""

    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    fail_next: int = 0
    ignore_range: bool = False
    truncate_once: dict[str, int] = field(default_factory=dict)
    stall_once: dict[str, float] = field(default_factory=dict)
    url: str = ""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        state: ServerState = self.server.state  # type: ignore[attr-defined]
        state.requests.append((self.path, dict(self.headers)))
        if state.fail_next > 0:
            state.fail_next -= 1
            self.send_error(503)
            return
        body = state.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        requested = self.headers.get("Range")
        if requested and not state.ignore_range:
            start = int(requested.removeprefix("bytes=").rstrip("-"))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        payload = body[start:]
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        stall = state.stall_once.pop(self.path, 0.0)
        if stall:
            time.sleep(stall)
        cut = state.truncate_once.pop(self.path, None)
        if cut is not None:
            payload = payload[:cut]
            self.close_connection = True
        state.sent.append(len(payload))
        try:
            self.wfile.write(payload)
        except OSError:
            return

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass


@pytest.fixture
def http_server():
    """A tiny HTTP server on 127.0.0.1 (free port) with Range support; yields its state."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = ServerState(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()
