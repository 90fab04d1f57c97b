"""Audit: hostile execution inputs and definitions give clear UsageError / InvalidDefinition, never a
traceback from the engine (issue 2, "Bad input")."""

from __future__ import annotations

import datetime

import pytest

from pytest_serverless import InvalidDefinition, StateMachine, UsageError, VirtualClock

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
