"""boto3 ``stepfunctions`` clients answered in process by a StepFunctions service (API.md section 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import boto3
import botocore.exceptions
import botocore.handlers
import pytest

from pytest_serverless import StepFunctions, UnemulatedCall

pytestmark = pytest.mark.usefixtures("no_aws_config")

WAITING = {
    "StartAt": "Approve",
    "States": {
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q", "MessageBody.$": "$"},
            "HeartbeatSeconds": 60,
            "End": True,
        }
    },
}
PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
FAILING = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}}


@pytest.fixture
def service():
    return StepFunctions()


@pytest.fixture
def client(service):
    with service.aws():
        yield boto3.client("stepfunctions")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


# section: executions


def test_start_and_describe_an_execution_through_boto3(service, client):
    machine = service.create_state_machine(WAITING, name="Orders")

    started = client.start_execution(stateMachineArn=machine.arn, name="o-1", input=json.dumps({"id": 1}))

    assert started["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Orders:o-1"
    assert isinstance(started["startDate"], datetime)
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 200
    described = client.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "RUNNING"
    assert described["stateMachineArn"] == machine.arn
    assert json.loads(described["input"]) == {"id": 1}
    assert "stopDate" not in described


def test_send_task_success_completes_the_waiting_task(service, client):
    machine = service.create_state_machine(WAITING, name="Orders")
    arn = client.start_execution(stateMachineArn=machine.arn)["executionArn"]
    token = service.waiting_tasks[0].token

    assert client.send_task_heartbeat(taskToken=token)["ResponseMetadata"]["HTTPStatusCode"] == 200
    client.send_task_success(taskToken=token, output=json.dumps({"approved": True}))

    described = client.describe_execution(executionArn=arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    assert described["stopDate"] == described["startDate"]
    with pytest.raises(client.exceptions.TaskTimedOut) as excinfo:
        client.send_task_success(taskToken=token, output="{}")
    assert excinfo.value.response["Error"]["Message"] == f"Task Timed Out: '{token}'"


def test_send_task_failure_fails_the_execution_with_that_error(service, client):
    machine = service.create_state_machine(WAITING, name="Orders")
    arn = client.start_execution(stateMachineArn=machine.arn)["executionArn"]

    client.send_task_failure(taskToken=service.waiting_tasks[0].token, error="Rejected", cause="no stock")

    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Rejected", "no stock")


def test_unknown_tokens_executions_and_machines_get_aws_error_codes(service, client):
    machine = service.create_state_machine(PASS, name="Quick")
    with pytest.raises(client.exceptions.InvalidToken):
        client.send_task_success(taskToken="never-issued", output="{}")
    with pytest.raises(client.exceptions.ExecutionDoesNotExist) as excinfo:
        client.describe_execution(executionArn=machine.arn.replace("stateMachine", "execution") + ":nope")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(client.exceptions.StateMachineDoesNotExist):
        client.start_execution(stateMachineArn=machine.arn + "Missing")
    with pytest.raises(client.exceptions.InvalidArn):
        client.describe_execution(executionArn="not-an-arn")
    with pytest.raises(client.exceptions.InvalidExecutionInput):
        client.start_execution(stateMachineArn=machine.arn, input="{not json")
    with pytest.raises(client.exceptions.InvalidName):
        client.start_execution(stateMachineArn=machine.arn, name="has space")


def test_an_execution_name_again_is_execution_already_exists(service, client):
    machine = service.create_state_machine(PASS, name="Quick")
    client.start_execution(stateMachineArn=machine.arn, name="once")

    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.start_execution(stateMachineArn=machine.arn, name="once")

    assert error_code(excinfo) == "ExecutionAlreadyExists"
    assert isinstance(excinfo.value, client.exceptions.ExecutionAlreadyExists)


def test_parameters_botocore_refuses_are_param_validation_errors(client):
    with pytest.raises(botocore.exceptions.ParamValidationError, match="stateMachineArn"):
        client.start_execution(input="{}")


def test_list_executions_with_and_without_a_status_filter(service, client):
    machine = service.create_state_machine(WAITING, name="Orders")
    first = client.start_execution(stateMachineArn=machine.arn, name="a")["executionArn"]
    client.start_execution(stateMachineArn=machine.arn, name="b")
    client.send_task_success(taskToken=service.waiting_tasks[0].token, output="{}")

    listed = client.list_executions(stateMachineArn=machine.arn)["executions"]
    running = client.list_executions(stateMachineArn=machine.arn, statusFilter="RUNNING")["executions"]

    assert [(item["name"], item["status"]) for item in listed] == [("b", "RUNNING"), ("a", "SUCCEEDED")]
    assert [item["name"] for item in running] == ["b"]
    assert listed[1]["executionArn"] == first


def test_stop_then_redrive_an_execution(service, client):
    machine = service.create_state_machine(WAITING, name="Orders")
    arn = client.start_execution(stateMachineArn=machine.arn)["executionArn"]

    stopped = client.stop_execution(executionArn=arn, error="Cancelled", cause="by the shopper")
    described = client.describe_execution(executionArn=arn)
    assert isinstance(stopped["stopDate"], datetime)
    assert (described["status"], described["error"]) == ("ABORTED", "Cancelled")

    assert isinstance(client.redrive_execution(executionArn=arn)["redriveDate"], datetime)
    described = client.describe_execution(executionArn=arn)
    assert (described["status"], described["redriveCount"]) == ("RUNNING", 1)


def test_redrive_of_a_succeeded_execution_is_not_redrivable(service, client):
    machine = service.create_state_machine(PASS, name="Quick")
    arn = client.start_execution(stateMachineArn=machine.arn)["executionArn"]

    with pytest.raises(client.exceptions.ExecutionNotRedrivable):
        client.redrive_execution(executionArn=arn)


def test_start_sync_execution_of_an_express_machine(service, client):
    machine = service.create_state_machine(FAILING, name="Express", type="EXPRESS")
    ok = service.create_state_machine(PASS, name="ExpressOk", type="EXPRESS")

    failed = client.start_sync_execution(stateMachineArn=machine.arn, input="{}")
    passed = client.start_sync_execution(stateMachineArn=ok.arn, input='{"a": [1]}')

    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Bad", "why")
    assert (passed["status"], json.loads(passed["output"])) == ("SUCCEEDED", {"a": [1]})
    assert passed["billingDetails"]["billedDurationInMilliseconds"] == 100


def test_start_sync_execution_of_a_standard_machine_is_refused(service, client):
    machine = service.create_state_machine(PASS, name="Standard")

    with pytest.raises(client.exceptions.StateMachineTypeNotSupported):
        client.start_sync_execution(stateMachineArn=machine.arn)


def test_activities_through_boto3(service, client):
    activity_arn = client.create_activity(name="Pack")["activityArn"]
    machine = service.create_state_machine(
        {"StartAt": "Pack", "States": {"Pack": {"Type": "Task", "Resource": activity_arn, "End": True}}},
        name="Packing",
    )
    arn = client.start_execution(stateMachineArn=machine.arn, input='{"box": 3}')["executionArn"]

    task = client.get_activity_task(activityArn=activity_arn, workerName="w")
    assert json.loads(task["input"]) == {"box": 3}
    client.send_task_success(taskToken=task["taskToken"], output='{"packed": true}')

    assert client.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    assert "taskToken" not in client.get_activity_task(activityArn=activity_arn)
    with pytest.raises(client.exceptions.ActivityDoesNotExist):
        client.get_activity_task(activityArn=activity_arn + "x")


def test_history_and_state_machines_through_boto3(service, client):
    machine = service.create_state_machine(PASS, name="Quick")
    arn = client.start_execution(stateMachineArn=machine.arn, input="{}")["executionArn"]

    events = client.get_execution_history(executionArn=arn)["events"]
    described = client.describe_state_machine(stateMachineArn=machine.arn)
    listed = client.list_state_machines()["stateMachines"]

    assert [event["type"] for event in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert isinstance(events[0]["timestamp"], datetime)
    assert json.loads(described["definition"]) == PASS
    assert [item["name"] for item in listed] == ["Quick"]


# section: what is not emulated


def test_an_operation_not_emulated_raises_unemulated_call(client):
    with pytest.raises(UnemulatedCall) as excinfo:
        client.create_state_machine(name="x", definition="{}", roleArn="arn:aws:iam::1:role/r")

    assert (excinfo.value.service, excinfo.value.operation) == ("stepfunctions", "CreateStateMachine")
    assert str(excinfo.value).startswith(
        "AWS call stepfunctions.CreateStateMachine: is not one of the stepfunctions operations emulated here."
    )


def test_another_service_raises_unemulated_call_naming_it(service):
    with service.aws() as scope:
        table = boto3.client("dynamodb")
        with pytest.raises(UnemulatedCall) as excinfo:
            table.get_item(TableName="t", Key={"id": {"S": "1"}})
    assert str(excinfo.value) == (
        "AWS call dynamodb.GetItem is not emulated here. No AWS call leaves the process: answer it with a "
        "mock (unittest.mock / botocore.stub.Stubber on that client), a handler of the template, or moto "
        "(with moto's mock_aws active, moto answers every call pytest_serverless does not emulate)"
    )
    assert scope.unemulated == [excinfo.value]


# section: activation


def test_nothing_stays_registered_after_the_block(service, refuse_send):
    handlers_before = list(botocore.handlers.BUILTIN_HANDLERS)
    environ_before = dict(os.environ)
    machine = service.create_state_machine(PASS, name="Quick")
    with service.aws():
        inside = boto3.client("stepfunctions")
        inside.start_execution(stateMachineArn=machine.arn)
        assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert handlers_before == botocore.handlers.BUILTIN_HANDLERS
    assert dict(os.environ) == environ_before

    refuse_send(inside)
    with pytest.raises((refuse_send.Sent, botocore.exceptions.NoCredentialsError)):
        inside.start_execution(stateMachineArn=machine.arn)


def test_a_client_made_before_the_block_is_not_answered(service, refuse_send):
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    before = refuse_send(session.client("stepfunctions"))
    machine = service.create_state_machine(PASS, name="Quick")

    with service.aws(), pytest.raises(refuse_send.Sent):
        before.start_execution(stateMachineArn=machine.arn)


def test_nested_blocks_answer_each_service_by_arn():
    outer, inner = StepFunctions(), StepFunctions()
    first = outer.create_state_machine(PASS, name="First")
    second = inner.create_state_machine(PASS, name="Second")
    with outer.aws(), inner.aws():
        client = boto3.client("stepfunctions", region_name="eu-west-1")
        client.start_execution(stateMachineArn=first.arn)
        client.start_execution(stateMachineArn=second.arn, name="s")
    assert [e.name for e in inner.list_executions(second.arn)] == ["s"]
    assert len(outer.list_executions(first.arn)) == 1


def test_a_region_already_set_is_kept(service, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    with service.aws():
        assert boto3.client("stepfunctions").meta.region_name == "eu-west-1"


def test_a_scope_entered_before_botocore_is_imported_answers_and_leaves_nothing(tmp_path):
    """Activation imports no botocore: the handlers are added when botocore is first imported inside the
    block, and are gone (with the import watcher) after it."""
    script = tmp_path / "late.py"
    script.write_text(
        "import sys\n"
        "from pytest_serverless import StepFunctions\n"
        "service = StepFunctions()\n"
        "machine = service.create_state_machine("
        "{'StartAt': 'P', 'States': {'P': {'Type': 'Pass', 'End': True}}}, name='Late')\n"
        "meta_path = set(map(id, sys.meta_path))\n"
        "with service.aws():\n"
        "    assert 'botocore' not in sys.modules\n"
        "    import boto3\n"
        "    client = boto3.client('stepfunctions')\n"
        "    arn = client.start_execution(stateMachineArn=machine.arn)['executionArn']\n"
        "    assert service.describe_execution(arn).status == 'SUCCEEDED'\n"
        "import botocore.handlers\n"
        "assert not [f for f in sys.meta_path if id(f) not in meta_path and 'pytest_serverless' in repr(f)]\n"
        "assert not [h for h in botocore.handlers.BUILTIN_HANDLERS if 'pytest_serverless' in repr(h)]\n"
        "assert botocore.handlers.__spec__.loader is botocore.handlers.__loader__\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
