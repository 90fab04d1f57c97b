"""Audit: Retry with MaxDelaySeconds and FULL jitter over many attempts stays on the virtual clock (issue 2,
"Retry with IntervalSeconds, MaxAttempts (0 included), BackoffRate, MaxDelaySeconds and JitterStrategy")."""

from __future__ import annotations

import pytest

from pytest_serverless import StateMachine


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
