"""Hostile execution inputs and definitions give clear UsageError / InvalidDefinition, never a
traceback from the engine (issue 2, "Bad input")."""

from __future__ import annotations

import datetime
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import InvalidDefinition, StateMachine, UsageError, VirtualClock
from pytest_serverless.asl import _regex_deadline
from pytest_serverless.asl._depth_limits import MAX_CAUSE_LENGTH, MAX_NESTED_EXECUTIONS

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _nested_list(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def _nested_dict(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


# section: execution input that StartExecution would refuse


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            float("nan"),
            "execute(input=...) must be JSON-serializable: Out of range float values are not JSON compliant",
        ),
        (
            {"x": float("inf")},
            "execute(input=...) must be JSON-serializable: Out of range float values are not JSON compliant",
        ),
        (
            {"x": [float("-inf")]},
            "execute(input=...) must be JSON-serializable: Out of range float values are not JSON compliant",
        ),
        ({1, 2}, "execute(input=...) must be JSON-serializable: set is not a JSON value"),
        (
            {"when": datetime.date(2024, 1, 1)},
            "execute(input=...) must be JSON-serializable: date is not a JSON value",
        ),
        ({1: "a"}, "execute(input=...) must be JSON-serializable: object keys must be strings, got int 1"),
        (b"{}", "execute(input=...) must be JSON-serializable: bytes is not a JSON value"),
    ],
)
def test_input_that_is_not_strict_json_is_a_usage_error(value, message):
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS).execute(value)
    assert str(raised.value) == message


def test_input_with_an_integer_json_cannot_print_is_a_usage_error():
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS).execute({"n": 10**5000})
    assert str(raised.value).startswith("execute(input=...) must be JSON-serializable: Exceeds the limit")


def test_input_nested_deeper_than_python_recursion_is_a_usage_error():
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS).execute(_nested_list(5000))
    assert str(raised.value) == "execute(input=...) is nested too deeply to be JSON"


def test_input_over_256_kib_is_refused_as_start_execution_refuses_it():
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS).execute({"s": "x" * 262_140})
    assert str(raised.value) == (
        "execute(input=...) is 262,148 bytes of JSON; StartExecution accepts at most 262,144 bytes (256 KiB)"
    )


def test_input_of_exactly_256_kib_runs():
    execution = StateMachine(PASS).execute("x" * 262_142)  # 262,144 bytes with its quotes
    assert execution.status == "SUCCEEDED"


def test_input_size_counts_utf8_bytes():
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS).execute("é" * 131_072)  # 131,072 characters, 262,146 bytes with quotes
    assert "262,146 bytes of JSON" in str(raised.value)


def test_big_integers_that_json_can_print_are_accepted():
    execution = StateMachine(PASS).execute({"n": 10**30})
    assert execution.output == {"n": 10**30}
    assert execution.history[0]["executionStartedEventDetails"]["input"] == '{"n":' + "1" + "0" * 30 + "}"


def test_mock_keys_must_be_strings():
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS).execute({}, mocks={5: [{"Return": 1}]})
    assert str(raised.value) == "execute(mocks=...): keys are state names or resource ARNs, not 5"


# section: definitions that would overflow the loader


def test_definition_dict_nested_too_deeply_is_invalid_definition():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": _nested_dict(3000), "End": True}},
    }
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine(definition)
    assert raised.value.problems == [("", "the definition is nested too deeply")]


def test_deeply_nested_parallel_states_are_invalid_definition_not_recursion_error():
    state: dict = {"Type": "Pass", "End": True}
    for _ in range(400):
        state = {"Type": "Parallel", "Branches": [{"StartAt": "X", "States": {"X": state}}], "End": True}
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine({"StartAt": "X", "States": {"X": state}})
    assert raised.value.problems == [("", "the definition is nested too deeply")]


def test_yaml_text_nested_too_deeply_is_invalid_definition():
    text = "a:\n" + "".join("  " * level + "- \n" for level in range(2000))
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine(text)
    assert raised.value.problems == [("", "the definition is nested too deeply")]


@pytest.mark.parametrize("substitutions", [["Val"], "Val", {1: "x"}])
def test_substitutions_must_be_a_mapping_of_names(substitutions):
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS, substitutions=substitutions)
    assert str(raised.value) == "StateMachine(substitutions=...) takes a mapping {placeholder name: value}"


def test_definition_path_that_does_not_exist_without_a_known_suffix_says_so():
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine("definitions/flow")
    assert raised.value.problems == [
        (
            "",
            "a state machine definition must be a JSON object, got a string "
            "(if 'definitions/flow' is meant as a file path: no such file)",
        )
    ]


# section: the virtual clock


def test_clock_refuses_to_advance_by_infinity():
    clock = VirtualClock()
    with pytest.raises(ValueError, match=r"^advance\(\) takes a finite number of seconds \(got inf\)$"):
        clock.advance(float("inf"))
    assert clock.now() == datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def test_handler_advancing_the_clock_by_infinity_fails_the_task_like_a_lambda_error():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": True}
        },
    }

    def handler(event, context):
        context.clock.advance(float("inf"))

    execution = StateMachine(definition, tasks={"T": handler}).execute({})
    assert (execution.status, execution.error) == ("FAILED", "ValueError")
    assert execution.stop_date == datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


# section: integration keywords of StateMachine


@pytest.mark.parametrize("value", ["x", -1, 0, float("nan"), float("inf"), True])
def test_timeout_seconds_must_be_a_positive_number(value):
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS, timeout_seconds=value)
    assert (
        str(raised.value)
        == f"StateMachine(timeout_seconds=...) takes a positive number of seconds (got {value!r})"
    )


def test_on_execution_finished_must_be_callable():
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS, on_execution_finished=5)
    assert str(raised.value) == "StateMachine(on_execution_finished=...) takes a callable callback(execution)"


@pytest.mark.parametrize(("value", "kind"), [(5, "int"), ("Child", "str")])
def test_state_machines_must_be_state_machines(value, kind):
    with pytest.raises(UsageError) as raised:
        StateMachine(PASS, state_machines=value)
    assert str(raised.value) == (
        "state_machines: expected StateMachine objects (a StateMachine, a list of them or a mapping "
        f"by ARN or name), got {kind}"
    )


# section: Hostile input to the engine: runaway regexes, self-starting machines, huge causes, deep nesting.


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
