"""The ASGI application (Starlette): TensorFlow Serving's REST API over a ModelRepository."""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from neuroflow.serving.batching import MicroBatcher
from neuroflow.serving.codec import decode_body, encode_predictions
from neuroflow.serving.errors import BadRequest, ModelNotFound, PayloadTooLarge, ServingError
from neuroflow.serving.openapi import build_openapi
from neuroflow.serving.protocol import LIMITS_KEY
from neuroflow.serving.repository import ModelRepository, Servable
from neuroflow.serving.signature import signature_def

__all__ = ["ServerSettings", "create_app"]

logger = logging.getLogger("neuroflow.serving")
_OFFLOAD_BYTES = 64 * 1024  # bodies larger than this are decoded in a thread


class _NameConvertor(Convertor):
    """A model name or version in a path: no '/' and no ':' (which starts a verb)."""

    regex = "[^/:]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("nf_segment", _NameConvertor())


@dataclass(frozen=True)
class ServerSettings:
    """Batching and limits: rows per model call, how long a batch waits for more requests,
    the largest request body accepted (bytes); how long a client may take to send a
    request's headers, keep an idle connection open after a response, how many connections
    are held at once (past that, idle ones are closed: see protocol.py), how long a reload
    may take, and how long shutdown waits for requests in flight."""

    max_batch_size: int = 256
    max_wait_ms: float = 2.0
    max_body_bytes: int = 16 * 1024 * 1024
    header_timeout_s: float = 10.0
    keep_alive_s: int = 5
    max_connections: int = 1000
    reload_timeout_s: float = 60.0
    shutdown_timeout_s: float = 5.0

    def __post_init__(self) -> None:
        for name in ("header_timeout_s", "keep_alive_s", "max_connections",
                     "reload_timeout_s", "shutdown_timeout_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"ServerSettings.{name} must be > 0, received "
                                 f"{getattr(self, name)!r}")


def _status(servable: Servable) -> dict:
    return {"model_version_status": [{
        "version": str(servable.version), "state": "AVAILABLE",
        "status": {"error_code": "OK", "error_message": ""},
    }]}


def _metadata(servable: Servable) -> dict:
    return {
        "model_spec": {"name": servable.name, "signature_name": "",
                       "version": str(servable.version)},
        "metadata": {"signature_def": {"signature_def": {
            "serving_default": signature_def(servable.signature)}}},
    }


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, allow_nan=False), status, media_type="application/json")


_VERSION = re.compile(r"[0-9]{1,18}")


def _version(text: str | None) -> int | None:
    """A version from the URL: ASCII digits only ('²' or '١' are not versions: 404)."""
    if text is None:
        return None
    if not _VERSION.fullmatch(text):
        raise ModelNotFound(f"version {text!r} is not a version number")
    return int(text)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and _VERSION.fullmatch(declared) and int(declared) > limit:
        raise PayloadTooLarge(f"the request body has {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class _Handlers:
    """Endpoint functions sharing one repository, batcher and executors."""

    def __init__(self, repository: ModelRepository, settings: ServerSettings, version: str):
        self.repository = repository
        self.settings = settings
        repository.reload_timeout_s = settings.reload_timeout_s
        self.version = version
        self.model_executor = ThreadPoolExecutor(1, thread_name_prefix="neuroflow-predict")
        self.batchers = {name: MicroBatcher(self.model_executor, settings.max_batch_size,
                                            settings.max_wait_ms / 1000.0)
                         for name in repository.names}

    async def health(self, request: Request) -> Response:
        models = {name: {"version": str(self.repository.get(name).version), "state": "AVAILABLE"}
                  for name in self.repository.names}
        return _json({"status": "ok", "models": models})

    async def openapi(self, request: Request) -> Response:
        return _json(build_openapi(self.repository, self.version))

    async def _servable(self, request: Request) -> Servable:
        params = request.path_params
        await self.repository.catch_up(params["name"])
        return self.repository.get(params["name"], _version(params.get("version")))

    async def status(self, request: Request) -> Response:
        return _json(_status(await self._servable(request)))

    async def reload(self, request: Request) -> Response:
        name = request.path_params["name"]
        self.repository.get(name)
        servable = await self.repository.reload(name)
        logger.info("reloaded model %s as version %d", name, servable.version)
        return _json(_status(servable))

    async def metadata(self, request: Request) -> Response:
        return _json(_metadata(await self._servable(request)))

    async def predict(self, request: Request) -> Response:
        servable = await self._servable(request)
        body = await _read_body(request, self.settings.max_body_bytes)
        big = len(body) > _OFFLOAD_BYTES

        if big:
            req = await run_in_threadpool(decode_body, body, servable.signature)
        else:
            req = decode_body(body, servable.signature)
        key = (servable.version, tuple(a.shape[1:] for a in req.arrays))
        try:
            outputs = await self.batchers[servable.name].submit(
                key, servable.predict, req.arrays, req.rows)
        except (ValueError, TypeError) as err:  # the model refused inputs that fit the signature
            raise BadRequest(f"the model cannot predict on this input: {err}") from err
        if big or req.rows > 64:
            content = await run_in_threadpool(encode_predictions, outputs, req.columnar)
        else:
            content = encode_predictions(outputs, req.columnar)
        return Response(content, media_type="application/json")

    async def close(self) -> None:
        for batcher in self.batchers.values():
            await batcher.close()
        self.model_executor.shutdown(wait=False)


async def _serving_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": exc.message}, exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    message = str(exc.detail)
    if exc.status_code == 404:
        message = (f"no endpoint {request.method} {request.url.path}: the API is "
                   "POST /v1/models/NAME:predict, POST /v1/models/NAME:reload, "
                   "GET /v1/models/NAME[/metadata], GET /healthz (see /openapi.json)")
    elif exc.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
        if request.method == "POST":
            message += ": POST to /v1/models/NAME:predict or /v1/models/NAME:reload"
    return JSONResponse({"error": message}, exc.status_code, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    logger.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": f"internal server error: {type(exc).__name__}"}, 500)


def create_app(repository: ModelRepository, settings: ServerSettings | None = None) -> Starlette:
    """The ASGI app serving the models of `repository`."""
    from neuroflow import __version__

    handlers = _Handlers(repository, settings or ServerSettings(), __version__)

    limits = {"header_timeout_s": handlers.settings.header_timeout_s,
              "max_connections": handlers.settings.max_connections}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict]:
        try:
            yield {LIMITS_KEY: limits}  # read by protocol.GuardedHttpProtocol
        finally:
            await handlers.close()

    model = "/v1/models/{name:nf_segment}"
    version = model + "/versions/{version:nf_segment}"
    routes = [
        Route("/healthz", handlers.health, methods=["GET"]),
        Route("/openapi.json", handlers.openapi, methods=["GET"]),
        Route(model, handlers.status, methods=["GET"]),
        Route(model + "/metadata", handlers.metadata, methods=["GET"]),
        Route(model + ":predict", handlers.predict, methods=["POST"]),
        Route(model + ":reload", handlers.reload, methods=["POST"]),
        Route(version, handlers.status, methods=["GET"]),
        Route(version + "/metadata", handlers.metadata, methods=["GET"]),
        Route(version + ":predict", handlers.predict, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan,
        exception_handlers={
            ServingError: _serving_error, HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    app.state.repository = repository
    app.state.handlers = handlers
    return app
