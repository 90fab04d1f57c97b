"""One answerer an operation: an API Gateway AWS service integration (``states:action/...``,
``events:action/PutEvents``) and a boto3 call reach the same answerers, so they answer the same fields and
the same errors; only the wire differs."""

from __future__ import annotations

import textwrap

import boto3
import pytest

from pytest_serverless import load_template
from pytest_serverless.gateway import AwsService

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Flow:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition:
            StartAt: Approve
            States:
              Approve:
                Type: Task
                Resource: arn:aws:states:::lambda:invoke.waitForTaskToken
                Parameters: {FunctionName: approver, Payload: {token.$: $$.Task.Token}}
                End: true
      OnOrder:
        Type: AWS::Serverless::StateMachine
        Properties:
          Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
          Events:
            Placed:
              Type: EventBridgeRule
              Properties: {Pattern: {source: [shop.orders]}}
    """
)
ACTIONS = ("StartExecution", "DescribeExecution", "SendTaskSuccess", "ListExecutions")


@pytest.fixture
def app(tmp_path, monkeypatch):
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    loaded = load_template(tmp_path / "template.yaml", warn=False)
    yield loaded
    loaded.close()


@pytest.fixture
def client(app):
    api = app.gateway.rest_api("direct")
    for action in ACTIONS:
        api.route(
            f"POST /{action}", integration=AwsService(f"arn:aws:apigateway:us-east-1:states:action/{action}")
        )
    api.route(
        "POST /PutEvents", integration=AwsService("arn:aws:apigateway:us-east-1:events:action/PutEvents")
    )
    return api.deploy("prod").client()


def test_describe_execution_answers_the_same_fields_on_both_paths(app, client):
    machine = app.state_machine("OnOrder").arn
    started = client.post("/StartExecution", json={"stateMachineArn": machine, "name": "one"})
    assert started.status_code == 200
    arn = started.json()["executionArn"]
    via_api = client.post("/DescribeExecution", json={"executionArn": arn}).json()
    with app.aws():
        via_sdk = boto3.client("stepfunctions").describe_execution(executionArn=arn)
    via_sdk.pop("ResponseMetadata")
    assert set(via_api) == set(via_sdk)
    assert via_api["status"] == via_sdk["status"] == "SUCCEEDED"
    assert via_api["startDate"] == round(via_sdk["startDate"].timestamp(), 3)
    listed = client.post("/ListExecutions", json={"stateMachineArn": machine}).json()
    assert [item["name"] for item in listed["executions"]] == ["one"]


def test_a_route_completes_a_task_token(app, client):
    execution = app.state_machine("Flow").start({})
    token = execution.task_token("Approve")
    answered = client.post("/SendTaskSuccess", json={"taskToken": token, "output": '{"ok": true}'})
    assert (answered.status_code, answered.json()) == (200, {})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"ok": True})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "ValidationException"),  # stateMachineArn missing
        ({"stateMachineArn": 7}, "SerializationException"),
        ({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:nope"}, None),
        ({"stateMachineArn": "MACHINE", "name": "bad name"}, "InvalidName"),
        ({"stateMachineArn": "MACHINE", "input": "{not json"}, "InvalidExecutionInput"),
    ],
)
def test_start_execution_errors_are_the_sdks(app, client, body, code):
    machine = app.state_machine("OnOrder").arn
    body = {key: machine if value == "MACHINE" else value for key, value in body.items()}
    response = client.post("/StartExecution", json=body)
    assert response.status_code == 400
    error = response.json()["__type"]
    assert error == (code or "StateMachineDoesNotExist")
    if code in (None, "InvalidName", "InvalidExecutionInput"):  # botocore lets these through: the same code
        with app.aws():
            sfn = boto3.client("stepfunctions")
            with pytest.raises(sfn.exceptions.ClientError) as raised:
                sfn.start_execution(**body)
        assert raised.value.response["Error"]["Code"] == error


def test_put_events_answers_per_entry_as_the_sdk_does(app, client):
    entries = [
        {"Source": "shop.orders", "DetailType": "Placed", "Detail": '{"id": 1}'},
        {"Source": "shop.orders", "DetailType": "Placed", "Detail": "[1]"},
    ]
    via_api = client.post("/PutEvents", json={"Entries": entries}).json()
    with app.aws():
        via_sdk = boto3.client("events").put_events(Entries=entries)
    assert via_api["FailedEntryCount"] == via_sdk["FailedEntryCount"] == 1
    assert (
        via_api["Entries"][1]
        == via_sdk["Entries"][1]
        == {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Detail is not valid.",
        }
    )
    assert [execution.input["detail"] for execution in app.executions] == [{"id": 1}, {"id": 1}]
    assert client.post("/PutEvents", json={"Entries": []}).json()["__type"] == "ValidationException"


def test_a_bus_the_app_does_not_have_is_answered_by_nothing(app, client):
    entry = {"Source": "shop.orders", "DetailType": "Placed", "Detail": "{}", "EventBusName": "other"}
    response = client.post("/PutEvents", json={"Entries": [entry]})
    assert response.status_code == 500
    assert "event bus 'other' is not a bus of" in str(response.error)


def test_an_operation_not_emulated_fails_the_integration(app, client):
    api = app.gateway.rest_api("more")
    api.route("POST /tag", integration=AwsService("arn:aws:apigateway:us-east-1:states:action/TagResource"))
    response = api.deploy("prod").client().post("/tag", json={"resourceArn": "x", "tags": []})
    assert response.status_code == 500
    assert "not one of the operations emulated here" in str(response.error)


def test_an_http_api_subtype_may_map_an_object_to_detail(app):
    api = app.gateway.http_api("subtype")
    api.route(
        "POST /orders",
        integration=AwsService(
            "EventBridge-PutEvents",
            request_parameters={
                "Source": "shop.orders",
                "DetailType": "Placed",
                "Detail": "$request.body.order",
            },
        ),
    )
    response = api.deploy("$default").client().post("/orders", json={"order": {"id": 5}})
    assert response.json()["FailedEntryCount"] == 0
    assert [execution.input["detail"] for execution in app.executions] == [{"id": 5}]
