"""The Choice state through the public API: routes, the default, no match, a missing variable, unknown
operators."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import InvalidDefinition, StateMachine


def _router():
    return StateMachine(
        {
            "StartAt": "Route",
            "States": {
                "Route": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.kind", "StringMatches": "order-*"},
                                {"Variable": "$.at", "TimestampLessThan": "2024-01-01T00:00:00Z"},
                            ],
                            "Next": "Old",
                        },
                        {"Variable": "$.total", "NumericGreaterThanEqualsPath": "$.limit", "Next": "Big"},
                    ],
                    "Default": "Other",
                },
                "Old": {"Type": "Succeed"},
                "Big": {"Type": "Succeed"},
                "Other": {"Type": "Succeed"},
            },
        }
    )


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"kind": "order-1", "at": "2023-12-31T23:59:59+00:00", "total": 1, "limit": 5}, ["Route", "Old"]),
        ({"kind": "order-1", "at": "2024-01-01T00:30:00+01:00", "total": 1, "limit": 5}, ["Route", "Old"]),
        ({"kind": "refund", "at": "2023-01-01T00:00:00Z", "total": 5, "limit": 5.0}, ["Route", "Big"]),
        ({"kind": "refund", "at": "2023-01-01T00:00:00Z", "total": "5", "limit": 5}, ["Route", "Other"]),
    ],
)
def test_state_machine_choice_routes(data, path):
    execution = _router().execute(data)
    assert (execution.status, execution.path) == ("SUCCEEDED", path)


def test_state_machine_choice_on_a_missing_variable_fails_with_states_runtime():
    execution = _router().execute({"kind": "refund", "at": "2023-01-01T00:00:00Z"})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'Route' (entered at the event id #2). "
        "Invalid path '$.total': The choice state's condition path references an invalid value."
    )


def test_state_machine_rejects_unknown_choice_operators():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEqual": "a", "Next": "D"}]},
            "D": {"Type": "Succeed"},
        },
    }
    with pytest.raises(InvalidDefinition) as info:
        StateMachine(definition)
    assert info.value.problems == [
        ("/States/C/Choices/0", "unknown comparison operator 'StringEqual' (did you mean 'StringEquals'?)")
    ]


def test_choice_default_and_no_match():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", "End": True},
            "Small": {"Type": "Pass", "End": True},
        },
    }
    machine = StateMachine(definition)
    assert machine.execute({"n": 11}).path == ["C", "Big"]
    assert machine.execute({"n": 1}).path == ["C", "Small"]
    no_default = json.loads(json.dumps(definition))
    del no_default["States"]["C"]["Default"]
    del no_default["States"]["Small"]
    execution = StateMachine(no_default).execute({"n": 1})
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "States.NoChoiceMatched",
        "No Matches!",
    )


def test_choice_on_missing_variable_is_a_runtime_error():
    definition = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.nope", "IsNull": True, "Next": "D"}]},
            "D": {"Type": "Succeed"},
        },
    }
    execution = StateMachine(definition).execute({})
    assert execution.error == "States.Runtime"
    assert execution.cause.startswith(
        "An error occurred while executing the state 'C' (entered at the event id #2)."
    )
