"""Parallel on the virtual clock: every branch gets the same input, branches run concurrently."""

from __future__ import annotations

from pytest_serverless import StateMachine
from tests.helpers import event_types


def test_parallel_runs_every_branch_with_the_same_input():
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {"A": {"Type": "Pass", "Parameters": {"a.$": "$.v"}, "End": True}},
                    },
                    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
                ],
                "ResultPath": "$.results",
                "End": True,
            }
        },
    }
    execution = StateMachine(definition).execute({"v": 1})
    assert execution.output == {"v": 1, "results": [{"a": 1}, "b"]}
    assert execution.path == ["Par", "A", "B"]
    assert event_types(execution) == [
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ParallelStateSucceeded",
        "ParallelStateExited",
        "ExecutionSucceeded",
    ]


def test_parallel_branches_run_concurrently_in_virtual_time():
    branches = [
        {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": seconds, "End": True}}}
        for name, seconds in (("W1", 10), ("W2", 4))
    ]
    definition = {
        "StartAt": "Par",
        "States": {"Par": {"Type": "Parallel", "Branches": branches, "End": True}},
    }
    assert StateMachine(definition).execute({}).duration == 10
