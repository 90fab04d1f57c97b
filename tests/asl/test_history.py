"""History events (types, ids, previousEventId, virtual timestamps, details) for every state kind,
and task timeouts on the virtual clock (issue 2, "History" and "Task resources")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pytest_serverless import StateMachine

START = datetime(2024, 1, 1, tzinfo=UTC)
QUEUE_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
    "End": True,
}


def _events(execution) -> list[tuple[str, int, int, float]]:
    return [
        (event["type"], event["id"], event["previousEventId"], (event["timestamp"] - START).total_seconds())
        for event in execution.history
    ]


# section: callback tasks and their timeouts


def test_task_submitted_is_recorded_when_the_callback_is_sent_not_when_it_answers():
    execution = StateMachine({"StartAt": "T", "States": {"T": QUEUE_TASK}}).execute(
        {}, mocks={"T": [{"Return": {"done": True}, "Duration": 30}]}
    )
    assert _events(execution) == [
        ("ExecutionStarted", 1, 0, 0.0),
        ("TaskStateEntered", 2, 0, 0.0),  # the first state entered: previousEventId 0, as AWS records it
        ("TaskScheduled", 3, 2, 0.0),
        ("TaskStarted", 4, 3, 0.0),
        ("TaskSubmitted", 5, 4, 0.0),
        ("TaskSucceeded", 6, 5, 30.0),
        ("TaskStateExited", 7, 6, 30.0),
        ("ExecutionSucceeded", 8, 7, 30.0),
    ]


def test_heartbeat_seconds_path_times_the_task_out_on_virtual_time():
    state = {**QUEUE_TASK, "HeartbeatSecondsPath": "$.heartbeat", "TimeoutSeconds": 600}
    execution = StateMachine({"StartAt": "T", "States": {"T": state}}).execute(
        {"heartbeat": 5}, mocks={"T": [{"Return": 1, "Duration": 60}]}
    )
    assert (execution.status, execution.error, execution.duration) == ("FAILED", "States.Timeout", 5.0)
    assert _events(execution)[-3:] == [
        ("TaskSubmitted", 5, 4, 0.0),
        ("TaskTimedOut", 6, 5, 5.0),
        ("ExecutionFailed", 7, 6, 5.0),
    ]
    scheduled = execution.history[2]["taskScheduledEventDetails"]
    assert (scheduled["timeoutInSeconds"], scheduled["heartbeatInSeconds"]) == (600, 5)


def test_heartbeat_timeout_is_caught_by_states_heartbeat_timeout_and_states_timeout():
    for name in ("States.HeartbeatTimeout", "States.Timeout"):
        state = {**QUEUE_TASK, "HeartbeatSeconds": 2, "Catch": [{"ErrorEquals": [name], "Next": "Late"}]}
        del state["End"]
        state["Next"] = "Done"
        definition = {
            "StartAt": "T",
            "States": {"T": state, "Late": {"Type": "Pass", "End": True}, "Done": {"Type": "Succeed"}},
        }
        execution = StateMachine(definition).execute({}, mocks={"T": [{"Return": 1, "Duration": 3}]})
        assert execution.path == ["T", "Late"]
        assert execution.output == {"Error": "States.Timeout", "Cause": ""}


def test_a_token_task_within_its_timeout_succeeds_with_the_mocked_answer():
    state = {**QUEUE_TASK, "TimeoutSeconds": 10}
    execution = StateMachine({"StartAt": "T", "States": {"T": state}}).execute(
        {}, mocks={"T": [{"Return": {"ok": 1}, "Duration": 9}]}
    )
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", {"ok": 1}, 9.0)
    token = execution.task_calls[0].input["MessageBody"]["token"]
    assert isinstance(token, str)
    assert token


# section: every state kind in one history


def test_history_of_choice_wait_parallel_map_and_fail():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": 1, "Next": "W"}]},
            "W": {"Type": "Wait", "Seconds": 3, "Next": "P"},
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemsPath": "$[0].xs",
                "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                "Next": "F",
            },
            "F": {"Type": "Fail", "Error": "E", "Cause": "C"},
        },
    }
    execution = StateMachine(definition).execute({"a": 1, "xs": [7]})
    assert (execution.status, execution.error, execution.cause, execution.duration) == (
        "FAILED",
        "E",
        "C",
        3.0,
    )
    assert execution.path == ["C", "W", "P", "B", "M", "I", "F"]
    assert [event[0] for event in _events(execution)] == [
        "ExecutionStarted",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "WaitStateEntered",
        "WaitStateExited",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateEntered",
        "PassStateExited",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    events = execution.history
    assert all(event["id"] == index + 1 for index, event in enumerate(events))
    # a chain, except the first state entered: previousEventId 0, as AWS records it
    assert [event["previousEventId"] for event in events] == [0, 0, *range(2, len(events))]
    assert events[4]["timestamp"] == START + timedelta(seconds=3)
    assert events[4]["stateExitedEventDetails"] == {
        "name": "W",
        "output": '{"a":1,"xs":[7]}',
        "outputDetails": {"truncated": False},
    }
    assert events[12]["mapStateStartedEventDetails"] == {"length": 1}
    assert events[13]["mapIterationStartedEventDetails"] == {"name": "M", "index": 0}
    assert events[14]["stateEnteredEventDetails"] == {
        "name": "I",
        "input": "7",
        "inputDetails": {"truncated": False},
    }
    assert events[-1]["executionFailedEventDetails"] == {"error": "E", "cause": "C"}


@pytest.mark.parametrize(("machine_type", "limit"), [("EXPRESS", 300.0), ("STANDARD", 31_536_000.0)])
def test_machine_type_limits_end_timed_out_with_execution_timed_out(machine_type, limit):
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99_999_999, "End": True}}}
    execution = StateMachine(definition, type=machine_type).execute({})
    assert (execution.status, execution.error, execution.duration) == ("TIMED_OUT", "States.Timeout", limit)
    assert execution.history[-1]["type"] == "ExecutionTimedOut"
    assert execution.history[-1]["timestamp"] == START + timedelta(seconds=limit)
