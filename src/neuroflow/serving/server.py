"""Running the app with uvicorn: in the foreground (the CLI), with worker processes, or in a
background thread (tests, notebooks, benchmarks)."""

from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
import threading
import time
from dataclasses import asdict
from typing import Any

import uvicorn

from neuroflow.serving.app import ServerSettings, create_app
from neuroflow.serving.protocol import PROTOCOL
from neuroflow.serving.repository import ModelRepository, ModelSource

__all__ = ["BackgroundServer", "serve", "app_from_env", "limit_blas_threads", "uvicorn_options"]

_ENV = "NEUROFLOW_SERVE_CONFIG"
logger = logging.getLogger("neuroflow.serving")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def limit_blas_threads(threads: int | None) -> None:
    """Give the BLAS library (OpenBLAS, MKL) `threads` threads in this process.

    A server's event loop, its model thread and the BLAS threads share the CPUs: BLAS
    threads that spin while waiting for work slow each model call down by two orders of
    magnitude on a busy 2-core machine, so the server runs BLAS on one thread by default.
    None leaves it alone; without threadpoolctl nothing is changed.
    """
    if threads is None:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the serve extra
        logger.warning("threadpoolctl is not installed: BLAS threads are not limited")
        return
    threadpool_limits(limits=threads, user_api="blas")


def uvicorn_options(settings: ServerSettings) -> dict:
    """uvicorn settings that shed idle clients (header and keep-alive timeouts, the
    connection limit of protocol.GuardedHttpProtocol) and bound shutdown."""
    return {"http": PROTOCOL, "timeout_keep_alive": settings.keep_alive_s,
            "timeout_graceful_shutdown": settings.shutdown_timeout_s}


def app_from_env() -> Any:
    """The app described by $NEUROFLOW_SERVE_CONFIG (used by each worker process)."""
    config = json.loads(os.environ[_ENV])
    limit_blas_threads(config["blas_threads"])
    sources = [ModelSource(name, path) for name, path in config["models"]]
    repository = ModelRepository(sources, sync_dir=config["sync_dir"])
    return create_app(repository, ServerSettings(**config["settings"]))


def serve(sources: list[ModelSource], host: str = "127.0.0.1", port: int = 8501,
          workers: int = 1, settings: ServerSettings | None = None,
          log_level: str = "info", blas_threads: int | None = 1) -> None:
    """Serve `sources` until interrupted; `workers` > 1 runs that many processes, each
    loading the models once. BLAS runs on `blas_threads` threads (see limit_blas_threads)."""
    settings = settings or ServerSettings()
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, received {workers}")
    limit_blas_threads(blas_threads)
    if workers == 1:
        app = create_app(ModelRepository(sources), settings)
        uvicorn.run(app, host=host, port=port, log_level=log_level, **uvicorn_options(settings))
        return
    if any(s.path is None for s in sources):
        raise ValueError("several workers can only serve models given as files")
    ModelRepository(sources)  # fail here, once, if a model cannot be loaded
    with tempfile.TemporaryDirectory(prefix="neuroflow-serve-") as sync_dir:
        # a worker that reloads a model announces the version here; the others follow
        os.environ[_ENV] = json.dumps({"models": [[s.name, s.path] for s in sources],
                                       "settings": asdict(settings),
                                       "blas_threads": blas_threads, "sync_dir": sync_dir})
        uvicorn.run("neuroflow.serving.server:app_from_env", factory=True, host=host,
                    port=port, workers=workers, log_level=log_level,
                    **uvicorn_options(settings))


class BackgroundServer:
    """`with BackgroundServer(app) as server:` serves `app` on 127.0.0.1 on a free port
    (or `port`) in a daemon thread; `server.url` is its address."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0,
                 log_level: str = "warning"):
        self._socket = _bind(host, port)
        self.host = host
        self.port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        settings = getattr(getattr(app, "state", None), "handlers", None)
        settings = settings.settings if settings is not None else ServerSettings()
        config = uvicorn.Config(app, log_level=log_level, lifespan="on",
                                **uvicorn_options(settings))
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
