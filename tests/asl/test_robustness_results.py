"""Audit: whatever tasks answer (any JSON, any error name, exceptions, time passing), ``execute`` returns an
Execution whose output, history and attributes are plain JSON-shaped data (issue 2, "Bad input")."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import StateMachine, TaskCall, TaskFailure

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=10,
)
ERROR_NAMES = st.sampled_from(
    [
        "States.ALL",
        "States.Runtime",
        "States.Timeout",
        "States.TaskFailed",
        "States.DataLimitExceeded",
        "States.HeartbeatTimeout",
        "States.BranchFailed",
        "Lambda.Unknown",
        "Custom.Error",
        "",
    ]
)


@st.composite
def answers(draw):
    """One task answer: a value, a TaskFailure, a Python exception, optionally after time passes."""
    kind = draw(st.sampled_from(["value", "failure", "exception", "slow"]))
    if kind == "value":
        return ("value", draw(JSON))
    if kind == "failure":
        return ("failure", draw(ERROR_NAMES), draw(st.none() | st.text(max_size=8)))
    if kind == "exception":
        return ("exception", draw(st.sampled_from([ValueError, KeyError, RuntimeError, RecursionError])))
    return ("slow", draw(st.integers(1, 400)), draw(JSON))


def _handler(script):
    calls = iter(script)

    def handler(event, context):
        step = next(calls, ("value", {"done": True}))
        if step[0] == "failure":
            raise TaskFailure(step[1], step[2])
        if step[0] == "exception":
            raise step[1]("boom")
        if step[0] == "slow":
            context.clock.advance(step[1])
            return step[2]
        return step[1]

    return handler


TASK = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work"}
DEFINITION = {
    "TimeoutSeconds": 3600,
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "MaxConcurrency": 2,
                            "ToleratedFailurePercentage": 50,
                            "ItemProcessor": {
                                "StartAt": "Work",
                                "States": {
                                    "Work": {
                                        **TASK,
                                        "TimeoutSeconds": 120,
                                        "Retry": [
                                            {"ErrorEquals": ["Custom.Error"], "MaxAttempts": 2},
                                            {
                                                "ErrorEquals": ["States.ALL"],
                                                "MaxAttempts": 1,
                                                "JitterStrategy": "FULL",
                                            },
                                        ],
                                        "End": True,
                                    }
                                },
                            },
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Invoke",
                    "States": {
                        "Invoke": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "work", "Payload.$": "$"},
                            "ResultSelector": {"body.$": "$.Payload"},
                            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Recovered"}],
                            "End": True,
                        },
                        "Recovered": {"Type": "Pass", "End": True},
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
            "Next": "Done",
        },
        "Caught": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"},
    },
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=st.lists(answers(), max_size=8), items=st.lists(JSON, max_size=4))
def test_any_task_answers_end_in_a_json_shaped_execution(script, items):
    machine = StateMachine(DEFINITION, tasks={"arn:aws:lambda:*": _handler(script)})
    execution = machine.execute({"items": items})
    assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
    json.dumps(execution.output, allow_nan=False)
    assert execution.error is None or isinstance(execution.error, str)
    assert execution.cause is None or isinstance(execution.cause, str)
    assert all(isinstance(call, TaskCall) for call in execution.task_calls)
    assert execution.path[0] == "Fan"
    for index, event in enumerate(execution.history):
        assert event["id"] == index + 1
        assert isinstance(event["timestamp"], datetime)
        details = [value for key, value in event.items() if key.endswith("EventDetails")]
        json.dumps(details, allow_nan=False)
    assert 0 <= execution.duration <= 3600
