"""Predict requests and responses in TensorFlow Serving's JSON formats.

Row format: `{"instances": [row, ...]}` (each row a value, or an object of named inputs)
answered with `{"predictions": [...]}`. Columnar format: `{"inputs": value}` (or an object
of named inputs) answered with `{"outputs": ...}`. Every input is checked against the
signature (numbers only, finite, the right shape) before it reaches the model.

orjson, when installed (the `serve` extra brings it), parses and writes the JSON several
times faster than the standard library; a body it refuses is parsed again by the standard
library, whose error message is the one reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the standard library does the same, slower
    _orjson = None

from neuroflow.serving.errors import BadRequest
from neuroflow.serving.signature import Signature, TensorSpec, format_shape

__all__ = ["PredictRequest", "decode_body", "decode_predict", "encode_predictions", "parse_json",
           "SIGNATURE_NAME", "FLOAT32_MAX"]

SIGNATURE_NAME = "serving_default"
FLOAT32_MAX = float(np.finfo(np.float32).max)
_KEYS = {"signature_name", "instances", "inputs"}


@dataclass
class PredictRequest:
    """Validated float32 input arrays in signature order, the row count and the format."""

    arrays: list[np.ndarray]
    rows: int
    columnar: bool


def parse_json(body: bytes) -> Any:
    """The JSON document in `body`, or a BadRequest saying why it is not one."""
    if not body.strip():
        raise BadRequest("the request body is empty: send a JSON object")
    if _orjson is not None:
        try:
            return _orjson.loads(body)
        except _orjson.JSONDecodeError:
            pass  # the standard library says precisely what is wrong (and reads NaN)
    try:
        return json.loads(body)
    except RecursionError:
        raise BadRequest("malformed JSON: the document is nested too deeply") from None
    except ValueError as err:
        raise BadRequest(f"malformed JSON: {err}") from None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else type(value).__name__


def _has_bool(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool):
            return True
    return False


def _to_array(value: Any, spec: TensorSpec, what: str, bools: bool = True) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError, OverflowError, RecursionError):
        raise BadRequest(f"{what}: the nested lists are ragged or not numbers") from None
    if arr.dtype.kind == "b" or (bools and arr.dtype.kind != "O" and _has_bool(value)):
        raise BadRequest(f"{what}: expected numbers, received booleans")
    if arr.dtype.kind not in "iuf":
        raise BadRequest(
            f"{what}: expected numbers, received values of another type "
            "(strings, objects, nulls, ragged lists or integers too large for a float)"
        )
    with np.errstate(over="ignore", invalid="ignore"):
        in_range = bool((np.abs(arr.astype(np.float64)) <= FLOAT32_MAX).all())
    if not in_range:
        raise BadRequest(f"{what}: contains NaN, infinity or a number beyond float32's range "
                         f"(±{FLOAT32_MAX:.7g})")
    arr = arr.astype(np.float32)
    _check_shape(arr, spec, what)
    return arr


def _check_shape(arr: np.ndarray, spec: TensorSpec, what: str) -> None:
    if arr.ndim == 0:
        raise BadRequest(f"{what}: expected a batch of values of shape {format_shape(spec.shape)}, "
                         "received a single number")
    if spec.shape is None:
        return
    ok = arr.ndim == len(spec.shape) and all(
        d is None or d == n for d, n in zip(spec.shape[1:], arr.shape[1:], strict=True))
    if not ok:
        raise BadRequest(f"{what}: expected shape {format_shape(spec.shape)}, "
                         f"received shape {list(arr.shape)}")


def _check_names(keys: list, signature: Signature, what: str) -> None:
    expected = signature.input_names
    if sorted(map(str, keys)) != sorted(expected):
        raise BadRequest(f"{what}: expected the named inputs {expected}, received {list(keys)}")


def _decode_rows(instances: Any, signature: Signature, bools: bool) -> list[np.ndarray]:
    if not isinstance(instances, list):
        raise BadRequest(f"'instances' must be an array of rows, received {_kind(instances)}")
    if not instances:
        raise BadRequest("'instances' is empty: send at least one row")
    for i, row in enumerate(instances):
        if isinstance(row, dict):
            _check_names(list(row), signature, f"instances[{i}]")
        elif len(signature.inputs) > 1:
            raise BadRequest(
                f"the model has {len(signature.inputs)} inputs {signature.input_names}: each "
                "instance must be an object with one value per input name")
    return [_to_array([row[spec.name] if isinstance(row, dict) else row for row in instances],
                      spec, f"input '{spec.name}'", bools)
            for spec in signature.inputs]


def _decode_columns(inputs: Any, signature: Signature, bools: bool) -> list[np.ndarray]:
    if isinstance(inputs, dict):
        _check_names(list(inputs), signature, "'inputs'")
        arrays = [_to_array(inputs[spec.name], spec, f"input '{spec.name}'", bools)
                  for spec in signature.inputs]
    elif len(signature.inputs) > 1:
        raise BadRequest(
            f"the model has {len(signature.inputs)} inputs {signature.input_names}: 'inputs' "
            "must be an object with one batch of values per input name")
    else:
        arrays = [_to_array(inputs, signature.inputs[0], f"input '{signature.inputs[0].name}'",
                            bools)]
    sizes = {len(a) for a in arrays}
    if len(sizes) > 1:
        counts = {spec.name: len(a) for spec, a in zip(signature.inputs, arrays, strict=True)}
        raise BadRequest(f"the named inputs have different batch sizes: {counts}")
    return arrays


def decode_body(body: bytes, signature: Signature) -> PredictRequest:
    """Parse and validate a predict request body (JSON bytes)."""
    bools = b"true" in body or b"false" in body  # else the slow search for booleans is skipped
    return decode_predict(parse_json(body), signature, bools)


def decode_predict(document: Any, signature: Signature, bools: bool = True) -> PredictRequest:
    """Validate a parsed predict request body against the model's signature; `bools=False`
    skips looking for booleans mixed with numbers (when the body has none)."""
    if not isinstance(document, dict):
        raise BadRequest(f"the request body must be a JSON object, received {_kind(document)}")
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise BadRequest(f"unknown field(s) {unknown}: a predict request has 'instances' "
                         "or 'inputs' (and optionally 'signature_name')")
    name = document.get("signature_name", SIGNATURE_NAME)
    if name not in (SIGNATURE_NAME, ""):
        raise BadRequest(f"unknown signature_name {name!r}: the only signature is "
                         f"'{SIGNATURE_NAME}'")
    if ("instances" in document) == ("inputs" in document):
        raise BadRequest("a predict request needs exactly one of 'instances' (row format) "
                         "or 'inputs' (columnar format)")
    if "instances" in document:
        arrays = _decode_rows(document["instances"], signature, bools)
        return PredictRequest(arrays, len(arrays[0]), columnar=False)
    arrays = _decode_columns(document["inputs"], signature, bools)
    if len(arrays[0]) == 0:
        raise BadRequest("'inputs' has a batch of zero rows: send at least one row")
    return PredictRequest(arrays, len(arrays[0]), columnar=True)


def _contiguous(value: Any) -> Any:
    return value if isinstance(value, np.generic) else np.ascontiguousarray(value)


def _response(outputs: dict[str, np.ndarray], columnar: bool, leaf) -> dict:
    if columnar:
        if len(outputs) == 1:
            return {"outputs": leaf(next(iter(outputs.values())))}
        return {"outputs": {k: leaf(v) for k, v in outputs.items()}}
    if len(outputs) == 1:
        return {"predictions": leaf(next(iter(outputs.values())))}
    n = len(next(iter(outputs.values())))
    return {"predictions": [{k: leaf(v[i]) for k, v in outputs.items()} for i in range(n)]}


def encode_predictions(outputs: dict[str, np.ndarray], columnar: bool) -> bytes:
    """The response body: `{"predictions": ...}` for rows, `{"outputs": ...}` for columns."""
    for name, arr in outputs.items():
        if arr.dtype.kind in "fc" and not np.isfinite(arr).all():
            raise BadRequest(f"the model's output '{name}' is not finite (NaN or infinity) for "
                             "this input: the input values are likely out of range")
    if _orjson is not None:
        try:
            return _orjson.dumps(_response(outputs, columnar, _contiguous),
                                 option=_orjson.OPT_SERIALIZE_NUMPY)
        except _orjson.JSONEncodeError:
            pass  # a dtype orjson does not write: fall back to lists
    body = _response(outputs, columnar, lambda a: np.asarray(a).tolist())
    return json.dumps(body, allow_nan=False, separators=(",", ":")).encode()
