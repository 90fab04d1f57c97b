"""MOCK integrations: status, body and headers from the integration and its mapping templates."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError
from pytest_serverless.gateway import MockResponse

# MOCK


def test_mock_integration_answers_with_its_status_body_and_headers():
    gateway = Gateway()
    api = gateway.rest_api("m")
    api.route("GET /health", mock={"statusCode": 200, "body": "ok"})
    api.route("GET /teapot", mock={"statusCode": 418, "body": {"short": True}, "headers": {"X-Tea": "1"}})
    client = api.deploy("prod").client()
    health = client.get("/health")
    assert (health.status_code, health.text, health.headers["Content-Type"]) == (
        200,
        "ok",
        "application/json",
    )
    assert "X-Amzn-Trace-Id" not in health.headers  # MOCK answers carry no trace id (recorded)
    teapot = client.get("/teapot")
    assert (teapot.status_code, teapot.json(), teapot.headers["X-Tea"]) == (418, {"short": True}, "1")


def test_mock_spec_is_checked():
    api = Gateway().http_api("m")
    with pytest.raises(
        UsageError, match=r"unknown mock key\(s\) \['status'\]; use statusCode, body, headers"
    ):
        api.route("GET /a", mock={"status": 200})


def test_rest_mock_with_response_template_using_path_parameter():
    # recorded: rest-mock-integration-path-param-template.json
    gateway = Gateway()
    api = gateway.rest_api("mock")
    api.route(
        "GET /{id}",
        integration=MockResponse(
            {"statusCode": 200},
            integration_responses=[
                {"statusCode": 200, "responseTemplate": '{"statusCode": 200, "id": $input.params().path.id}'}
            ],
        ),
    )
    response = api.deploy("prod").client().get("/42", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (200, {"statusCode": 200, "id": 42})


def test_rest_mock_status_override_from_request_template():
    # recorded: rest-mock-status-override-444-*.json
    gateway = Gateway()
    api = gateway.rest_api("mock")
    api.route(
        "GET /o",
        integration=MockResponse(
            {"statusCode": 200},
            request_templates={"application/json": "#set($context.responseOverride.status = 444)"},
        ),
    )
    response = api.deploy("prod").client().get("/o")
    assert (response.status_code, response.content) == (444, b"")
