"""Task resources: Lambda ARNs, lambda:invoke, service integrations, .sync, .waitForTaskToken, nesting,
mocks in every accepted shape, handlers called as Lambda calls them, UnmockedTask."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import StateMachine, TaskFailure, UnmockedTask, UsageError, VirtualClock
from tests.helpers import FUNCTION, event_types, task_machine

# section: plain Lambda ARNs


def test_lambda_arn_handler_gets_event_and_context():
    seen = {}

    def handler(event, context):
        seen.update(event=event, name=context.function_name, remaining=context.get_remaining_time_in_millis())
        seen["request_id"] = context.aws_request_id
        return {"charged": event["amount"]}

    execution = StateMachine(task_machine(FUNCTION, TimeoutSeconds=30), tasks={FUNCTION: handler}).execute(
        {"amount": 5}
    )
    assert execution.output == {"charged": 5}
    assert seen["event"] == {"amount": 5}
    assert seen["name"] == "charge"
    assert seen["remaining"] == 30_000
    assert event_types(execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = execution.history[2]["lambdaFunctionScheduledEventDetails"]
    assert scheduled == {
        "resource": FUNCTION,
        "timeoutInSeconds": 30,
        "input": '{"amount":5}',
        "inputDetails": {"truncated": False},
    }


def test_handler_exception_fails_the_task_as_lambda_reports_it():
    def handler(event, context):
        raise ValueError("card declined")

    execution = StateMachine(task_machine(FUNCTION), tasks={"T": handler}).execute({})
    assert execution.status == "FAILED"
    assert execution.error == "ValueError"
    cause = json.loads(execution.cause)
    assert cause["errorMessage"] == "card declined"
    assert cause["errorType"] == "ValueError"
    assert all("pytest_serverless" not in line for line in cause["stackTrace"])
    assert event_types(execution)[-2] == "LambdaFunctionFailed"


def test_task_failure_from_a_handler_sets_error_and_cause():
    def handler(event, context):
        raise TaskFailure("Payment.Declined", "card expired")

    execution = StateMachine(task_machine(FUNCTION), tasks={FUNCTION: handler}).execute({})
    assert (execution.error, execution.cause) == ("Payment.Declined", "card expired")


# section: lambda:invoke


def test_lambda_invoke_wraps_the_handler_result():
    definition = task_machine(
        "arn:aws:states:::lambda:invoke", Parameters={"FunctionName": FUNCTION, "Payload.$": "$"}
    )
    execution = StateMachine(definition, tasks={FUNCTION: lambda event, context: {"echo": event}}).execute(
        {"a": 1}
    )
    assert execution.output["Payload"] == {"echo": {"a": 1}}
    assert execution.output["StatusCode"] == 200
    assert execution.output["ExecutedVersion"] == "$LATEST"
    assert execution.output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert event_types(execution)[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]
    scheduled = execution.history[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda"
    assert scheduled["resource"] == "invoke"
    assert json.loads(scheduled["parameters"]) == {"FunctionName": FUNCTION, "Payload": {"a": 1}}


def test_lambda_invoke_handler_found_by_function_name():
    definition = task_machine(
        "arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "charge", "Payload": {}}
    )
    execution = StateMachine(definition, tasks={"charge": lambda event, context: 1}).execute({})
    assert execution.output["Payload"] == 1


def test_lambda_invoke_mock_returns_the_recorded_service_response():
    definition = task_machine("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f"})
    mock = [{"Return": {"StatusCode": 200, "Payload": {"ok": True}}}]
    assert StateMachine(definition).execute({}, mocks={"T": mock}).output == {
        "StatusCode": 200,
        "Payload": {"ok": True},
    }


# section: other integrations and patterns


def test_service_integration_handler_by_arn_pattern():
    definition = task_machine("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": "t"})
    machine = StateMachine(
        definition, tasks={"arn:aws:states:::dynamodb:*": lambda params, context: {"ok": params}}
    )
    assert machine.execute({}).output == {"ok": {"TableName": "t"}}


def test_aws_sdk_integration_event_details():
    definition = task_machine("arn:aws:states:::aws-sdk:s3:listBuckets")
    execution = StateMachine(definition).execute({}, mocks={"T": [{"Return": {"Buckets": []}}]})
    details = execution.history[2]["taskScheduledEventDetails"]
    assert (details["resourceType"], details["resource"]) == ("aws-sdk:s3", "listBuckets")


def test_wait_for_task_token_puts_the_token_in_the_context_object():
    definition = task_machine(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters={"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
    )
    tokens = []

    def worker(params, context):
        tokens.append(params["MessageBody"]["token"])
        return {"approved": True}

    execution = StateMachine(definition, tasks={"T": worker}).execute({})
    assert execution.output == {"approved": True}
    assert len(tokens) == 1
    assert len(tokens[0]) > 10
    assert event_types(execution)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_nested_start_execution_sync_runs_a_registered_machine():
    child = StateMachine(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$.x"}, "End": True}}},
        name="Child",
    )
    definition = task_machine(
        "arn:aws:states:::states:startExecution.sync:2",
        Parameters={"StateMachineArn": child.arn, "Input": {"x": 1}},
        OutputPath="$.Output",
    )
    execution = StateMachine(definition, state_machines=[child]).execute({})
    assert execution.output == {"got": 1}


def test_nested_start_execution_sync_failure_is_task_failed():
    child = StateMachine(
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}, name="Kid"
    )
    definition = task_machine(
        "arn:aws:states:::states:startExecution.sync",
        Parameters={"StateMachineArn": child.arn, "Input": "{}"},
    )
    execution = StateMachine(definition, state_machines={"Kid": child}).execute({})
    assert execution.error == "States.TaskFailed"
    assert json.loads(execution.cause)["Error"] == "E"


def test_nested_start_execution_without_sync_returns_the_arn():
    child = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, name="Async")
    definition = task_machine(
        "arn:aws:states:::states:startExecution", Parameters={"StateMachineArn": child.arn}
    )
    execution = StateMachine(definition, state_machines=[child]).execute({})
    assert execution.output["ExecutionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:execution:Async:"
    )


# section: mocks


def test_mock_list_dict_ranges_and_last_response_repeats():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Retry": [{"ErrorEquals": ["Throttled"], "IntervalSeconds": 1, "MaxAttempts": 5}],
                "End": True,
            }
        },
    }
    mock = {"0-1": {"Throw": {"Error": "Throttled", "Cause": "slow down"}}, "2": {"Return": {"ok": 1}}}
    execution = StateMachine(definition).execute({}, mocks={"T": mock})
    assert execution.output == {"ok": 1}
    assert len(execution.task_calls) == 3
    assert execution.duration == 3  # 1 + 2 seconds of backoff


def test_mock_keyed_by_resource_and_precedence_over_handlers():
    machine = StateMachine(task_machine(FUNCTION), tasks={FUNCTION: lambda event, context: "handler"})
    assert machine.execute({}, mocks={FUNCTION: [{"Return": "mock"}]}).output == "mock"
    assert machine.execute({}).output == "handler"


def test_callable_mock_and_task_failure():
    def mock(value):
        if value.get("fail"):
            raise TaskFailure("Nope", "asked to fail")
        return {"seen": value}

    machine = StateMachine(task_machine(FUNCTION))
    assert machine.execute({"a": 1}, mocks={"T": mock}).output == {"seen": {"a": 1}}
    failed = machine.execute({"fail": True}, mocks={"T": mock})
    assert (failed.error, failed.cause) == ("Nope", "asked to fail")


def test_mock_duration_moves_the_virtual_clock():
    clock = VirtualClock()
    execution = StateMachine(task_machine(FUNCTION), clock=clock).execute(
        {}, mocks={"T": [{"Return": 1, "Duration": 42}]}
    )
    assert execution.duration == 42
    assert clock.time() - 1704067200 == 42


@pytest.mark.parametrize(
    ("mock", "message"),
    [
        ([], "mock 'T' has no responses"),
        ([{"Nope": 1}], "mock 'T' response 0: expected {'Return': value} or"),
        ({"1": {"Return": 1}}, "mock 'T': invocation keys must be consecutive from '0' (missing 0)"),
        ({"x": {"Return": 1}}, "mock 'T': key 'x' is not an invocation number like '0' or '1-2'"),
        (5, "mock 'T': expected a list of"),
    ],
)
def test_bad_mocks_are_usage_errors(mock, message):
    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine(FUNCTION)).execute({}, mocks={"T": mock})
    assert str(raised.value).startswith(message)


# section: unmocked tasks


def test_unmocked_task_raises_naming_state_resource_and_mocks():
    other = "arn:aws:lambda:us-east-1:123456789012:function:other"
    machine = StateMachine(task_machine(FUNCTION), tasks={other: lambda event, context: 1})
    with pytest.raises(UnmockedTask) as raised:
        machine.execute({})
    error = raised.value
    assert (error.state_name, error.resource, error.available) == ("T", FUNCTION, [other])
    assert str(error) == (
        f"Task state 'T' (resource '{FUNCTION}') has no mock and no handler. "
        f"Mocks and handlers given: '{other}'. "
        f"Pass mocks={{'T': [...]}} to execute(), tasks={{'{FUNCTION}': handler}} to StateMachine(), "
        "or use @pytest.mark.mock_task('T', ...)."
    )


# section: integration hooks


def test_machine_level_default_mocks_and_execute_mocks_win():
    machine = StateMachine(task_machine(FUNCTION), mocks={"T": [{"Return": "default"}]})
    assert machine.execute({}).output == "default"
    assert machine.execute({}, mocks={"T": [{"Return": "explicit"}]}).output == "explicit"


def test_add_task_handler_by_pattern():
    machine = StateMachine(task_machine("arn:aws:states:::events:putEvents"))
    machine.add_task_handler("arn:aws:states:::events:*", lambda params, context: {"FailedEntryCount": 0})
    assert machine.execute({}).output == {"FailedEntryCount": 0}
    with pytest.raises(UsageError):
        machine.add_task_handler("x", "not callable")


def test_mock_calls_count_each_mock_including_unused_ones():
    execution = StateMachine(task_machine(FUNCTION)).execute(
        {}, mocks={"T": [{"Return": 1}], FUNCTION: [{"Return": 2}]}
    )
    assert execution.mock_calls == {"T": 1, FUNCTION: 0}


# section: strict mocks (a key that matches nothing is a typo)


def test_a_mock_key_naming_nothing_raises_with_did_you_mean():
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {"Type": "Task", "Resource": FUNCTION, "Next": "Ship"},
            "Ship": {"Type": "Task", "Resource": FUNCTION, "End": True},
        },
    }
    with pytest.raises(UsageError) as raised:
        StateMachine(definition, name="Orders").execute({}, mocks={"Chrage": [{"Return": 1}]})
    assert str(raised.value) == (
        "execute(mocks=...): 'Chrage' names no Task state and no resource of state machine 'Orders'; "
        "did you mean 'Charge'? (Task states: 'Charge', 'Ship')"
    )


def test_mock_keys_may_name_states_resources_functions_and_nested_states():
    invoke = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "charge", "Payload": {}},
        "End": True,
    }
    machine = StateMachine(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "Pay", "States": {"Pay": invoke}}],
                    "End": True,
                }
            },
        }
    )
    for key in (
        "Pay",
        "charge",
        "arn:aws:lambda:us-east-1:123456789012:function:charge",
        "arn:aws:states:::lambda:invoke",
    ):
        assert machine.execute({}, mocks={key: [{"Return": {"ok": 1}}]}).status == "SUCCEEDED"


def test_a_computed_function_name_lets_function_keys_through():
    invoke = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName.$": "$.fn", "Payload": {}},
        "End": True,
    }
    machine = StateMachine({"StartAt": "Pay", "States": {"Pay": invoke}})
    assert (
        machine.execute({"fn": "charge"}, mocks={"charge": [{"Return": {"Payload": 1}}]}).status
        == "SUCCEEDED"
    )
    with pytest.raises(UsageError, match="'arn:aws:states:::sqs:sendMessage' names no Task state"):
        machine.execute({"fn": "charge"}, mocks={"arn:aws:states:::sqs:sendMessage": [{"Return": 1}]})


def test_handlers_get_copies_so_definitions_stay_pristine():
    definition = task_machine(FUNCTION, Parameters={"constant": {"n": 1}})

    def mutating(event, context):
        event["constant"]["n"] = 99
        return event

    machine = StateMachine(definition, tasks={"T": mutating})
    assert machine.execute({}).output == {"constant": {"n": 99}}
    assert machine.definition["States"]["T"]["Parameters"] == {"constant": {"n": 1}}
    assert machine.execute({}).task_calls[0].input == {"constant": {"n": 1}}


def test_callable_mock_exception_is_reported_like_a_lambda_error():
    def broken(value):
        raise KeyError("missing")

    execution = StateMachine(task_machine(FUNCTION)).execute({}, mocks={"T": broken})
    assert execution.error == "KeyError"
    assert json.loads(execution.cause)["errorMessage"] == "'missing'"
