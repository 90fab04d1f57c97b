"""A template's functions call AWS with boto3 (API.md section 7): Step Functions, EventBridge PutEvents and
Lambda Invoke answered by the app, behind API routes and in test bodies; the Lambda environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest

from pytest_serverless import UnemulatedCall, load_template

TEMPLATE = Path(__file__).parent / "app" / "template.yaml"

pytestmark = pytest.mark.usefixtures("no_aws_config")


@pytest.fixture
def app():
    app = load_template(TEMPLATE)
    with app.aws():
        yield app
    app.close()


@pytest.fixture
def client(app):
    return app.api("Api").stage("$default").client()


# section: Step Functions from handlers behind routes


def test_a_route_starts_the_workflow_and_another_approves_it(app, client):
    started = client.post("/orders", json={"id": "o-1", "total": 5})
    assert started.status_code == 202
    arn = started.json()["executionArn"]
    flow = app.state_machine("OrderFlow")
    assert arn == f"{flow.arn.replace(':stateMachine:', ':execution:')}:o-1"
    execution = app.stepfunctions.describe_execution(arn)
    assert (execution.status, execution.path) == ("RUNNING", ["Approve"])

    token = execution.task_token("Approve")
    assert client.post("/approvals", json={"token": token}).status_code == 204
    assert (execution.status, execution.output) == ("SUCCEEDED", {"approved": True})
    assert client.post("/approvals", json={"token": token}).text == "already decided"
    assert client.post("/approvals", json={"token": "nope"}).status_code == 404


def test_the_test_body_drives_the_same_service(app):
    flow = app.state_machine("OrderFlow")
    sfn = boto3.client("stepfunctions")

    arn = sfn.start_execution(stateMachineArn=flow.arn, input='{"id": "o-2"}')["executionArn"]
    listed = sfn.list_executions(stateMachineArn=flow.arn, statusFilter="RUNNING")["executions"]

    assert [item["executionArn"] for item in listed] == [arn]


# section: EventBridge and Lambda


def test_put_events_reaches_the_rules_and_invoke_calls_the_function(app, client):
    response = client.post("/publish", json={"id": "o-3", "total": 9})

    assert response.status_code == 200
    body = response.json()
    assert body["failed"] == 0
    assert len(body["eventIds"]) == 1
    assert body["status"] == 200
    assert body["notify"] == {"notified": "o-3", "by": app.function_name("NotifyFunction")}
    audits = [e for e in app.executions if e.state_machine is app.state_machine("AuditFlow")]
    assert [(e.status, e.output) for e in audits] == [("SUCCEEDED", {"id": "o-3", "total": 9})]


def test_invoke_of_a_failing_function_reports_function_error(app):
    name = app.function_name("NotifyFunction")

    answer = boto3.client("lambda").invoke(FunctionName=name, Payload=b'{"fail": true}')

    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read()) == {
        "errorMessage": "cannot notify",
        "errorType": "ValueError",
        "stackTrace": [],
    }


def test_invoke_event_and_dry_run(app):
    lam = boto3.client("lambda")
    name = app.function_name("NotifyFunction")

    assert lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 1}')["StatusCode"] == 202
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204


def test_put_events_entries_aws_refuses_are_failed_entries(app):
    put = boto3.client("events").put_events(
        Entries=[{"Source": "shop", "DetailType": "OrderPlaced", "Detail": "[1]"}, {"Source": "shop"}]
    )
    assert put["FailedEntryCount"] == 2
    assert put["Entries"] == [
        {"ErrorCode": "InvalidArgument", "ErrorMessage": "Parameter Detail is not valid."},
        {"ErrorCode": "InvalidArgument", "ErrorMessage": "Parameter DetailType is not valid."},
    ]


def test_a_function_or_bus_the_app_does_not_have_is_unemulated(app):
    with pytest.raises(UnemulatedCall) as excinfo:
        boto3.client("lambda").invoke(FunctionName="elsewhere")
    assert "function 'elsewhere' is not a function of template.yaml (functions: " in str(excinfo.value)
    with pytest.raises(UnemulatedCall, match="event bus 'billing' is not a bus of template.yaml"):
        boto3.client("events").put_events(
            Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": "billing"}]
        )
    with pytest.raises(
        UnemulatedCall, match=r"AWS call events\.ListRules: is not one of the events operations"
    ):
        boto3.client("events").list_rules()


def test_an_unemulated_call_swallowed_behind_a_route_is_recorded(app, client):
    with app.aws() as scope:
        assert client.post("/save", json={}).status_code == 200
    assert [(error.service, error.operation) for error in scope.unemulated] == [("dynamodb", "PutItem")]


# section: the Lambda environment


def test_handlers_run_with_a_lambda_environment_at_import_and_at_each_call(app):
    before = dict(os.environ)
    seen = app.function("EnvFunction")({}, None)
    expected = {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "env-reporter",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/env-reporter",
        "AWS_ACCESS_KEY_ID": "ASIAPYTESTSERVERLESS",
        "TABLE": "orders-table",
        "ORDER_FLOW": app.state_machine("OrderFlow").arn,
    }
    assert seen == {"import": expected, "call": expected}
    assert dict(os.environ) == before


def test_the_lambda_environment_without_any_bridge(no_aws_config):
    app = load_template(TEMPLATE)
    seen = app.function("EnvFunction")({}, None)
    assert seen["call"]["AWS_LAMBDA_FUNCTION_NAME"] == "env-reporter"
    assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_given_handlers_get_the_lambda_environment_too():
    def report(event, context):
        return os.environ["AWS_LAMBDA_FUNCTION_NAME"], os.environ["TABLE"]

    app = load_template(TEMPLATE, handlers={"EnvFunction": report}, environment={"TABLE": "override"})
    assert app.function("EnvFunction")({}, None) == ("env-reporter", "override")


def test_an_unemulated_call_behind_a_route_answers_as_a_failing_function():
    from pytest_serverless import Gateway, StepFunctions

    def handler(event, context):
        boto3.client("sqs").list_queues()

    gateway = Gateway()
    http, rest = gateway.http_api("http"), gateway.rest_api("rest")
    http.route("GET /queues", handler)
    rest.route("GET /queues", handler)
    with StepFunctions().aws() as scope:
        assert http.deploy("prod").client().get("/queues").status_code == 500
        assert rest.deploy("prod").client().get("/queues").status_code == 502
    assert [(error.service, error.operation) for error in scope.unemulated] == [("sqs", "ListQueues")] * 2
