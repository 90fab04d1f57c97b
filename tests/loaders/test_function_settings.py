"""A function's Timeout and MemorySize from the template reach its handler (context counting down on the
virtual clock), and a run past Timeout fails as Lambda's timeout does: 502 on a REST API, 500 on an HTTP API,
``Lambda.Unknown`` with Lambda's timeout payload in a Task. Also payload format 1.0 on HTTP API routes."""

from __future__ import annotations

import json
import textwrap

import pytest

from pytest_serverless.loaders import load_template

SAM = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Globals:
      Function:
        Runtime: python3.12
        Timeout: 10
    Resources:
      SlowFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.slow
          MemorySize: 512
          Events:
            Rest:
              Type: Api
              Properties: {Path: /slow, Method: get}
            Http:
              Type: HttpApi
              Properties: {Path: /slow, Method: get}
            HttpV1:
              Type: HttpApi
              Properties: {Path: /v1, Method: get, PayloadFormatVersion: "1.0"}
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: Invoke
            States:
              Invoke:
                Type: Task
                Resource: arn:aws:states:::lambda:invoke
                Parameters: {FunctionName: !GetAtt SlowFunction.Arn, "Payload.$": "$"}
                OutputPath: $.Payload
                Next: Plain
              Plain:
                Type: Task
                Resource: !GetAtt SlowFunction.Arn
                End: true
    """
)


@pytest.fixture
def seen():
    return {}


@pytest.fixture
def app(tmp_path, seen):
    (tmp_path / "template.yaml").write_text(SAM)

    def slow(event, context):
        seen.setdefault("remaining", []).append(context.get_remaining_time_in_millis())
        seen.setdefault("memory", []).append(context.memory_limit_in_mb)
        seen.setdefault("events", []).append(event)
        context.clock.advance(event.get("sleep", 4) if isinstance(event, dict) and "sleep" in event else 4)
        seen.setdefault("after", []).append(context.get_remaining_time_in_millis())
        if isinstance(event, dict) and ("routeKey" in event or "resource" in event or "httpMethod" in event):
            return {"statusCode": 200, "body": json.dumps({"ok": True})}
        return {"sleep": event.get("sleep", 4) if isinstance(event, dict) else 4}

    loaded = load_template(tmp_path / "template.yaml", handlers={"SlowFunction": slow})
    yield loaded
    loaded.close()


# section: context


def test_timeout_and_memory_reach_the_proxy_handler_context(app, seen):
    response = app.api("ServerlessRestApi").stage("Prod").client().get("/slow")
    assert response.status_code == 200
    assert seen["remaining"] == [10_000]
    assert seen["after"] == [6_000]
    assert seen["memory"] == [512]


def test_timeout_and_memory_reach_the_task_handler_context(app, seen):
    execution = app.state_machine("Flow").execute({"sleep": 2})
    assert execution.status == "SUCCEEDED"
    assert seen["remaining"] == [10_000, 10_000]
    assert seen["after"] == [8_000, 8_000]
    assert seen["memory"] == [512, 512]


# section: running past Timeout


def test_function_past_its_timeout_answers_502_on_a_rest_api(app):
    def slower(event, context):
        context.clock.advance(12)
        return {"statusCode": 200, "body": "late"}

    rest = _app_with(app, slower)
    response = rest.api("ServerlessRestApi").stage("Prod").client().get("/slow")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    # Lambda stopped it at 10 s (its Timeout), before the route's 29 s: 502, not 504
    assert rest.api("ServerlessRestApi").stage("Prod").logs[-1]["integrationLatency"] == 10_000


def test_function_past_its_timeout_answers_500_on_an_http_api(app):
    def slower(event, context):
        context.clock.advance(12)
        return {"statusCode": 200, "body": "late"}

    http = _app_with(app, slower)
    response = http.api("ServerlessHttpApi").stage("$default").client().get("/slow")
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}


def test_function_past_its_timeout_fails_the_task_with_lambda_unknown(app):
    def slower(event, context):
        context.clock.advance(12)
        return {}

    flow = _app_with(app, slower).state_machine("Flow")
    execution = flow.execute({})
    assert execution.status == "FAILED"
    assert execution.error == "Lambda.Unknown"
    prefix = (
        "The cause could not be determined because Lambda did not return an error type. Returned payload: "
    )
    assert execution.cause.startswith(prefix)
    message = json.loads(execution.cause[len(prefix) :])["errorMessage"]
    assert message.endswith(" Task timed out after 10.00 seconds")
    assert message.startswith("2024-01-01T00:00:10.000Z ")
    assert execution.duration == 10  # Lambda stopped it at its Timeout, not when the handler returned


def test_function_timeout_is_caught_as_task_failed(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        SAM.replace(
            "            Next: Plain\n",
            "            Catch: [{ErrorEquals: [States.TaskFailed], Next: Caught, ResultPath: $.error}]\n"
            "            Next: Plain\n          Caught: {Type: Pass, End: true}\n",
        )
    )

    def slower(event, context):
        context.clock.advance(11)
        return {}

    app = load_template(template, handlers={"SlowFunction": slower})
    execution = app.state_machine("Flow").execute({})
    assert execution.status == "SUCCEEDED"
    assert execution.output["error"]["Error"] == "Lambda.Unknown"


# section: payload format 1.0 on an HTTP API


def test_http_api_route_with_payload_format_1_0_gets_the_v1_event(app, seen):
    response = app.api("ServerlessHttpApi").stage("$default").client().get("/v1", params={"q": "a"})
    assert response.status_code == 200
    event = seen["events"][-1]
    assert event["version"] == "1.0"
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"q": "a"}
    assert app.unsupported == []


def test_http_api_route_without_payload_format_gets_the_v2_event(app, seen):
    app.api("ServerlessHttpApi").stage("$default").client().get("/slow")
    assert seen["events"][-1]["version"] == "2.0"


def _app_with(app, handler):
    return load_template(app.source, handlers={"SlowFunction": handler})


# section: CDK output (AWS::Lambda::Function Timeout, default MemorySize)


def test_cdk_function_timeout_reaches_the_task_context(load):
    seen = []

    def price(event, context):
        seen.append((context.get_remaining_time_in_millis(), context.memory_limit_in_mb))
        context.clock.advance(6)  # PriceFn has Timeout: 5
        return {"price": 1}

    app = load("cdk/cdk.out/OrdersStack.template.json", handlers={"PriceFnB9E5D1A2": price})
    execution = app.state_machine("PriceFlow9A8B7C6D").execute({"sku": "A-1"})
    assert seen == [(5_000, 128)]
    assert execution.status == "FAILED"
    assert execution.error == "Lambda.Unknown"
    assert execution.cause.endswith('Task timed out after 5.00 seconds"}')


def test_function_that_raises_after_its_timeout_reports_the_timeout(app):
    def slower(event, context):
        context.clock.advance(15)
        raise ValueError("too late to be seen")

    execution = _app_with(app, slower).state_machine("Flow").execute({})
    assert execution.error == "Lambda.Unknown"
    assert "Task timed out after 10.00 seconds" in execution.cause
    assert "too late" not in execution.cause
