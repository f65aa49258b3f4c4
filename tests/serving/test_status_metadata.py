"""Model status, metadata (the signature), health and the OpenAPI document."""

from __future__ import annotations


def test_status_reports_version_available(client):
    status = client.get("/v1/models/mlp").json()["model_version_status"]
    assert status == [{"version": "1", "state": "AVAILABLE",
                       "status": {"error_code": "OK", "error_message": ""}}]


def test_status_of_unknown_model_is_404(client):
    assert client.get("/v1/models/nope").status_code == 404


def test_status_of_the_served_version(client):
    assert client.get("/v1/models/mlp/versions/1").status_code == 200


def test_metadata_gives_input_and_output_shapes(client):
    body = client.get("/v1/models/multi/metadata").json()
    signature = body["metadata"]["signature_def"]["signature_def"]["serving_default"]
    dims = {name: [d["size"] for d in info["tensor_shape"]["dim"]]
            for name, info in {**signature["inputs"], **signature["outputs"]}.items()}
    assert dims == {"wide": ["-1", "2"], "deep": ["-1", "3"], "price": ["-1", "1"],
                    "aux": ["-1", "2"]}


def test_metadata_names_the_model_and_version(client):
    spec = client.get("/v1/models/mlp/metadata").json()["model_spec"]
    assert spec == {"name": "mlp", "signature_name": "", "version": "1"}


def test_metadata_dtype_is_float(client):
    signature = client.get("/v1/models/mlp/metadata").json()["metadata"]["signature_def"][
        "signature_def"]["serving_default"]
    assert {info["dtype"] for info in signature["inputs"].values()} == {"DT_FLOAT"}


def test_health_lists_served_models(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and set(body["models"]) == {"mlp", "multi"}


def test_openapi_document_is_valid(client):
    from openapi_spec_validator import validate

    validate(client.get("/openapi.json").json())


def test_openapi_gives_each_model_an_exact_row_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    schema = paths["/v1/models/mlp:predict"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    row = schema["properties"]["instances"]["items"]["anyOf"][0]
    assert (row["minItems"], row["maxItems"], row["items"]["type"]) == (3, 3, "number")
