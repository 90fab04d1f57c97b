"""Errors as AWS names and matches them; Retry timing (AWS formula, seedable jitter); Catch; timeouts."""

from __future__ import annotations

import pytest

from pytest_serverless import StateMachine, VirtualClock
from tests.helpers import throws

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _task(retry=None, catch=None, **extra) -> dict:
    state = {"Type": "Task", "Resource": FUNCTION, "End": True, **extra}
    if retry is not None:
        state["Retry"] = retry
    if catch is not None:
        state["Catch"] = catch
    states = {"T": state}
    for catcher in catch or ():
        states[catcher["Next"]] = {"Type": "Pass", "End": True}
    return {"StartAt": "T", "States": states}


def _times(execution, event_type: str) -> list[float]:
    start = execution.history[0]["timestamp"]
    return [
        (event["timestamp"] - start).total_seconds()
        for event in execution.history
        if event["type"] == event_type
    ]


# section: Retry


def test_retry_delays_follow_interval_backoff_and_max_delay():
    retry = [
        {
            "ErrorEquals": ["E"],
            "IntervalSeconds": 2,
            "BackoffRate": 3,
            "MaxAttempts": 3,
            "MaxDelaySeconds": 10,
        }
    ]
    execution = StateMachine(_task(retry)).execute({}, mocks={"T": [*throws("E", times=3), {"Return": 1}]})
    assert execution.output == 1
    assert _times(execution, "LambdaFunctionScheduled") == [0, 2, 8, 18]


def test_retry_defaults_are_one_second_three_attempts_backoff_two():
    execution = StateMachine(_task([{"ErrorEquals": ["States.ALL"]}])).execute({}, mocks={"T": throws("E")})
    assert execution.status == "FAILED"
    assert _times(execution, "LambdaFunctionScheduled") == [0, 1, 3, 7]


def test_max_attempts_zero_never_retries():
    execution = StateMachine(_task([{"ErrorEquals": ["E"], "MaxAttempts": 0}])).execute(
        {}, mocks={"T": throws("E")}
    )
    assert len(execution.task_calls) == 1


def test_full_jitter_is_seedable_and_within_the_delay():
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 10, "MaxAttempts": 2, "JitterStrategy": "FULL"}]
    durations = {
        StateMachine(_task(retry), seed=seed).execute({}, mocks={"T": throws("E")}).duration
        for seed in (1, 1)
    }
    assert len(durations) == 1
    assert 0 <= durations.pop() <= 30
    other = StateMachine(_task(retry), seed=2).execute({}, mocks={"T": throws("E")}).duration
    assert 0 <= other <= 30


def test_retry_counters_are_per_retrier_and_first_match_wins():
    retry = [{"ErrorEquals": ["A"], "MaxAttempts": 1, "IntervalSeconds": 1}, {"ErrorEquals": ["States.ALL"]}]
    mocks = {"T": [*throws("A"), *throws("A"), {"Return": 1}]}
    execution = StateMachine(_task(retry)).execute({}, mocks=mocks)
    assert execution.status == "FAILED"
    assert execution.error == "A"
    assert len(execution.task_calls) == 2


def test_retry_count_is_in_the_context_object():
    definition = _task([{"ErrorEquals": ["E"]}], Parameters={"n.$": "$$.State.RetryCount"})
    execution = StateMachine(definition).execute({}, mocks={"T": [*throws("E", times=2), {"Return": 1}]})
    assert [call.input for call in execution.task_calls] == [{"n": 0}, {"n": 1}, {"n": 2}]


# section: Catch


def test_catch_first_matching_catcher_wins_and_result_path_default_replaces():
    catch = [{"ErrorEquals": ["Nope"], "Next": "Other"}, {"ErrorEquals": ["States.ALL"], "Next": "Handled"}]
    execution = StateMachine(_task(catch=catch)).execute({"a": 1}, mocks={"T": throws("Boom", "why")})
    assert execution.path == ["T", "Handled"]
    assert execution.output == {"Error": "Boom", "Cause": "why"}


def test_catch_result_path_keeps_the_input():
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Handled", "ResultPath": "$.error"}]
    execution = StateMachine(_task(catch=catch)).execute({"a": 1}, mocks={"T": throws("Boom", "why")})
    assert execution.output == {"a": 1, "error": {"Error": "Boom", "Cause": "why"}}
    assert [event["type"] for event in execution.history][-5:] == [
        "LambdaFunctionFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_retry_runs_before_catch():
    definition = _task(
        [{"ErrorEquals": ["E"], "MaxAttempts": 1}], [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]
    )
    execution = StateMachine(definition).execute({}, mocks={"T": throws("E", times=2)})
    assert len(execution.task_calls) == 2
    assert execution.path == ["T", "Handled"]


def test_states_runtime_is_never_caught():
    catch = [
        {"ErrorEquals": ["States.Runtime"], "Next": "Handled"},
        {"ErrorEquals": ["States.ALL"], "Next": "Other"},
    ]
    definition = _task(catch=catch, OutputPath="$.no.such.path")
    execution = StateMachine(definition).execute({}, mocks={"T": [{"Return": {}}]})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'T' (entered at the event id #2). "
        "Invalid path '$.no.such.path' : Missing property in path $['no']"
    )


def test_parallel_branch_error_propagates_with_its_own_name():
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": True}}},
                    {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "Broke", "Cause": "x"}}},
                ],
                "Catch": [{"ErrorEquals": ["Broke"], "Next": "Handled"}],
                "End": True,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
    }
    execution = StateMachine(definition).execute({})
    assert execution.output == {"Error": "Broke", "Cause": "x"}
    assert "ParallelStateFailed" in [event["type"] for event in execution.history]


# section: timeouts


def test_task_timeout_when_the_call_takes_too_long():
    definition = _task(TimeoutSeconds=5)
    execution = StateMachine(definition).execute({}, mocks={"T": [{"Return": 1, "Duration": 9}]})
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert execution.duration == 5
    assert [event["type"] for event in execution.history][-2] == "LambdaFunctionTimedOut"


def test_task_timeout_from_a_handler_advancing_the_clock():
    def slow(event, context):
        context.clock.advance(20)
        return "late"

    definition = _task(catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Handled"}], TimeoutSeconds=10)
    execution = StateMachine(definition, tasks={"T": slow}).execute({})
    assert execution.path == ["T", "Handled"]
    assert execution.output["Error"] == "States.Timeout"


def test_timeout_seconds_path_and_heartbeat():
    definition = _task(TimeoutSecondsPath="$.timeout", HeartbeatSeconds=3)
    machine = StateMachine(definition)
    assert machine.execute({"timeout": 10}, mocks={"T": [{"Return": 1, "Duration": 2}]}).status == "SUCCEEDED"
    late = machine.execute({"timeout": 10}, mocks={"T": [{"Return": 1, "Duration": 4}]})
    assert (late.error, late.duration) == ("States.Timeout", 3)
    caught = StateMachine(
        _task(
            catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Handled"}],
            HeartbeatSeconds=3,
            TimeoutSeconds=10,
        )
    )
    assert caught.execute({}, mocks={"T": [{"Return": 1, "Duration": 4}]}).path == ["T", "Handled"]


def test_missing_timeout_seconds_path_is_a_runtime_error():
    execution = StateMachine(_task(TimeoutSecondsPath="$.nope")).execute({}, mocks={"T": [{"Return": 1}]})
    assert execution.error == "States.Runtime"
    assert execution.cause.endswith("Invalid path '$.nope' : No results for path: $['nope']")


def test_machine_timeout_seconds_ends_timed_out():
    definition = {
        "StartAt": "W",
        "TimeoutSeconds": 30,
        "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    clock = VirtualClock()
    execution = StateMachine(definition, clock=clock).execute({})
    assert (execution.status, execution.error, execution.output) == ("TIMED_OUT", "States.Timeout", None)
    assert execution.duration == 30
    assert [event["type"] for event in execution.history] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "ExecutionTimedOut",
    ]


def test_express_machines_stop_after_five_minutes_standard_after_a_year():
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 301, "End": True}}}
    assert StateMachine(wait, type="EXPRESS").execute().status == "TIMED_OUT"
    assert StateMachine(wait).execute().status == "SUCCEEDED"
    year = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31_536_000, "End": True}}}
    assert StateMachine(year).execute().status == "SUCCEEDED"
    more = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31_536_001, "End": True}}}
    assert StateMachine(more).execute().status == "TIMED_OUT"


# section: Retry with MaxDelaySeconds and FULL jitter over many attempts stays on the virtual clock
# (issue 2, "Retry with IntervalSeconds, MaxAttempts (0 included), BackoffRate, MaxDelaySeconds and
# JitterStrategy").


def _machine(**retrier) -> dict:
    return {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {},
                "Retry": [{"ErrorEquals": ["E"], **retrier}],
                "End": True,
            }
        },
    }


ALWAYS_FAILS = {"T": [{"Throw": {"Error": "E", "Cause": "again"}}]}


def test_backoff_beyond_float_range_is_capped_by_max_delay_seconds():
    definition = _machine(IntervalSeconds=1, BackoffRate=10, MaxAttempts=400, MaxDelaySeconds=2)
    execution = StateMachine(definition).execute({}, mocks=ALWAYS_FAILS)
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "E", "again")
    # 1 + 2 * 399 seconds: the delay reaches MaxDelaySeconds on the second retry and stays there
    assert execution.duration == 799.0
    assert len(execution.task_calls) == 401


def test_backoff_beyond_float_range_with_full_jitter_stays_within_max_delay():
    definition = _machine(
        IntervalSeconds=1, BackoffRate=10, MaxAttempts=400, MaxDelaySeconds=2, JitterStrategy="FULL"
    )
    execution = StateMachine(definition).execute({}, mocks=ALWAYS_FAILS)
    assert (execution.status, execution.error) == ("FAILED", "E")
    assert 0 < execution.duration <= 800.0


@pytest.mark.parametrize("jitter", ["NONE", "FULL"])
def test_backoff_beyond_float_range_without_max_delay_reaches_the_execution_limit(jitter):
    definition = _machine(IntervalSeconds=1, BackoffRate=10, MaxAttempts=400, JitterStrategy=jitter)
    definition["TimeoutSeconds"] = 3600
    execution = StateMachine(definition).execute({}, mocks=ALWAYS_FAILS)
    assert (execution.status, execution.error, execution.duration) == ("TIMED_OUT", "States.Timeout", 3600.0)


def test_full_jitter_is_reproducible_per_seed_and_differs_between_seeds():
    definition = _machine(
        IntervalSeconds=10, BackoffRate=3, MaxAttempts=4, MaxDelaySeconds=40, JitterStrategy="FULL"
    )
    mocks = {"T": [{"Throw": {"Error": "E"}}] * 4 + [{"Return": {"MessageId": "m-1"}}]}
    first = StateMachine(definition, seed=7).execute({}, mocks=mocks).duration
    again = StateMachine(definition, seed=7).execute({}, mocks=mocks).duration
    other = StateMachine(definition, seed=8).execute({}, mocks=mocks).duration
    assert first == again
    assert first != other
    assert 0 < first <= 10 + 30 + 40 + 40
    plain = dict(definition)
    plain["States"] = {
        "T": {**definition["States"]["T"], "Retry": [{**definition["States"]["T"]["Retry"][0]}]}
    }
    plain["States"]["T"]["Retry"][0]["JitterStrategy"] = "NONE"
    assert StateMachine(plain).execute({}, mocks=mocks).duration == 120.0
