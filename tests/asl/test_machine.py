"""StateMachine / Execution basics through the public API: construction, results, history, path."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pytest_serverless import Execution, InvalidDefinition, StateMachine, TaskCall, UsageError, VirtualClock

CHAIN = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.first", "Next": "Second"},
        "Second": {"Type": "Pass", "End": True},
    },
}

# section: construction


def test_definition_as_dict_json_text_and_file(tmp_path):
    path = tmp_path / "flow.asl.json"
    path.write_text(json.dumps(CHAIN))
    for definition in (CHAIN, json.dumps(CHAIN), path, str(path)):
        execution = StateMachine(definition).execute({"a": 1})
        assert execution.output == {"a": 1, "first": {"n": 1}}


def test_definition_substitutions():
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "${Greeting}", "End": True}}}
    machine = StateMachine(definition, substitutions={"Greeting": "hello"})
    assert machine.execute().output == "hello"


def test_invalid_definition_lists_problems_with_pointers():
    definition = {"StartAt": "Missing", "States": {"P": {"Type": "Pass", "Next": "Nowhere"}}}
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine(definition)
    pointers = [pointer for pointer, _ in raised.value.problems]
    assert "/States/P/Next" in pointers
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "FAST"}, "StateMachine(type=...) must be 'STANDARD' or 'EXPRESS' (got 'FAST')"),
        (
            {"name": "has space"},
            "StateMachine(name=...) must be 1-80 letters, digits, '-' or '_' (got 'has space')",
        ),
        ({"clock": 3}, "StateMachine(clock=...) takes a VirtualClock, not int"),
        ({"tasks": {"x": 1}}, "StateMachine(tasks=...): 'x' must map a string to a callable handler"),
    ],
)
def test_constructor_rejects_wrong_argument_types(kwargs, message):
    with pytest.raises(UsageError) as raised:
        StateMachine(CHAIN, **kwargs)
    assert str(raised.value) == message


def test_execute_rejects_wrong_argument_types():
    machine = StateMachine(CHAIN)
    with pytest.raises(UsageError, match=r"execute\(mocks=\.\.\.\) takes a mapping"):
        machine.execute({}, mocks=[1])
    with pytest.raises(UsageError, match=r"execute\(input=\.\.\.\) must be JSON-serializable"):
        machine.execute({"when": object()})
    with pytest.raises(TypeError):
        machine.execute({}, name="not valid!")


# section: results


def test_execution_attributes_on_success():
    execution = StateMachine(CHAIN, name="Orders").execute({"a": 1}, name="run-1")
    assert isinstance(execution, Execution)
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"a": 1, "first": {"n": 1}}
    assert execution.error is None
    assert execution.cause is None
    assert execution.path == ["First", "Second"]
    assert execution.duration == 0
    assert execution.task_calls == []
    assert execution.arn == "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1"


def test_execution_attributes_on_failure():
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}
    execution = StateMachine(definition).execute({})
    assert (execution.status, execution.error, execution.cause, execution.output) == (
        "FAILED",
        "Boom",
        "it broke",
        None,
    )


def test_fail_without_error_reports_none():
    execution = StateMachine({"StartAt": "F", "States": {"F": {"Type": "Fail"}}}).execute()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", None, None)


def test_execution_names_are_deterministic():
    first = [StateMachine(CHAIN).execute().name for _ in range(2)]
    machine = StateMachine(CHAIN)
    second = [machine.execute().name for _ in range(2)]
    assert first[0] == first[1] == second[0]
    assert second[0] != second[1]


def test_task_calls_are_recorded_in_order():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Next": "B"},
            "B": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"m.$": "$.x"},
                "End": True,
            },
        },
    }
    execution = StateMachine(definition).execute(
        {"x": 1}, mocks={"A": [{"Return": {"x": 2}}], "B": [{"Return": {}}]}
    )
    assert execution.task_calls == [
        TaskCall("A", "arn:aws:states:::sqs:sendMessage", {"x": 1}),
        TaskCall("B", "arn:aws:states:::sns:publish", {"m": 2}),
    ]


def test_on_execution_finished_callback_sees_each_execution():
    seen = []
    machine = StateMachine(CHAIN, on_execution_finished=seen.append)
    execution = machine.execute()
    assert seen == [execution]


# section: history


def test_history_events_are_shaped_as_get_execution_history():
    clock = VirtualClock(datetime(2024, 5, 1, tzinfo=UTC))
    history = StateMachine(CHAIN, clock=clock).execute({"a": 1}).history
    assert [event["type"] for event in history] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [event["id"] for event in history] == [1, 2, 3, 4, 5, 6]
    # the first state entered has previousEventId 0, as AWS records it
    assert [event["previousEventId"] for event in history] == [0, 0, 2, 3, 4, 5]
    assert history[0]["timestamp"] == datetime(2024, 5, 1, tzinfo=UTC)
    assert history[0]["executionStartedEventDetails"]["input"] == '{"a":1}'
    assert history[1]["stateEnteredEventDetails"] == {
        "name": "First",
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
    }
    assert history[2]["stateExitedEventDetails"] == {
        "name": "First",
        "output": '{"a":1,"first":{"n":1}}',
        "outputDetails": {"truncated": False},
    }
    assert history[5]["executionSucceededEventDetails"]["output"] == '{"a":1,"first":{"n":1}}'


def test_history_of_failed_execution_ends_with_execution_failed():
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
    history = StateMachine(definition).execute().history
    assert [event["type"] for event in history] == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert history[-1]["executionFailedEventDetails"] == {"error": "E", "cause": "C"}


def test_wait_timestamps_follow_the_virtual_clock():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 90, "End": True}}}
    clock = VirtualClock()
    start = clock.now()
    execution = StateMachine(definition, clock=clock).execute()
    types = [(event["type"], event["timestamp"] - start) for event in execution.history]
    assert types == [
        ("ExecutionStarted", timedelta(0)),
        ("WaitStateEntered", timedelta(0)),
        ("WaitStateExited", timedelta(seconds=90)),
        ("ExecutionSucceeded", timedelta(seconds=90)),
    ]
    assert execution.duration == 90
    assert clock.now() - start == timedelta(seconds=90)


# section: states


def test_succeed_state_applies_input_and_output_path():
    definition = {
        "StartAt": "S",
        "States": {"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}},
    }
    assert StateMachine(definition).execute({"a": {"b": 7}}).output == 7


def test_no_input_starts_with_an_empty_object_and_inputs_are_copied():
    machine = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    assert machine.execute().output == {}
    value = {"a": [1]}
    execution = machine.execute(value)
    execution.output["a"].append(2)
    assert value == {"a": [1]}


def test_start_and_stop_dates_are_virtual():
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}
    execution = StateMachine(definition).execute()
    assert execution.start_date == datetime(2024, 1, 1, tzinfo=UTC)
    assert execution.stop_date == datetime(2024, 1, 1, 0, 0, 5, tzinfo=UTC)


def test_express_machines_refuse_callback_sync_and_activity_tasks():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "End": True,
            }
        },
    }
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine(definition, type="EXPRESS")
    assert raised.value.problems == [
        (
            "/States/T/Resource",
            "EXPRESS state machines do not support the '.waitForTaskToken' integration pattern "
            "(resource 'arn:aws:states:::sqs:sendMessage.waitForTaskToken'); use type='STANDARD'",
        )
    ]
    assert StateMachine(definition).type == "STANDARD"
