"""With moto's ``mock_aws`` active, moto answers what pytest_serverless does not emulate (API.md section 7);
Step Functions stays ours."""

from __future__ import annotations

import json

import boto3
import pytest

from pytest_serverless import StepFunctions

moto = pytest.importorskip("moto")

pytestmark = pytest.mark.usefixtures("no_aws_config")

SAVE = "arn:aws:lambda:us-east-1:123456789012:function:save"
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def make_table():
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


@pytest.mark.parametrize("moto_outside", [True, False], ids=["moto-outside", "moto-inside"])
def test_moto_answers_dynamodb_and_the_service_answers_stepfunctions(moto_outside):
    service = StepFunctions()
    machine = service.create_state_machine(PASS, name="Flow")
    outer, inner = (moto.mock_aws(), service.aws()) if moto_outside else (service.aws(), moto.mock_aws())
    with outer, inner:
        dynamodb = make_table()
        dynamodb.put_item(TableName="orders", Item={"id": {"S": "o-1"}})
        found = dynamodb.get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]
        sfn = boto3.client("stepfunctions")
        arn = sfn.start_execution(stateMachineArn=machine.arn, input='{"x": 1}')["executionArn"]
        described = sfn.describe_execution(executionArn=arn)
    assert found == {"id": {"S": "o-1"}}
    assert json.loads(described["output"]) == {"x": 1}
    assert [execution.arn for execution in service.list_executions(machine.arn)] == [arn]


def test_a_workflow_handler_and_a_test_see_the_same_moto_table():
    service = StepFunctions()

    def save(event, context):
        boto3.client("dynamodb").put_item(TableName="orders", Item={"id": {"S": event["id"]}})
        return event

    machine = service.create_state_machine(
        {"StartAt": "Save", "States": {"Save": {"Type": "Task", "Resource": SAVE, "End": True}}},
        name="Saver",
        tasks={SAVE: save},
    )
    with moto.mock_aws(), service.aws() as scope:
        dynamodb = make_table()
        assert machine.execute({"id": "o-9"}).status == "SUCCEEDED"
        assert dynamodb.get_item(TableName="orders", Key={"id": {"S": "o-9"}})["Item"] == {"id": {"S": "o-9"}}
    assert scope.unemulated == []
