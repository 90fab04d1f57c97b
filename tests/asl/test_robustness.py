"""``execute`` never raises anything but InvalidDefinition or UnmockedTask: runtime problems end FAILED."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import InvalidDefinition, StateMachine, TaskCall, TaskFailure, UnmockedTask

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-3, 3, allow_nan=False) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
    ),
    max_leaves=8,
)
PATHS = st.sampled_from(
    [
        "$",
        "$.a",
        "$.b",
        "$.a.b",
        "$.a[0]",
        "$.c[*]",
        "$..a",
        "$$.Execution.Input",
        "$$.State.Name",
        "$x",
        "$.missing",
    ]
)
INTRINSICS = st.sampled_from(
    [
        "States.Format('{} and {}', $.a, $.b)",
        "States.StringToJson($.a)",
        "States.JsonToString($)",
        "States.Array($.a, 1)",
        "States.ArrayLength($.a)",
        "States.MathAdd($.a, 1)",
        "States.ArrayGetItem($.a, 5)",
        "States.Hash($.a, 'SHA-1')",
        "States.Base64Decode($.a)",
        "States.JsonMerge($.a, $.b, false)",
    ]
)
JSONATA = st.sampled_from(
    [
        "{% $states.input %}",
        "{% $states.input.a %}",
        "{% $states.input.a + 1 %}",
        "{% $x %}",
        "{% $count($states.input) %}",
        "{% $states.context.State.Name %}",
        "{% $error('boom') %}",
        "{% [1, 2, 3] %}",
        "{% 5 %}",
        "{% $states.result %}",
    ]
)
VALUES = JSON | PATHS | INTRINSICS | JSONATA


def _template() -> st.SearchStrategy[dict]:
    return st.dictionaries(
        st.sampled_from(["a", "b.$", "c.$", "d"]),
        VALUES,
        max_size=3,
    )


RESOURCES = st.sampled_from(
    [
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::aws-sdk:dynamodb:getItem",
        "arn:aws:states:::states:startExecution.sync",
    ]
)


_JSONPATH_FIELDS = {
    "Pass": ("InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"),
    "Task": ("InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Assign"),
    "Map": ("InputPath", "OutputPath", "ResultPath", "ItemSelector", "ResultSelector", "Assign"),
    "Parallel": ("InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Assign"),
    "Choice": ("InputPath", "OutputPath"),
    "Wait": ("InputPath", "OutputPath", "Assign"),
    "Succeed": ("InputPath", "OutputPath"),
    "Fail": (),
}
_JSONATA_FIELDS = {
    "Pass": ("Output", "Assign"),
    "Task": ("Arguments", "Output", "Assign"),
    "Map": ("Items", "ItemSelector", "Output", "Assign"),
    "Parallel": ("Arguments", "Output", "Assign"),
    "Choice": ("Output", "Assign"),
    "Wait": ("Output", "Assign"),
    "Succeed": ("Output",),
    "Fail": (),
}


def _field_value(draw, field: str, jsonata: bool):
    if field in ("InputPath", "OutputPath", "ResultPath"):
        return draw(PATHS | st.none())
    if field == "Result":
        return draw(JSON)
    if field == "Assign":
        if jsonata:
            return draw(st.dictionaries(st.sampled_from(["x", "y"]), JSON | JSONATA, max_size=2))
        return draw(st.dictionaries(st.sampled_from(["x", "y.$"]), VALUES, max_size=2))
    if jsonata:
        return draw(JSON | JSONATA | st.dictionaries(st.sampled_from(["a", "b"]), JSON | JSONATA, max_size=2))
    return draw(_template())


@st.composite
def definitions(draw):
    count = draw(st.integers(1, 4))
    names = [f"S{i}" for i in range(count)]
    states = {}
    jsonata_machine = draw(st.booleans())
    table = _JSONATA_FIELDS if jsonata_machine else _JSONPATH_FIELDS
    for index, name in enumerate(names):
        last = index == count - 1
        kinds = ["Pass", "Task", "Wait", "Map", "Parallel", "Choice"] + (["Succeed", "Fail"] if last else [])
        kind = draw(st.sampled_from(kinds))
        state: dict = {"Type": kind}
        if kind not in ("Choice", "Succeed", "Fail"):
            if last:
                state["End"] = True
            else:
                state["Next"] = names[index + 1]
        for field in table[kind]:
            if draw(st.integers(0, 3)) == 0:
                state[field] = _field_value(draw, field, jsonata_machine)
        if kind == "Task":
            state["Resource"] = draw(RESOURCES)
            if draw(st.booleans()):
                state["Retry"] = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": draw(st.integers(0, 2))}]
            if draw(st.booleans()):
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": draw(st.sampled_from(names))}]
            if draw(st.booleans()):
                state["TimeoutSeconds"] = draw(st.integers(1, 10) | JSONATA) if jsonata_machine else 5
        elif kind == "Choice":
            after = names[index + 1] if not last else None
            target = after or names[0]
            if jsonata_machine:
                state["Choices"] = [{"Condition": draw(JSONATA), "Next": target}]
            else:
                state["Choices"] = [{"Variable": draw(PATHS), "NumericEquals": 1, "Next": target}]
            if after is None or draw(st.booleans()):
                state["Default"] = "Done"
                states["Done"] = {"Type": "Succeed"}
        elif kind == "Wait":
            field = draw(st.sampled_from(["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]))
            if jsonata_machine and field.endswith("Path"):
                field = field[: -len("Path")]
            state[field] = draw(
                {
                    "Seconds": st.integers(0, 100) | (JSONATA if jsonata_machine else st.just(1)),
                    "SecondsPath": PATHS,
                    "Timestamp": st.sampled_from(
                        ["2024-01-01T00:00:10Z", "2016-13-01T00:00:00Z"]
                        + (["{% '2030-01-01T00:00:00Z' %}", "{% 3 %}"] if jsonata_machine else [])
                    ),
                    "TimestampPath": PATHS,
                }[field]
            )
        elif kind == "Fail":
            if draw(st.booleans()):
                state["Error"] = draw(
                    st.text("abc", max_size=3) | (JSONATA if jsonata_machine else st.just("E"))
                )
            if not jsonata_machine and draw(st.booleans()):
                state["CausePath"] = draw(PATHS | INTRINSICS)
        elif kind in ("Map", "Parallel"):
            inner_kind = draw(st.sampled_from(["Pass", "Fail", "Task"]))
            inner_state: dict = {"Type": inner_kind}
            if inner_kind == "Pass":
                inner_state["End"] = True
            elif inner_kind == "Task":
                inner_state.update({"Resource": draw(RESOURCES), "End": True})
            inner = {"StartAt": f"I{index}", "States": {f"I{index}": inner_state}}
            if kind == "Map":
                state["ItemProcessor"] = inner
                if not jsonata_machine and draw(st.booleans()):
                    state["ItemsPath"] = draw(PATHS)
                if draw(st.booleans()):
                    state["MaxConcurrency"] = draw(st.integers(0, 3))
                if draw(st.booleans()):
                    state["ToleratedFailurePercentage"] = draw(st.integers(0, 100))
            else:
                state["Branches"] = [inner]
        states[name] = state
    definition = {"StartAt": names[0], "States": states}
    if jsonata_machine:
        definition["QueryLanguage"] = "JSONata"
    return definition


MOCK = st.lists(
    st.one_of(
        st.builds(lambda value: {"Return": value}, JSON),
        st.builds(lambda e: {"Throw": {"Error": e, "Cause": "c"}}, st.sampled_from(["E", "States.Timeout"])),
    ),
    min_size=1,
    max_size=3,
)


def _mocks_for(machine, mock):
    """The mock for every Task of the machine (strict mocks refuse keys that name no Task)."""
    from pytest_serverless.asl._strict_mocks import mock_targets

    names = ("S0", "S1", "S2", "S3", "I0", "I1", "I2", "I3")
    return dict.fromkeys((name for name in names if name in mock_targets(machine.definition).states), mock)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=definitions(), value=JSON, mock=MOCK)
def test_execute_never_raises_unexpected_exceptions(definition, value, mock):
    try:
        # random mocks: this checks the engine, not the service models
        machine = StateMachine(definition, mock_validation="NONE")
    except InvalidDefinition:
        return
    mocks = _mocks_for(machine, mock)
    try:
        execution = machine.execute(value, mocks=mocks)
    except UnmockedTask:
        return
    assert execution.status in ("SUCCEEDED", "FAILED", "TIMED_OUT")
    assert execution.history[0]["type"] == "ExecutionStarted"
    assert execution.history[-1]["type"].startswith("Execution")
    if execution.status == "SUCCEEDED":
        assert execution.error is None
    else:
        assert execution.output is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=definitions(), value=JSON, mock=MOCK)
def test_executions_are_deterministic(definition, value, mock):
    try:
        first_machine = StateMachine(definition, mock_validation="NONE")
    except InvalidDefinition:
        return
    mocks = _mocks_for(first_machine, mock)
    try:
        first = first_machine.execute(value, mocks=mocks)
    except UnmockedTask:
        return
    second = StateMachine(definition, mock_validation="NONE").execute(value, mocks=mocks)
    assert (first.status, first.output, first.error, first.cause, first.path, first.duration) == (
        second.status,
        second.output,
        second.error,
        second.cause,
        second.path,
        second.duration,
    )
    assert first.history == second.history


# section: Whatever tasks answer (any JSON, any error name, exceptions, time passing),
# ``execute`` returns an Execution whose output, history and attributes are plain JSON-shaped data
# (issue 2, "Bad input").


ANY_JSON = st.recursive(
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
        return ("value", draw(ANY_JSON))
    if kind == "failure":
        return ("failure", draw(ERROR_NAMES), draw(st.none() | st.text(max_size=8)))
    if kind == "exception":
        return ("exception", draw(st.sampled_from([ValueError, KeyError, RuntimeError, RecursionError])))
    return ("slow", draw(st.integers(1, 400)), draw(ANY_JSON))


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
@given(script=st.lists(answers(), max_size=8), items=st.lists(ANY_JSON, max_size=4))
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
