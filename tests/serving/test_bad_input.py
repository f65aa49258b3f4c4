"""Bad requests get a 4xx JSON error naming the problem, and the server keeps serving."""

from __future__ import annotations

import pytest

ROW = [0.5, -1.0, 2.0]


def predict(client, body, model="mlp"):
    if isinstance(body, (bytes, str)):
        return client.post(f"/v1/models/{model}:predict", content=body)
    return client.post(f"/v1/models/{model}:predict", json=body)


def assert_error(response, status: int, *words: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    for word in words:
        assert word in message, message


def test_wrong_row_length_names_expected_and_received_shapes(client):
    assert_error(predict(client, {"instances": [[1.0, 2.0]]}), 400, "[batch, 3]", "[1, 2]")


def test_wrong_rank_is_rejected(client):
    assert_error(predict(client, {"instances": [[ROW]]}), 400, "expected shape")


def test_scalar_inputs_are_rejected(client):
    assert_error(predict(client, {"inputs": 3.0}), 400, "single number")


def test_strings_are_rejected(client):
    assert_error(predict(client, {"instances": [["a", 2.0, 3.0]]}), 400, "expected numbers")


def test_booleans_are_rejected(client):
    assert_error(predict(client, {"instances": [[True, False, True]]}), 400, "booleans")


def test_booleans_mixed_with_numbers_are_rejected(client):
    assert_error(predict(client, {"instances": [[False, 0.0, 1.0]]}), 400, "booleans")


def test_ragged_rows_are_rejected(client):
    assert_error(predict(client, {"instances": [ROW, [1.0]]}), 400, "input")


def test_nan_is_rejected(client):
    assert_error(predict(client, b'{"instances": [[NaN, 1, 2]]}'), 400, "NaN")


def test_infinity_is_rejected(client):
    assert_error(predict(client, b'{"instances": [[Infinity, 1, 2]]}'), 400, "infinity")


def test_number_too_large_for_float32_is_rejected(client):
    assert_error(predict(client, {"instances": [[3.5e38, 1.0, 2.0]]}), 400, "float32")


def test_malformed_json_is_rejected(client):
    assert_error(predict(client, b'{"instances": [[1, 2, 3]'), 400, "malformed JSON")


def test_deeply_nested_json_is_rejected(client):
    assert_error(predict(client, b'{"instances": ' + b"[" * 1500 + b"]" * 1500 + b"}"), 400)


def test_empty_body_is_rejected(client):
    assert_error(predict(client, b""), 400, "empty")


def test_body_that_is_not_an_object_is_rejected(client):
    assert_error(predict(client, [ROW]), 400, "JSON object")


def test_body_over_the_limit_gets_413(client):
    assert_error(predict(client, {"instances": [ROW] * 400}), 413, "limit")


def test_empty_instances_are_rejected(client):
    assert_error(predict(client, {"instances": []}), 400, "empty")


def test_instances_and_inputs_together_are_rejected(client):
    assert_error(predict(client, {"instances": [ROW], "inputs": [ROW]}), 400, "exactly one")


def test_unknown_field_is_rejected(client):
    assert_error(predict(client, {"instances": [ROW], "extra": 1}), 400, "extra")


def test_unknown_signature_is_rejected(client):
    assert_error(predict(client, {"signature_name": "other", "instances": [ROW]}), 400, "other")


def test_unknown_model_gets_404_naming_served_models(client):
    assert_error(predict(client, {"instances": [ROW]}, model="nope"), 404, "nope", "mlp")


def test_unknown_version_gets_404(client):
    response = client.post("/v1/models/mlp/versions/99:predict", json={"instances": [ROW]})
    assert_error(response, 404, "99")


def test_unknown_verb_gets_404_naming_the_endpoints(client):
    assert_error(client.post("/v1/models/mlp:classify", json={}), 404, "NAME:predict")


def test_unknown_path_gets_json_404(client):
    assert_error(client.get("/v2/anything"), 404, "no endpoint")


def test_wrong_method_gets_405(client):
    assert_error(client.delete("/v1/models/mlp"), 405, "DELETE")


def test_missing_named_input_is_named(client):
    response = predict(client, {"instances": [{"wide": [1.0, 2.0]}]}, model="multi")
    assert_error(response, 400, "deep")


def test_plain_rows_for_a_multi_input_model_are_rejected(client):
    assert_error(predict(client, {"instances": [ROW]}, model="multi"), 400, "wide", "deep")


def test_named_inputs_of_different_batch_sizes_are_rejected(client):
    body = {"inputs": {"wide": [[1.0, 2.0]], "deep": [ROW, ROW]}}
    assert_error(predict(client, body, model="multi"), 400, "batch sizes")


@pytest.mark.parametrize("body", [b"{", b'{"instances": "x"}', b'{"inputs": {"a": 1}}'])
def test_server_keeps_serving_after_bad_requests(client, body):
    assert predict(client, body).status_code == 400
    assert predict(client, {"instances": [ROW]}).status_code == 200
