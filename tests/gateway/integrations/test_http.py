"""HTTP and HTTP_PROXY integrations, answered by the test's `responses`: forwarding, backend errors,
timeouts, stage variables, integration responses."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from pytest_serverless import Gateway
from pytest_serverless.gateway import HttpCustom

# HTTP_PROXY / HTTP


def test_http_proxy_forwards_path_query_headers_and_body():
    gateway = Gateway()
    api = gateway.rest_api("legacy")
    api.route("ANY /legacy/{proxy+}", http="https://legacy.example.com/{proxy}")
    client = api.deploy("prod").client()
    with responses.RequestsMock() as backend:
        backend.add(
            responses.POST,
            "https://legacy.example.com/a/b",
            json={"created": True},
            status=201,
            headers={"X-Backend": "yes"},
        )
        response = client.post("/legacy/a/b", params={"q": "1"}, json={"k": "v"}, headers={"X-Client": "c"})
        sent = backend.calls[0].request
    assert response.status_code == 201
    assert response.json() == {"created": True}
    assert response.headers["X-Backend"] == "yes"
    assert sent.url == "https://legacy.example.com/a/b?q=1"
    assert json.loads(sent.body) == {"k": "v"}
    assert sent.headers["X-Client"] == "c"
    assert sent.headers["x-amzn-apigateway-api-id"] == api.id
    assert sent.headers["X-Forwarded-Proto"] == "https"


def test_http_proxy_passes_backend_errors_through():
    gateway = Gateway()
    api = gateway.http_api("p")
    api.route("GET /x", http="https://backend.example.com/x")
    with responses.RequestsMock() as backend:
        backend.add(
            responses.GET,
            "https://backend.example.com/x",
            json={"message": "", "status_code": 400},
            status=400,
        )
        response = api.deploy("$default").client().get("/x")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("REST", 500, '{"message": "Internal server error"}'),
        ("HTTP", 500, '{"message":"Internal Server Error"}'),
    ],
)
def test_unreachable_http_backend(kind, status, body):
    gateway = Gateway()
    api = gateway.rest_api("p") if kind == "REST" else gateway.http_api("p")
    api.route("GET /x", http="https://down.example.com/x")
    with responses.RequestsMock() as backend:
        backend.add(responses.GET, "https://down.example.com/x", body=requests.ConnectionError("refused"))
        response = api.deploy("prod").client().get("/x")
    assert (response.status_code, response.text) == (status, body)
    if kind == "REST":
        assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("REST", 504, '{"message": "Endpoint request timed out"}'),
        ("HTTP", 503, '{"message":"Service Unavailable"}'),
    ],
)
def test_slow_http_backend_times_out(kind, status, body):
    gateway = Gateway()
    api = gateway.rest_api("p") if kind == "REST" else gateway.http_api("p")
    api.route("GET /slow", http="https://slow.example.com/x")
    api.route("GET /timeout", http="https://slow.example.com/t")

    def slow_answer(request):
        gateway.clock.advance(31)
        return 200, {}, "late"

    client = api.deploy("prod").client()
    with responses.RequestsMock() as backend:
        backend.add_callback(responses.GET, "https://slow.example.com/x", callback=slow_answer)
        backend.add(responses.GET, "https://slow.example.com/t", body=requests.ReadTimeout("read timed out"))
        slow = client.get("/slow")
        timed_out = client.get("/timeout")
    assert (slow.status_code, slow.text, slow.answered_by) == (status, body, "timeout")
    assert (timed_out.status_code, timed_out.text) == (status, body)


def test_http_url_with_missing_stage_variable_is_500():
    gateway = Gateway()
    api = gateway.rest_api("p")
    api.route("GET /x", http="https://${stageVariables.url}/x")
    response = api.deploy("prod").client().get("/x")
    assert response.status_code == 500
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_http_url_uses_stage_variables():
    gateway = Gateway()
    api = gateway.rest_api("p")
    api.route("GET /x", http="https://${stageVariables.host}/x")
    with responses.RequestsMock() as backend:
        backend.add(responses.GET, "https://backend.internal/x", body="hi")
        response = api.deploy("prod", variables={"host": "backend.internal"}).client().get("/x")
    assert response.text == "hi"


def test_rest_http_non_proxy_maps_backend_status_through_integration_responses():
    gateway = Gateway()
    api = gateway.rest_api("p")
    api.route(
        "POST /x",
        integration=HttpCustom(
            "https://backend.example.com/x",
            request_templates={"application/json": "{\"wrapped\": $input.json('$')}"},
            integration_responses=[{"statusCode": 200}, {"selectionPattern": "5\\d{2}", "statusCode": 502}],
        ),
    )
    client = api.deploy("prod").client()
    with responses.RequestsMock() as backend:
        backend.add(
            responses.POST,
            "https://backend.example.com/x",
            json={"message": "", "status_code": 400},
            status=400,
        )
        response = client.post("/x", json={"a": 1})
        sent = backend.calls[0].request
        backend.replace(responses.POST, "https://backend.example.com/x", body="boom", status=503)
        failing = client.post("/x", json={"a": 1})
    assert response.status_code == 200  # no integration response matched 400: the default one (recorded)
    assert json.loads(sent.body) == {"wrapped": {"a": 1}}
    assert sent.headers["User-Agent"] == f"AmazonAPIGateway_{api.id}"
    assert failing.status_code == 502
