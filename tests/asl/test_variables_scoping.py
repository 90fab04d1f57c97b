"""Audit: workflow variables' size limit and scoping as seen from outside Map and Parallel (issue 5)."""

from __future__ import annotations

from pytest_serverless import StateMachine


def test_assignments_over_256_kib_fail_with_data_limit_exceeded():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Assign": {"a": "{% $states.input.s %}", "b": "{% $states.input.s %}"},
                "Next": "Never",
            },
            "Never": {"Type": "Succeed"},
        },
    }
    execution = StateMachine(definition).execute({"s": "x" * 140_000})
    assert (execution.status, execution.error) == ("FAILED", "States.DataLimitExceeded")
    assert execution.cause == "The variables assigned by the state 'P' exceed the maximum size of 256 KiB."
    assert execution.path == ["P"]


def test_assignments_just_under_256_kib_are_kept():
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Assign": {"a.$": "$.s"}, "Next": "Read"},
            "Read": {
                "Type": "Pass",
                "Parameters": {"n.$": "States.ArrayLength(States.StringSplit($a, 'y'))"},
                "End": True,
            },
        },
    }
    execution = StateMachine(definition).execute({"s": "x" * 200_000})
    assert (execution.status, execution.output) == ("SUCCEEDED", {"n": 1})
    assigned = execution.history[2]["stateExitedEventDetails"]["assignedVariables"]
    assert len(assigned["a"]) == 200_002


def test_variables_assigned_inside_parallel_branches_and_map_iterations_stay_inside():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}}}
                ],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "Items": [1, 2],
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "Assign": {"item": "{% $states.input %}"}, "End": True}},
                },
                "Next": "After",
            },
            "After": {"Type": "Pass", "Output": "{% [$exists($inner), $exists($item)] %}", "End": True},
        },
    }
    execution = StateMachine(definition).execute({})
    assert (execution.status, execution.output) == ("SUCCEEDED", [False, False])
