"""Integrations: MOCK, HTTP/HTTP_PROXY (answered by the test's `responses`), Step Functions, VTL, custom."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from pytest_serverless import Gateway, StateMachine, UsageError

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
        http="https://backend.example.com/x",
        http_proxy=False,
        request_templates={"application/json": "{\"wrapped\": $input.json('$')}"},
        integration_responses=[{"statusCode": 200}, {"selectionPattern": "5\\d{2}", "statusCode": 502}],
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


# Step Functions


def machine(**kwargs):
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
                "Default": "Fail",
            },
            "Done": {"Type": "Pass", "Result": {"accepted": True}, "End": True},
            "Fail": {"Type": "Fail", "Error": "Order.Invalid", "Cause": "not ok"},
        },
    }
    return StateMachine(definition, name="OrderFlow", **kwargs)


def test_start_sync_execution_answers_200_with_the_execution():
    gateway = Gateway()
    api = gateway.http_api("sfn")
    api.route("POST /orders", state_machine=machine(type="EXPRESS"), sync=True)
    client = api.deploy("$default").client()
    good = client.post("/orders", json={"ok": True})
    assert good.status_code == 200
    body = good.json()
    assert body["status"] == "SUCCEEDED"
    assert json.loads(body["output"]) == {"accepted": True}
    assert json.loads(body["input"]) == {"ok": True}
    assert body["stateMachineArn"].endswith(":stateMachine:OrderFlow")
    assert body["startDate"] == 1704067200
    assert body["stopDate"] == 1704067200
    assert "error" not in body
    bad = client.post("/orders", json={"ok": False})
    assert bad.status_code == 200  # StartSyncExecution answers 200 also when the execution failed
    assert bad.json()["status"] == "FAILED"
    assert (bad.json()["error"], bad.json()["cause"]) == ("Order.Invalid", "not ok")
    assert "output" not in bad.json()


def test_start_execution_answers_arn_and_start_date():
    gateway = Gateway()
    api = gateway.rest_api("sfn")
    api.route("POST /orders", state_machine=machine(), sync=False)
    response = api.deploy("prod").client().post("/orders", json={"ok": True})
    assert response.status_code == 200
    assert set(response.json()) == {"executionArn", "startDate"}
    assert ":execution:OrderFlow:" in response.json()["executionArn"]


def test_step_functions_invalid_input_is_400():
    gateway = Gateway()
    api = gateway.rest_api("sfn")
    api.route("POST /orders", state_machine=machine(), sync=True)
    response = api.deploy("prod").client().post("/orders", data="{not json")
    assert response.status_code == 400
    assert response.json()["__type"] == "com.amazonaws.swf.service.v2.model#InvalidExecutionInput"


def test_sync_execution_longer_than_the_route_timeout_is_504():
    gateway = Gateway()
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 40, "End": True}}}
    sm = StateMachine(definition, name="Slow", type="EXPRESS", clock=gateway.clock)
    api = gateway.rest_api("sfn")
    api.route("POST /slow", state_machine=sm, sync=True)
    api.route("POST /async", state_machine=sm, sync=False)
    client = api.deploy("prod").client()
    assert client.post("/slow", json={}).status_code == 504
    assert client.post("/async", json={}).status_code == 200


def test_state_machine_argument_is_checked():
    api = Gateway().rest_api("sfn")
    with pytest.raises(UsageError, match="state_machine= takes a pytest_serverless.StateMachine"):
        api.route("POST /a", state_machine=object())


# REST non-proxy Lambda with VTL


def test_non_proxy_lambda_with_request_and_response_templates():
    seen = []

    def handler(event, context):
        seen.append(event)
        return {"total": event["qty"] * 2, "items": [{"n": 1}, {"n": 2}]}

    gateway = Gateway()
    api = gateway.rest_api("vtl")
    api.route(
        "POST /orders/{id}",
        handler,
        proxy=False,
        request_templates={
            "application/json": """{
  "id": "$input.params('id')",
  "qty": $input.json('$.qty'),
  "name": "$util.escapeJavaScript($input.path('$.name'))",
  "stage": "$context.stage",
  "env": "$stageVariables.env",
  "q": "$input.params('q')",
  "b64": "$util.base64Encode('hi')",
  "url": "$util.urlEncode('a b&c')"
}"""
        },
        integration_responses=[
            {
                "statusCode": 200,
                "responseTemplates": {
                    "application/json": "{\"t\": $input.json('$.total'), \"n\": $input.json('$.items[1].n')}"
                },
            }
        ],
    )
    client = api.deploy("prod", variables={"env": "live"}).client()
    response = client.post("/orders/42", params={"q": "x"}, json={"qty": 3, "name": 'say "hi"'})
    assert seen == [
        {
            "id": "42",
            "qty": 3,
            "name": 'say "hi"',
            "stage": "prod",
            "env": "live",
            "q": "x",
            "b64": "aGk=",
            "url": "a+b%26c",
        }
    ]
    assert response.status_code == 200
    assert response.json() == {"t": 6, "n": 2}


def test_non_proxy_lambda_error_selects_integration_response_by_error_message():
    def handler(event, context):
        if event.get("mode") == "four":
            raise Exception("Error: Raising four hundred from within the Lambda function")
        if event.get("mode") == "five":
            raise Exception("Error: Raising five hundred from within the Lambda function")
        return "Pass"

    gateway = Gateway()
    api = gateway.rest_api("sel")
    api.route(
        "POST /x",
        handler,
        proxy=False,
        integration_responses=[
            {"statusCode": 200},
            {"selectionPattern": ".*four hundred.*", "statusCode": 405},
            {"selectionPattern": ".+", "statusCode": 502},
        ],
    )
    client = api.deploy("prod").client()
    assert (client.post("/x", json={}).status_code, client.post("/x", json={}).json()) == (200, "Pass")
    four = client.post("/x", json={"mode": "four"})
    assert four.status_code == 405
    assert four.json()["errorMessage"] == "Error: Raising four hundred from within the Lambda function"
    assert four.json()["errorType"] == "Exception"
    assert set(four.json()) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert client.post("/x", json={"mode": "five"}).status_code == 502


def test_response_override_status_from_template():
    gateway = Gateway()
    api = gateway.rest_api("o")
    api.route(
        "GET /x",
        lambda e, c: {"ok": True},
        proxy=False,
        integration_responses=[
            {
                "statusCode": 200,
                "responseTemplate": "#set($context.responseOverride.status = 444)$input.json('$')",
            }
        ],
    )
    response = api.deploy("prod").client().get("/x")
    assert (response.status_code, response.json()) == (444, {"ok": True})


def test_template_syntax_error_answers_500_at_request_time_as_aws_does():
    # AWS accepts any template text when the integration is saved; a broken one fails each request.
    api = Gateway().rest_api("bad")
    api.route("GET /x", lambda e, c: 1, proxy=False, integration_responses=[{"responseTemplate": "#if($a)x"}])
    response = api.deploy("prod").client().get("/x")
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})


def test_template_failure_at_run_time_is_500():
    gateway = Gateway()
    api = gateway.rest_api("bad")
    api.route(
        "POST /x",
        lambda e, c: 1,
        proxy=False,
        request_templates={"application/json": "$util.parseJson($input.body)"},
    )
    response = (
        api.deploy("prod").client().post("/x", data="not json", headers={"Content-Type": "application/json"})
    )
    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}


# custom integrations


def test_registered_integration_kind():
    class Echo:
        def __init__(self, prefix):
            self.prefix = prefix

        def invoke(self, call):
            from pytest_serverless.gateway.integrations.base import IntegrationResult

            return IntegrationResult(
                207, [("Content-Type", "text/plain")], f"{self.prefix}{call.route_key}".encode()
            )

    gateway = Gateway()
    gateway.register_integration("echo", Echo)
    api = gateway.http_api("c")
    api.route("GET /x", integration="echo", integration_options={"prefix": "route="})
    response = api.deploy("$default").client().get("/x")
    assert (response.status_code, response.text) == (207, "route=GET /x")


def test_unknown_integration_kind_lists_registered_ones():
    gateway = Gateway()
    gateway.register_integration("sqs", lambda **kw: None)
    with pytest.raises(UsageError) as info:
        gateway.http_api("c").route("GET /x", integration="kinesis")
    assert str(info.value) == (
        "route 'GET /x': no integration kind named 'kinesis' (registered: sqs); "
        "register it with gateway.register_integration(name, factory)"
    )


def test_rest_mock_with_response_template_using_path_parameter():
    # recorded: rest-mock-integration-path-param-template.json
    gateway = Gateway()
    api = gateway.rest_api("mock")
    api.route(
        "GET /{id}",
        mock={"statusCode": 200},
        integration_responses=[
            {"statusCode": 200, "responseTemplate": '{"statusCode": 200, "id": $input.params().path.id}'}
        ],
    )
    response = api.deploy("prod").client().get("/42", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (200, {"statusCode": 200, "id": 42})


def test_rest_mock_status_override_from_request_template():
    # recorded: rest-mock-status-override-444-*.json
    gateway = Gateway()
    api = gateway.rest_api("mock")
    api.route(
        "GET /o",
        mock={"statusCode": 200},
        request_templates={"application/json": "#set($context.responseOverride.status = 444)"},
    )
    response = api.deploy("prod").client().get("/o")
    assert (response.status_code, response.content) == (444, b"")
