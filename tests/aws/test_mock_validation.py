"""Mock results checked against botocore's service models (API.md section 7), as TestState checks them."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import StateMachine, UsageError


def task(resource, **extra):
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **extra}}}


PUT = task("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": "t", "Item": {}})
START = task("arn:aws:states:::states:startExecution", Parameters={"StateMachineArn": "arn:x"})
SDK_START = task("arn:aws:states:::aws-sdk:sfn:startExecution", Parameters={"StateMachineArn": "arn:x"})
INVOKE = task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f", "Payload": {}})


def run(definition, result, **keywords):
    return StateMachine(definition, **keywords).execute({}, mocks={"T": [{"Return": result}]})


def test_a_member_of_the_wrong_type_names_state_operation_path_and_type():
    with pytest.raises(UsageError) as excinfo:
        run(PUT, {"Attributes": {"id": {"S": 7}}})
    assert str(excinfo.value) == (
        "the mocked result of Task state 'T' (resource 'arn:aws:states:::dynamodb:putItem') does not fit "
        "dynamodb PutItem's output in the service model: member 'Attributes.id.S' must be a string "
        "(StringAttributeValue), got 7 (mock_validation='PRESENT'; StateMachine(..., mock_validation='NONE') "
        "or the ini option serverless_mock_validation = NONE turns the check off)"
    )


def test_present_checks_present_members_strict_also_wants_the_required_ones():
    assert run(START, {"ExecutionArn": "arn"}).status == "SUCCEEDED"
    with pytest.raises(UsageError, match="required member 'StartDate' is missing"):
        run(START, {"ExecutionArn": "arn"}, mock_validation="STRICT")
    assert run(START, {"ExecutionArn": 1}, mock_validation="NONE").status == "SUCCEEDED"


def test_optimised_integrations_are_pascal_case_aws_sdk_ones_the_sdks_own():
    with pytest.raises(UsageError, match="member 'ExecutionArn' must be a string"):
        run(START, {"ExecutionArn": 1})
    assert run(START, {"executionArn": 1}).status == "SUCCEEDED"  # not a member in that casing: allowed
    with pytest.raises(UsageError, match="member 'executionArn' must be a string"):
        run(SDK_START, {"executionArn": 1})
    result = {"executionArn": "a", "startDate": "2024-01-01T00:00:00Z"}
    assert run(SDK_START, result, mock_validation="STRICT").status == "SUCCEEDED"


def test_lambda_invoke_payload_is_any_json_and_its_other_members_are_typed():
    for payload in (1, "text", [1, {"a": None}], {"ok": True}, None):
        assert run(INVOKE, {"Payload": payload, "StatusCode": 200}).status == "SUCCEEDED"
    with pytest.raises(UsageError, match="member 'StatusCode' must be an integer"):
        run(INVOKE, {"Payload": {}, "StatusCode": "200"})
    with pytest.raises(UsageError, match="the result must be an object"):
        run(INVOKE, "just the payload")


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:plain",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::http:invoke",
        "arn:aws:states:::aws-sdk:nosuchservice:doThing",
    ],
)
def test_resources_with_no_model_are_not_checked(resource):
    parameters = (
        {"Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"}} if "sqs" in resource else {}
    )
    if "http" in resource:
        parameters = {
            "Parameters": {
                "ApiEndpoint": "https://x",
                "Method": "GET",
                "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"},
            }
        }
    if "states:startExecution" in resource:
        parameters = {
            "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:c"}
        }
    assert run(task(resource, **parameters), 42).status == "SUCCEEDED"


def test_throw_mocks_are_not_checked():
    execution = StateMachine(PUT).execute({}, mocks={"T": [{"Throw": {"Error": "E", "Cause": "c"}}]})
    assert execution.error == "E"


def test_a_wrong_mode_is_a_usage_error():
    with pytest.raises(UsageError, match="mock_validation=...\\) must be 'PRESENT', 'STRICT' or 'NONE'"):
        StateMachine(PUT, mock_validation="LOOSE")


def test_test_state_checks_strictly_by_default():
    machine = StateMachine(START)
    with pytest.raises(UsageError, match="required member 'StartDate' is missing"):
        machine.test_state("T", {}, mock={"result": json.dumps({"ExecutionArn": "a"})})
    loose = {"result": json.dumps({"ExecutionArn": "a"}), "fieldValidationMode": "PRESENT"}
    assert machine.test_state("T", {}, mock=loose).status == "SUCCEEDED"
    with pytest.raises(UsageError, match="member 'ExecutionArn' must be a string"):
        machine.test_state(
            "T", {}, mock={"result": json.dumps({"ExecutionArn": 1}), "fieldValidationMode": "PRESENT"}
        )
