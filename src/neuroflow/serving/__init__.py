"""Serve saved models over HTTP with TensorFlow Serving's REST API (`neuroflow serve`).

Needs the `serve` extra (Starlette and uvicorn): `pip install neuroflow[serve]`.
"""

from __future__ import annotations

from neuroflow.serving.errors import BadRequest, ModelNotFound, PayloadTooLarge, ServingError
from neuroflow.serving.repository import ModelRepository, ModelSource, load_model_file
from neuroflow.serving.signature import Signature, TensorSpec, model_signature

__all__ = [
    "BadRequest", "ModelNotFound", "PayloadTooLarge", "ServingError",
    "ModelRepository", "ModelSource", "load_model_file",
    "Signature", "TensorSpec", "model_signature",
    "ServerSettings", "create_app", "BackgroundServer", "serve",
]


def __getattr__(name: str):
    """The parts that need Starlette/uvicorn are imported on first use."""
    if name in ("ServerSettings", "create_app"):
        from neuroflow.serving import app

        return getattr(app, name)
    if name in ("BackgroundServer", "serve"):
        from neuroflow.serving import server

        return getattr(server, name)
    raise AttributeError(f"module 'neuroflow.serving' has no attribute {name!r}")
