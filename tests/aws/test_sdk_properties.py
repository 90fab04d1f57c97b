"""Random valid StartExecution / SendTask* parameter sets through a real boto3 client: every call answers as
AWS would (a response, a ClientError with an AWS code, or botocore's ParamValidationError), never with an
internal exception (API.md section 7, issue 13's "bad input")."""

from __future__ import annotations

import json

import boto3
import botocore.exceptions
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import StepFunctions

WAITING = {
    "StartAt": "Wait",
    "States": {
        "Wait": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody.$": "$$.Task.Token"},
            "HeartbeatSeconds": 30,
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "End": True},
    },
}
AWS_CODES = {
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "InvalidArn",
    "InvalidExecutionInput",
    "InvalidName",
    "InvalidOutput",
    "InvalidToken",
    "StateMachineDoesNotExist",
    "TaskTimedOut",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
json_texts = json_values.map(json.dumps)
texts = st.text(max_size=30)


@pytest.fixture(scope="module")
def world():
    service = StepFunctions()
    machine = service.create_state_machine(WAITING, name="Waiting")
    with service.aws():
        yield service, machine, boto3.client("stepfunctions", region_name="us-east-1")


def call(client, operation, **params):
    try:
        return getattr(client, operation)(**params)
    except botocore.exceptions.ParamValidationError:
        return None
    except botocore.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
    assert code in AWS_CODES
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    arn=st.sampled_from(["known", "unknown", "junk"]),
    name=st.none() | texts | st.from_regex(r"\A[a-z0-9-]{1,12}\Z"),
    payload=st.none() | json_texts | texts,
    trace=st.none() | texts,
)
def test_random_start_executions(world, arn, name, payload, trace):
    service, machine, client = world
    params = {
        "stateMachineArn": {"known": machine.arn, "unknown": machine.arn + "x", "junk": "junk"}[arn],
    }
    for key, value in (("name", name), ("input", payload), ("traceHeader", trace)):
        if value is not None:
            params[key] = value
    started = call(client, "start_execution", **params)
    if started is not None:
        described = client.describe_execution(executionArn=started["executionArn"])
        assert described["status"] == "RUNNING"
        expected = json.loads(payload or "{}")
        # input "null" starts with {} here (docs/differences.md: StateMachine.start takes None as no input)
        assert json.loads(described["input"]) == ({} if expected is None else expected)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    operation=st.sampled_from(["send_task_success", "send_task_failure", "send_task_heartbeat"]),
    token=st.sampled_from(["waiting", "closed"]) | texts,
    output=json_texts | texts,
    error=st.none() | texts,
    cause=st.none() | texts,
)
def test_random_send_task_calls(world, operation, token, output, error, cause):
    service, machine, client = world
    execution = machine.start({})
    waiting = execution.task_token("Wait")
    if token == "closed":
        service.send_task_failure(waiting)
        token, waiting = waiting, None
    elif token == "waiting":
        token = execution.task_token("Wait")
    params = {"taskToken": token}
    if operation == "send_task_success":
        params["output"] = output
    elif operation == "send_task_failure":
        params.update(
            {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
        )
    answered = call(client, operation, **params)
    if token == waiting and answered is not None:
        expected = {"send_task_success": "SUCCEEDED", "send_task_failure": "FAILED"}.get(operation, "RUNNING")
        assert execution.status == expected
    elif token == waiting:  # refused (an output that is not JSON): the task still waits
        assert execution.status == "RUNNING"
