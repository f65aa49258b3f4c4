"""Predictions over HTTP equal `model.predict`, in row and columnar formats."""

from __future__ import annotations

import numpy as np


def as_float32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)
WIDE = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype=np.float32)
DEEP = np.array([[0.1, 0.2, 0.3], [3.0, -2.0, 1.0]], dtype=np.float32)


def test_row_format_predictions_equal_model_predict(client, mlp):
    response = client.post("/v1/models/mlp:predict", json={"instances": X.tolist()})
    assert response.status_code == 200
    np.testing.assert_allclose(as_float32(response.json()["predictions"]),
                               mlp.predict(X, verbose=0), rtol=1e-6)


def test_columnar_format_answers_outputs(client, mlp):
    response = client.post("/v1/models/mlp:predict", json={"inputs": X.tolist()})
    np.testing.assert_allclose(as_float32(response.json()["outputs"]),
                               mlp.predict(X, verbose=0), rtol=1e-6)


def test_row_of_named_input_for_single_input_model(client, mlp):
    name = client.get("/v1/models/mlp/metadata").json()["metadata"]["signature_def"][
        "signature_def"]["serving_default"]["inputs"]
    (input_name,) = name
    response = client.post("/v1/models/mlp:predict",
                           json={"instances": [{input_name: row} for row in X.tolist()]})
    np.testing.assert_allclose(as_float32(response.json()["predictions"]),
                               mlp.predict(X, verbose=0), rtol=1e-6)


def test_signature_name_serving_default_is_accepted(client):
    response = client.post("/v1/models/mlp:predict",
                           json={"signature_name": "serving_default", "instances": X.tolist()})
    assert response.status_code == 200


def test_multi_input_rows_answer_a_dict_per_row(client, two_input_model):
    rows = [{"wide": w, "deep": d} for w, d in zip(WIDE.tolist(), DEEP.tolist(), strict=True)]
    response = client.post("/v1/models/multi:predict", json={"instances": rows})
    price, aux = two_input_model.predict([WIDE, DEEP], verbose=0)
    predictions = response.json()["predictions"]
    np.testing.assert_allclose(as_float32([p["price"] for p in predictions]), price, rtol=1e-6)
    np.testing.assert_allclose(as_float32([p["aux"] for p in predictions]), aux, rtol=1e-6)


def test_multi_input_columns_answer_named_outputs(client, two_input_model):
    response = client.post("/v1/models/multi:predict",
                           json={"inputs": {"deep": DEEP.tolist(), "wide": WIDE.tolist()}})
    price, aux = two_input_model.predict([WIDE, DEEP], verbose=0)
    outputs = response.json()["outputs"]
    np.testing.assert_allclose(as_float32(outputs["price"]), price, rtol=1e-6)
    np.testing.assert_allclose(as_float32(outputs["aux"]), aux, rtol=1e-6)


def test_integer_inputs_are_read_as_floats(client, mlp):
    response = client.post("/v1/models/mlp:predict", json={"instances": [[1, 2, 3]]})
    np.testing.assert_allclose(as_float32(response.json()["predictions"]),
                               mlp.predict(np.array([[1.0, 2.0, 3.0]]), verbose=0), rtol=1e-6)


def test_predict_on_the_served_version_path(client, mlp):
    version = client.get("/v1/models/mlp").json()["model_version_status"][0]["version"]
    response = client.post(f"/v1/models/mlp/versions/{version}:predict",
                           json={"instances": X.tolist()})
    np.testing.assert_allclose(as_float32(response.json()["predictions"]),
                               mlp.predict(X, verbose=0), rtol=1e-6)
