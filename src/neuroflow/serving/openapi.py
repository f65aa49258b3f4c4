"""The OpenAPI 3.0 document of the server.

Each served model gets its own predict paths, whose request schema is exact: the rows'
shapes come from the model's signature, so any schema-valid request is a valid input.
"""

from __future__ import annotations

from typing import Any

from neuroflow.serving.codec import FLOAT32_MAX, SIGNATURE_NAME
from neuroflow.serving.repository import ModelRepository
from neuroflow.serving.signature import Signature, TensorSpec

__all__ = ["build_openapi"]

_JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _row_schema(spec: TensorSpec) -> dict:
    """One row (the shape without its batch axis) as nested arrays of numbers."""
    if spec.shape is None:
        return {}
    schema: dict = {"type": "number", "minimum": -FLOAT32_MAX, "maximum": FLOAT32_MAX}
    for d in reversed(spec.shape[1:]):
        schema = {"type": "array", "items": schema}
        if d is not None:
            schema.update(minItems=d, maxItems=d)
    return schema


def _named(values: dict[str, dict]) -> dict:
    return {"type": "object", "properties": values, "required": list(values),
            "additionalProperties": False}


def _predict_request(signature: Signature) -> dict:
    rows = {spec.name: _row_schema(spec) for spec in signature.inputs}
    columns = {name: {"type": "array", "minItems": 1, "items": row} for name, row in rows.items()}
    if len(rows) == 1:
        row, column = next(iter(rows.values())), next(iter(columns.values()))
        instance = {"anyOf": [row, _named(rows)]} if row else {}
        inputs = {"anyOf": [column, _named(columns)]}
    else:
        instance, inputs = _named(rows), _named(columns)
        inputs["description"] = "one batch per input name, all with the same number of rows"
    return _request_schema(instance, inputs)


def _request_schema(instance: dict, inputs: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "signature_name": {"type": "string", "enum": [SIGNATURE_NAME, ""]},
            "instances": {"type": "array", "minItems": 1, "items": instance},
            "inputs": inputs,
        },
        "additionalProperties": False,
        "oneOf": [{"required": ["instances"]}, {"required": ["inputs"]}],
    }


def _responses(ok: str, description: str, *errors: int) -> dict:
    reasons = {400: "Invalid request (shape, type, NaN, malformed JSON)",
               404: "Unknown model, version or verb", 409: "The model file could not be reloaded",
               413: "Request body too large"}
    out = {"200": {"description": description, "content": {_JSON: {"schema": _ref(ok)}}}}
    for code in errors:
        out[str(code)] = {"description": reasons[code],
                          "content": {_JSON: {"schema": _ref("Error")}}}
    return out


def _param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _predict_op(summary: str, request: dict, params: list) -> dict:
    return {"post": {
        "summary": summary, "parameters": params,
        "requestBody": {"required": True, "content": {_JSON: {"schema": request}}},
        "responses": _responses("PredictResponse", "Predictions", 400, 404, 413),
    }}


def _components() -> dict:
    status = {"type": "object", "required": ["version", "state", "status"], "properties": {
        "version": {"type": "string"}, "state": {"type": "string"},
        "status": {"type": "object", "properties": {"error_code": {"type": "string"},
                                                    "error_message": {"type": "string"}}}}}
    return {"schemas": {
        "Error": {"type": "object", "required": ["error"],
                  "properties": {"error": {"type": "string"}}},
        "ModelStatus": {"type": "object", "required": ["model_version_status"], "properties": {
            "model_version_status": {"type": "array", "items": status}}},
        "ModelMetadata": {"type": "object", "required": ["model_spec", "metadata"], "properties": {
            "model_spec": {"type": "object"}, "metadata": {"type": "object"}}},
        "PredictResponse": {"type": "object", "anyOf": [
            {"required": ["predictions"]}, {"required": ["outputs"]}],
            "properties": {"predictions": {"type": "array"}, "outputs": {}}},
        "Health": {"type": "object", "required": ["status", "models"], "properties": {
            "status": {"type": "string"}, "models": {"type": "object"}}},
    }}


def build_openapi(repository: ModelRepository, version: str) -> dict[str, Any]:
    """The OpenAPI document for the models in `repository`."""
    name = _param("name", {"type": "string", "enum": repository.names})
    ver = _param("version", {"type": "string", "pattern": "^[0-9]+$"})
    paths: dict[str, Any] = {
        "/healthz": {"get": {"summary": "Liveness and the versions served",
                             "responses": _responses("Health", "Serving")}},
        "/v1/models/{name}": {"get": {
            "summary": "Model status", "parameters": [name],
            "responses": _responses("ModelStatus", "Status", 404)}},
        "/v1/models/{name}/metadata": {"get": {
            "summary": "Model signature", "parameters": [name],
            "responses": _responses("ModelMetadata", "Metadata", 404)}},
        "/v1/models/{name}/versions/{version}": {"get": {
            "summary": "Status of one version", "parameters": [name, ver],
            "responses": _responses("ModelStatus", "Status", 404)}},
        "/v1/models/{name}/versions/{version}/metadata": {"get": {
            "summary": "Signature of one version", "parameters": [name, ver],
            "responses": _responses("ModelMetadata", "Metadata", 404)}},
        "/v1/models/{name}:reload": {"post": {
            "summary": "Load the model file again and serve it as the next version",
            "parameters": [name], "responses": _responses("ModelStatus", "Reloaded", 404, 409)}},
    }
    for model in repository.names:
        request = _predict_request(repository.get(model).signature)
        paths[f"/v1/models/{model}:predict"] = _predict_op(
            f"Predict with '{model}'", request, [])
        paths[f"/v1/models/{model}/versions/{{version}}:predict"] = _predict_op(
            f"Predict with one version of '{model}'", request, [ver])
    return {
        "openapi": "3.0.3",
        "info": {"title": "neuroflow model server", "version": version,
                 "description": "TensorFlow Serving's REST API for neuroflow models"},
        "paths": paths,
        "components": _components(),
    }
