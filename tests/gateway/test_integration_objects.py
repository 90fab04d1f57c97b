"""Integration objects: ``api.route(key, integration=LambdaProxy(...))`` and the shorthand keywords agree."""

from __future__ import annotations

import json

import pytest

import pytest_serverless
from pytest_serverless import Gateway, UsageError
from pytest_serverless.gateway import (
    AwsService,
    HttpCustom,
    HttpProxy,
    LambdaCustom,
    LambdaProxy,
    MockResponse,
    StepFunctionsExecution,
)


def echo(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"version": event["version"], "name": context.function_name}),
    }


def test_a_handler_is_a_lambda_proxy_object():
    api = Gateway().http_api("shorthand")
    short = api.route("GET /a", echo)
    full = api.route("GET /b", integration=LambdaProxy(echo))
    assert short.integration_kind == full.integration_kind == "lambda_proxy"
    client = api.deploy("$default").client()
    assert client.get("/a").json() == client.get("/b").json() == {"version": "2.0", "name": "echo"}


def test_lambda_proxy_options_reach_the_function():
    api = Gateway().http_api("options")
    api.route("GET /a", integration=LambdaProxy(echo, function_name="orders-fn", payload_format="1.0"))
    assert api.deploy("$default").client().get("/a").json() == {"version": "1.0", "name": "orders-fn"}


def test_mock_and_http_shorthands_make_the_same_kinds():
    api = Gateway().rest_api("kinds")
    assert api.route("GET /m", mock={"statusCode": 200}).integration_kind == "mock"
    assert api.route("GET /n", integration=MockResponse({"statusCode": 200})).integration_kind == "mock"
    assert api.route("GET /h", http="https://backend.example").integration_kind == "http_proxy"
    assert (
        api.route("GET /i", integration=HttpProxy("https://backend.example")).integration_kind == "http_proxy"
    )
    assert api.route("GET /c", integration=HttpCustom("https://backend.example")).integration_kind == "http"
    assert api.route("GET /l", integration=LambdaCustom(echo)).integration_kind == "lambda"
    assert api.route(
        "GET /s", integration=AwsService("arn:aws:apigateway:us-east-1:sqs:path/1/q")
    ).integration_kind == ("aws")


def test_a_mock_response_with_a_response_template_answers_through_it():
    api = Gateway().rest_api("mapped")
    api.route(
        "GET /x",
        integration=MockResponse(
            {"statusCode": 200},
            integration_responses=[
                {"statusCode": 200, "responseTemplates": {"application/json": '{"ok": true}'}}
            ],
        ),
    )
    assert api.deploy("prod").client().get("/x").json() == {"ok": True}


def test_step_functions_execution_is_the_state_machine_shorthand():
    gateway = Gateway()
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = pytest_serverless.StateMachine(definition, name="Echo", type="EXPRESS", clock=gateway.clock)
    api = gateway.rest_api("sfn")
    api.route("POST /a", state_machine=machine, sync=True)
    api.route("POST /b", integration=StepFunctionsExecution(machine, sync=True))
    client = api.deploy("prod").client()
    first, second = client.post("/a", json={"n": 1}).json(), client.post("/b", json={"n": 1}).json()
    assert first["status"] == second["status"] == "SUCCEEDED"
    assert json.loads(first["output"]) == json.loads(second["output"]) == {"n": 1}


def test_an_integration_object_and_a_shorthand_together_are_refused():
    api = Gateway().http_api("both")
    with pytest.raises(UsageError, match=r"give exactly one integration.*\(got handler, integration\)"):
        api.route("GET /a", echo, integration=LambdaProxy(echo))


def test_integration_objects_check_their_options_where_they_are_used():
    rest = Gateway().rest_api("checks")
    with pytest.raises(
        UsageError, match=r"route 'GET /a': REST APIs send payload format 1.0 only, got '2.0'"
    ):
        rest.route("GET /a", integration=LambdaProxy(echo, payload_format="2.0"))
    with pytest.raises(UsageError, match=r"route 'GET /b': the handler must be a function"):
        rest.route("GET /b", integration=LambdaCustom("not callable"))  # type: ignore[arg-type]
    http = Gateway().http_api("checks")
    with pytest.raises(UsageError, match="HTTP APIs have no mapping templates; use request_parameters="):
        http.route("POST /c", integration=AwsService("SQS-SendMessage", request_templates={"a": "b"}))
    with pytest.raises(UsageError, match="mapping templates are a REST API feature"):
        http.route("POST /d", integration=StepFunctionsExecution(object(), request_templates={"a": "b"}))


def test_integration_objects_are_frozen_values():
    first = LambdaProxy(echo, function_name="f")
    assert first == LambdaProxy(echo, function_name="f")
    with pytest.raises(AttributeError):
        first.function_name = "g"  # type: ignore[misc]


def test_websocket_routes_take_the_objects_they_have():
    api = Gateway().websocket_api("chat")
    api.route(
        "$connect", integration=LambdaProxy(lambda e, c: {"statusCode": 200}, function_name="connect-fn")
    )
    api.route(
        "$default",
        integration=MockResponse({"statusCode": 200}),
        route_response_selection_expression="$default",
    )
    assert api.routes["$connect"].integration_kind == "lambda_proxy"
    assert api.routes["$connect"].integration.function_name == "connect-fn"  # type: ignore[attr-defined]
    ws = api.deploy("prod").connect()
    assert ws.status_code == 101
    with pytest.raises(UsageError, match=r"LambdaCustom is not a WebSocket integration"):
        api.route("sendMessage", integration=LambdaCustom(echo))
    with pytest.raises(UsageError, match=r"WebSocket APIs have one payload format"):
        api.route("other", integration=LambdaProxy(echo, payload_format="2.0"))


def test_the_objects_are_exported_with_docstrings():
    for name in ("AwsService", "HttpCustom", "HttpProxy", "LambdaCustom", "LambdaProxy", "MockResponse"):
        assert getattr(pytest_serverless, name) is getattr(pytest_serverless.gateway, name)
    assert pytest_serverless.StepFunctionsExecution is StepFunctionsExecution
