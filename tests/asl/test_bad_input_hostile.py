"""Hostile input to the engine: runaway regexes, self-starting machines, huge causes, deep nesting."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import StateMachine
from pytest_serverless.asl import _regex_deadline
from pytest_serverless.asl._depth_limits import MAX_CAUSE_LENGTH, MAX_NESTED_EXECUTIONS


def jsonata_machine(expression):
    return StateMachine(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {"P": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}},
        }
    )


# -- JSONata regexes under a deadline ------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "$match($states.input.s, /(a+)+$/)",
        "$replace($states.input.s, /(a|aa)+$/, 'x')",
        "$split($states.input.s, /(a*)*b/)",
        "$contains($states.input.s, /(a+)+$/)",
        "$replace($states.input.s, /(a+)+$/, function($m) { $m.match })",
    ],
)
def test_catastrophic_jsonata_regex_fails_with_query_evaluation_error(monkeypatch, expression):
    monkeypatch.setattr(_regex_deadline, "REGEX_DEADLINE_SECONDS", 0.05)
    execution = jsonata_machine(expression).execute({"s": "a" * 60 + "!"})
    assert execution.status == "FAILED"
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). The JSONata "
        f"expression '{expression}' specified for the field 'Output' threw an error during evaluation. "
        "D1012: Evaluation timeout after 5000 milliseconds. Check for infinite loop"
    )


@pytest.mark.parametrize(
    ("expression", "output"),
    [
        ("$match($states.input.s, /b+/i)", {"match": "Bb", "index": 1, "groups": []}),
        ("$replace($states.input.s, /b/i, function($m) { $uppercase($m.match) })", "aBBa"),
        ("$split($states.input.s, /b+/i)", ["a", "a"]),
        ("$contains($states.input.s, /B{2}/i)", True),
        ("$states.input.s ~> $replace(/a$/, 'z')", "aBbz"),
    ],
)
def test_ordinary_jsonata_regexes_still_work(expression, output):
    execution = jsonata_machine(expression).execute({"s": "aBba"})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == output


def test_regex_deadline_is_left_alone_when_someone_else_owns_sigalrm():
    import signal

    if not hasattr(signal, "SIGALRM"):
        pytest.skip("no SIGALRM here")
    previous = signal.signal(signal.SIGALRM, lambda *args: None)
    try:
        execution = jsonata_machine("$match($states.input.s, /b+/)").execute({"s": "abba"})
        assert execution.output == {"match": "bb", "index": 1, "groups": []}
        assert signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL
    finally:
        signal.signal(signal.SIGALRM, previous)


# -- nested executions -----------------------------------------------------------------------------

LOOP_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:loop"


def test_a_self_starting_machine_ends_with_a_clear_error():
    machine = StateMachine(
        {
            "StartAt": "Again",
            "States": {
                "Again": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": LOOP_ARN, "Input": {"x": 1}},
                    "End": True,
                }
            },
        },
        name="loop",
    )
    machine.register(machine)
    execution = machine.execute({})
    assert execution.status == "FAILED"
    assert execution.error == "States.TaskFailed"
    assert len(execution.cause) <= MAX_CAUSE_LENGTH
    chain = " -> ".join(["loop"] * (MAX_NESTED_EXECUTIONS + 1))
    assert f"Executions nested more than {MAX_NESTED_EXECUTIONS} deep ({chain})" in execution.cause


def test_a_self_starting_machine_that_waits_first_still_ends():
    """Each level waits before starting the next, so the starts happen on later clock advances, outside
    the parent's own start: the chain is kept on each execution and capped all the same."""
    machine = StateMachine(
        {
            "StartAt": "Pause",
            "States": {
                "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Again"},
                "Again": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": LOOP_ARN, "Input": {}},
                    "End": True,
                },
            },
        },
        name="loop",
    )
    machine.register(machine)
    execution = machine.execute({})
    assert execution.status == "FAILED"
    assert execution.duration == MAX_NESTED_EXECUTIONS + 1  # one Wait per level, the last level refused
    chain = " -> ".join(["loop"] * (MAX_NESTED_EXECUTIONS + 1))
    assert f"Executions nested more than {MAX_NESTED_EXECUTIONS} deep ({chain})" in execution.cause


def test_the_innermost_refusal_can_be_caught():
    machine = StateMachine(
        {
            "StartAt": "Again",
            "States": {
                "Again": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": LOOP_ARN, "Input": {}},
                    "Catch": [{"ErrorEquals": ["StepFunctions.ExecutionLimitExceeded"], "Next": "Stop"}],
                    "End": True,
                },
                "Stop": {"Type": "Succeed"},
            },
        },
        name="loop",
    )
    machine.register(machine)
    execution = machine.execute({})
    assert execution.status == "SUCCEEDED"  # the innermost level caught the refusal and succeeded
    assert execution.path == ["Again"]


def test_a_nested_failure_cause_is_capped_at_32768_characters():
    child = StateMachine(
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "x" * 40_000}}},
        name="child",
    )
    parent = StateMachine(
        {
            "StartAt": "Run",
            "States": {
                "Run": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync",
                    "Parameters": {"StateMachineArn": child.arn},
                    "End": True,
                }
            },
        },
        state_machines=[child],
    )
    execution = parent.execute({})
    assert execution.error == "States.TaskFailed"
    assert len(execution.cause) == MAX_CAUSE_LENGTH
    assert execution.cause.startswith('{"ExecutionArn":')


# -- Map nested hundreds deep ----------------------------------------------------------------------


def _nested_maps(depth):
    inner = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    for level in range(depth):
        inner = {
            "StartAt": f"M{level}",
            "States": {
                f"M{level}": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": inner, "End": True}
            },
        }
    return inner


def _nested_items(depth):
    value: dict = {}
    for _ in range(depth):
        value = {"items": [value]}
    return value


def test_a_map_nested_300_deep_gets_a_cause_naming_the_nesting():
    machine = StateMachine(_nested_maps(300))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # Python's default (a library may have raised it)
    try:
        execution = machine.execute(_nested_items(300))
    finally:
        sys.setrecursionlimit(limit)
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "The state machine nests Map and Parallel states 300 levels deep, more than pytest_serverless can "
        "run (Python's recursion limit). Test the inner levels as their own state machines, or nest fewer "
        "levels."
    )


def test_a_map_nested_20_deep_runs():
    assert StateMachine(_nested_maps(20)).execute(_nested_items(20)).status == "SUCCEEDED"


# -- generated hostile input to StringMatches and JSONata ------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.text("*ab\\", max_size=12), st.text("ab*", max_size=2000))
def test_generated_string_matches_answer_without_error(pattern, value):
    machine = StateMachine(
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.v", "StringMatches": pattern, "Next": "Y"}],
                    "Default": "N",
                },
                "Y": {"Type": "Succeed"},
                "N": {"Type": "Succeed"},
            },
        }
    )
    execution = machine.execute({"v": value})
    assert execution.status == "SUCCEEDED"
    assert execution.path[0] == "C"
    assert len(execution.path) == 2
