"""Errors that the server answers with a 4xx status and `{"error": message}`."""

from __future__ import annotations

__all__ = ["ServingError", "BadRequest", "ModelNotFound", "PayloadTooLarge", "ReloadFailed"]


class ServingError(Exception):
    """An error reported to the client as `{"error": message}` with `status`."""

    status: int = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(ServingError):
    """The request body is not a valid predict request for this model (400)."""

    status = 400


class ModelNotFound(ServingError):
    """No model (or model version) of that name is served (404)."""

    status = 404


class PayloadTooLarge(ServingError):
    """The request body is larger than the server accepts (413)."""

    status = 413


class ReloadFailed(ServingError):
    """The model file could not be loaded again; the previous version keeps serving (409)."""

    status = 409
