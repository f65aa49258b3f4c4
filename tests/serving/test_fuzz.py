"""A property-based fuzz of the whole API (schemathesis) finds no 5xx and no answer that
breaks the OpenAPI document."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

from neuroflow.serving import (  # noqa: E402
    BackgroundServer,
    ModelRepository,
    ModelSource,
    ServerSettings,
    create_app,
)

# What JSON Schema cannot say: named columns must have equal row counts, and inputs near
# float32's limits can make the outputs overflow. The server refuses those with a 400.
_BEYOND_THE_SCHEMA = ("different batch sizes", "not finite")


@schemathesis.check
def valid_data_is_accepted_unless_beyond_the_schema(ctx, response, case):
    """Schema-valid requests are predicted on, except for the two refusals above."""
    if response.status_code == 400:
        message = response.json().get("error", "")
        if any(reason in message for reason in _BEYOND_THE_SCHEMA):
            return None
    return positive_data_acceptance(ctx, response, case)


@pytest.fixture(scope="module")
def api_schema(mlp_file, multi_file):
    repository = ModelRepository([ModelSource("mlp", mlp_file), ModelSource("multi", multi_file)])
    app = create_app(repository, ServerSettings(max_body_bytes=64 * 1024))
    with BackgroundServer(app) as server:
        yield schemathesis.openapi.from_url(f"{server.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api_answers_every_generated_request_without_server_error(case):
    case.call_and_validate(timeout=10, excluded_checks=[positive_data_acceptance],
                           additional_checks=[valid_data_is_accepted_unless_beyond_the_schema])
