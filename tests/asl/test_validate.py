"""Static validation of ASL definitions: every rule with its exact pointer and message, and the AWS corpus."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.asl.validate import validate_definition
from pytest_serverless.asl.validation.syntax import path_problem
from tests.helpers import recordings

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"


def machine(**states: dict[str, object]) -> dict[str, object]:
    """A machine starting at its first state."""
    return {"StartAt": next(iter(states)), "States": states}


def task(**fields: object) -> dict[str, object]:
    return {"Type": "Task", "Resource": LAMBDA, "End": True, **fields}


def problems_of(definition: object) -> list[tuple[str, str]]:
    return validate_definition(definition)  # type: ignore[arg-type]


def only_problem(definition: object) -> tuple[str, str]:
    found = problems_of(definition)
    assert len(found) == 1, found
    return found[0]


# section: valid definitions


def test_validate_minimal_pass_machine_has_no_problems():
    assert problems_of(machine(A={"Type": "Pass", "End": True})) == []


def test_validate_every_state_type_valid_has_no_problems():
    definition = {
        "Comment": "all types",
        "Version": "1.0",
        "TimeoutSeconds": 60,
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.p", "Next": "T"},
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Parameters": {"x.$": "$.p.a", "f.$": "States.Format('{}', $.p.a)", "lit": "v"},
                "ResultSelector": {"r.$": "$.Payload"},
                "TimeoutSeconds": 10,
                "HeartbeatSeconds": 5,
                "Retry": [
                    {"ErrorEquals": ["Custom.Error"], "IntervalSeconds": 2, "MaxAttempts": 0},
                    {
                        "ErrorEquals": ["States.ALL"],
                        "BackoffRate": 1.5,
                        "MaxDelaySeconds": 10,
                        "JitterStrategy": "FULL",
                    },
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "F"}],
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.p.a", "NumericEquals": 1, "Next": "W"}],
                "Default": "S",
            },
            "W": {"Type": "Wait", "Seconds": 0, "Next": "Par"},
            "Par": {
                "Type": "Parallel",
                "Branches": [machine(B1={"Type": "Pass", "End": True})],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Inner",
                    "States": {"Inner": {"Type": "Succeed"}},
                },
                "End": True,
            },
            "S": {"Type": "Succeed"},
            "F": {"Type": "Fail", "Error": "Failed", "Cause": "because"},
        },
    }
    assert problems_of(definition) == []


def test_validate_jsonata_machine_valid_has_no_problems():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": LAMBDA,
                "Arguments": {"Payload": "{% $states.input %}"},
                "Output": "{% $states.result.Payload %}",
                "Assign": {"total": "{% $states.result.total %}"},
                "TimeoutSeconds": "{% $timeout %}",
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "F"}
                ],
                "Next": "C",
            },
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $total > 1 %}", "Assign": {"big": True}, "Next": "W"}],
                "Default": "F",
            },
            "W": {"Type": "Wait", "Seconds": "{% 1 + 1 %}", "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% [1, 2] %}",
                "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
                "End": True,
            },
            "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "literal"},
        },
    }
    assert problems_of(definition) == []


def test_validate_variables_in_jsonpath_paths_are_accepted():
    definition = machine(
        A={"Type": "Pass", "Assign": {"x.$": "$.value", "y": 1}, "Next": "B"},
        B={"Type": "Pass", "Parameters": {"v.$": "$x"}, "InputPath": "$x", "End": True},
    )
    assert problems_of(definition) == []


# section: top level


def test_validate_definition_not_an_object():
    assert problems_of([1]) == [("", "a state machine definition must be a JSON object, got an array")]


def test_validate_missing_start_at_and_states():
    assert problems_of({}) == [
        ("", "missing required field 'States' (an object of state names to states)"),
        ("", "missing required field 'StartAt' (the name of the first state)"),
    ]


def test_validate_unknown_top_level_field_suggests_the_close_one():
    definition = {**machine(A={"Type": "Pass", "End": True}), "TimeoutSecond": 5}
    assert only_problem(definition) == (
        "",
        "unknown field 'TimeoutSecond' in the state machine (did you mean 'TimeoutSeconds'?)",
    )


def test_validate_start_at_unknown_state_lists_states():
    definition = {"StartAt": "Nope", "States": {"A": {"Type": "Pass", "End": True}}}
    assert problems_of(definition)[0] == (
        "/StartAt",
        "'StartAt' names 'Nope', which is not a state; states here: 'A'",
    )


def test_validate_empty_states_object():
    assert problems_of({"StartAt": "A", "States": {}}) == [
        ("/States", "'States' must be a non-empty object, got an object")
    ]


def test_validate_machine_timeout_seconds_range():
    definition = {**machine(A={"Type": "Pass", "End": True}), "TimeoutSeconds": -1}
    assert only_problem(definition) == (
        "/TimeoutSeconds",
        "'TimeoutSeconds' must be an integer between 0 and 99999999, got -1",
    )
    definition["TimeoutSeconds"] = 99_999_999
    assert problems_of(definition) == []


def test_validate_version_must_be_1_0():
    definition = {**machine(A={"Type": "Pass", "End": True}), "Version": 1.0}
    assert only_problem(definition) == ("/Version", "'Version' must be \"1.0\", got 1.0")


def test_validate_query_language_value():
    definition = {**machine(A={"Type": "Pass", "End": True}), "QueryLanguage": "JsonPath"}
    assert only_problem(definition) == (
        "/QueryLanguage",
        "'QueryLanguage' must be 'JSONPath' or 'JSONata', got 'JsonPath'",
    )


def test_validate_state_name_longer_than_80_characters():
    name = "N" * 81
    assert only_problem(machine(**{name: {"Type": "Pass", "End": True}})) == (
        f"/States/{name}",
        "state name is 81 characters long; AWS allows at most 80",
    )


def test_validate_definition_over_one_megabyte():
    definition = machine(A={"Type": "Pass", "Result": "x" * 1_048_576, "End": True})
    assert only_problem(definition) == (
        "",
        "the definition is 1,048,645 bytes; AWS accepts at most 1,048,576 (1 MiB)",
    )


def test_validate_pointer_escapes_slash_and_tilde_in_state_names():
    assert problems_of(machine(**{"a/b~c": {"Type": "Pass"}}))[0] == (
        "/States/a~1b~0c",
        "needs 'Next' (the state to run next) or \"End\": true",
    )


# section: states and transitions


def test_validate_missing_type():
    assert problems_of(machine(A={"End": True})) == [
        (
            "/States/A",
            "missing required field 'Type' (one of Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map)",
        )
    ]


def test_validate_unknown_type_suggests_the_close_one():
    assert problems_of(machine(A={"Type": "Passs", "End": True})) == [
        (
            "/States/A/Type",
            "unknown state type 'Passs' (did you mean 'Pass'?); expected one of "
            "Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map",
        )
    ]


def test_validate_unknown_field_in_state():
    assert only_problem(machine(A={"Type": "Pass", "End": True, "Reslt": 1})) == (
        "/States/A",
        "unknown field 'Reslt' in a Pass state (did you mean 'Result'?)",
    )


def test_validate_field_of_another_state_type():
    assert only_problem(machine(A={"Type": "Succeed", "Next": "A"})) == (
        "/States/A",
        "'Next' is not allowed in a Succeed state",
    )


def test_validate_next_and_end_both():
    definition = machine(A={"Type": "Pass", "Next": "B", "End": True}, B={"Type": "Succeed"})
    assert only_problem(definition) == (
        "/States/A",
        "has both 'Next' and 'End'; a state either moves on or ends the machine",
    )


def test_validate_next_and_end_neither():
    definition = machine(A={"Type": "Pass"})
    assert problems_of(definition) == [
        ("/States/A", "needs 'Next' (the state to run next) or \"End\": true"),
        (
            "",
            "no terminal state can be reached from 'StartAt' 'A': "
            'add "End": true or a Succeed or Fail state',
        ),
    ]


def test_validate_end_must_be_boolean():
    assert problems_of(machine(A={"Type": "Pass", "End": "yes"}))[0] == (
        "/States/A/End",
        "'End' must be true, got a string",
    )


def test_validate_next_to_unknown_state():
    definition = machine(A={"Type": "Pass", "Next": "Missing"}, B={"Type": "Succeed"})
    assert problems_of(definition) == [
        ("/States/A/Next", "'Next' names 'Missing', which is not a state; states here: 'A', 'B'"),
        ("/States/B", "state 'B' is unreachable: no 'StartAt', 'Next', 'Default' or catcher leads to it"),
        (
            "",
            "no terminal state can be reached from 'StartAt' 'A': "
            'add "End": true or a Succeed or Fail state',
        ),
    ]


def test_validate_unreachable_state():
    definition = machine(A={"Type": "Pass", "End": True}, Orphan={"Type": "Pass", "End": True})
    assert only_problem(definition) == (
        "/States/Orphan",
        "state 'Orphan' is unreachable: no 'StartAt', 'Next', 'Default' or catcher leads to it",
    )


def test_validate_no_terminal_state_in_a_loop():
    definition = machine(A={"Type": "Pass", "Next": "B"}, B={"Type": "Pass", "Next": "A"})
    assert only_problem(definition) == (
        "",
        "no terminal state can be reached from 'StartAt' 'A': add \"End\": true or a Succeed or Fail state",
    )


def test_validate_loop_with_an_exit_is_fine():
    definition = machine(
        A={"Type": "Pass", "Next": "C"},
        C={
            "Type": "Choice",
            "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Done"}],
            "Default": "A",
        },
        Done={"Type": "Succeed"},
    )
    assert problems_of(definition) == []


def test_validate_catch_next_makes_state_reachable():
    definition = machine(
        T=task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]),
        Handler={"Type": "Fail", "Error": "E"},
    )
    assert problems_of(definition) == []


def test_validate_duplicate_state_name_across_branches():
    definition = machine(
        P={
            "Type": "Parallel",
            "Branches": [
                machine(Same={"Type": "Pass", "End": True}),
                machine(Same={"Type": "Pass", "End": True}),
            ],
            "End": True,
        }
    )
    assert only_problem(definition) == (
        "/States/P/Branches/1/States/Same",
        "duplicate state name 'Same' (also at /States/P/Branches/0/States/Same); "
        "state names must be unique in the whole definition",
    )


def test_validate_branch_state_cannot_be_targeted_from_outside():
    definition = machine(
        P={"Type": "Parallel", "Branches": [machine(Inner={"Type": "Pass", "End": True})], "Next": "Inner"},
    )
    assert problems_of(definition)[0] == (
        "/States/P/Next",
        "'Next' names 'Inner', which is a state of another scope (/States/P/Branches/0/States/Inner); "
        "a state can only move to states of its own 'States' object "
        "(Parallel branches and Map processors are closed)",
    )


def test_validate_branch_cannot_target_outer_state():
    definition = machine(
        P={"Type": "Parallel", "Branches": [machine(Inner={"Type": "Pass", "Next": "P"})], "End": True},
    )
    found = problems_of(definition)
    assert found[0][0] == "/States/P/Branches/0/States/Inner/Next"
    assert found[0][1].startswith("'Next' names 'P', which is a state of another scope (/States/P)")


def test_validate_several_problems_reported_at_once():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B", "InputPath": "not a path"},
            "B": {"Type": "Wait", "Next": "C"},
            "C": {"Type": "Task", "End": True},
        },
    }
    assert problems_of(definition) == [
        ("/States/A/InputPath", "'InputPath' is not a valid path 'not a path': must start with '$'"),
        ("/States/B", "needs exactly one of 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'"),
        ("/States/C", "missing required field 'Resource' (the ARN of the Lambda function or service API)"),
    ]


# section: paths and payload templates


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("$.a..b", "deep scans '..' are not allowed in a reference path"),
        ("$.a[*]", "wildcards '[*]' are not allowed in a reference path"),
        ("$.a.*", "wildcards '.*' are not allowed in a reference path"),
        ("$.a[?(@.x == 1)]", "filters '[?(...)]' are not allowed in a reference path"),
        ("$.a[0:2]", "slices '[start:end]' are not allowed in a reference path"),
        ("$.a[0,1]", "unions '[a,b]' are not allowed in a reference path"),
        ("$.a.length()", "functions such as 'length()' are not allowed in a reference path"),
        ("a.b", "must start with '$'"),
        ("$.a.", "ends with '.'"),
        ("$.a[0", "unclosed '[' at position 3"),
        ("$.a[x]", "invalid bracket expression '[x]'"),
    ],
)
def test_validate_result_path_must_be_reference_path(path, message):
    definition = machine(A={"Type": "Pass", "ResultPath": path, "End": True})
    assert only_problem(definition) == (
        "/States/A/ResultPath",
        f"'ResultPath' is not a valid reference path {path!r}: {message}",
    )


@pytest.mark.parametrize(
    "path", ["$.a[*].b", "$..b", "$.a[?(@.x == 1)]", "$.a[1:]", "$['x y']", "$$.Execution.Input", "$"]
)
def test_validate_input_path_accepts_full_jsonpath(path):
    assert problems_of(machine(A={"Type": "Pass", "InputPath": path, "End": True})) == []


def test_validate_null_input_output_result_path_allowed():
    definition = machine(
        A={"Type": "Pass", "InputPath": None, "OutputPath": None, "ResultPath": None, "End": True}
    )
    assert problems_of(definition) == []


def test_validate_path_field_must_be_string():
    assert only_problem(machine(A={"Type": "Pass", "OutputPath": 3, "End": True})) == (
        "/States/A/OutputPath",
        "'OutputPath' must be a path string or null, got a number",
    )


@pytest.mark.parametrize("field", ["SecondsPath", "TimestampPath"])
def test_validate_wait_paths_must_be_reference_paths(field):
    definition = machine(W={"Type": "Wait", field: "$.a[*]", "End": True})
    assert only_problem(definition) == (
        f"/States/W/{field}",
        f"'{field}' is not a valid reference path '$.a[*]': "
        "wildcards '[*]' are not allowed in a reference path",
    )


def test_validate_choice_variable_must_be_reference_path():
    definition = machine(
        C={
            "Type": "Choice",
            "Choices": [{"Variable": "$..x", "IsPresent": True, "Next": "S"}],
            "Default": "S",
        },
        S={"Type": "Succeed"},
    )
    assert only_problem(definition) == (
        "/States/C/Choices/0/Variable",
        "'Variable' is not a valid reference path '$..x': "
        "deep scans '..' are not allowed in a reference path",
    )


def test_validate_dollar_key_with_literal_value():
    definition = machine(A={"Type": "Pass", "Parameters": {"nested": {"v.$": "hello"}}, "End": True})
    assert only_problem(definition) == (
        "/States/A/Parameters/nested/v.$",
        "'v.$' ends in '.$', so its value must be a path ('$.field'), a context path ('$$.field'), "
        "a variable ('$name') or an intrinsic function ('States.Format(...)'), got 'hello'; "
        "drop the '.$' for a literal value",
    )


def test_validate_dollar_key_with_non_string_value():
    definition = machine(A={"Type": "Pass", "Parameters": {"v.$": 1}, "End": True})
    assert only_problem(definition) == (
        "/States/A/Parameters/v.$",
        "'v.$' ends in '.$', so its value must be a path or intrinsic function string, got a number",
    )


def test_validate_dollar_key_with_invalid_path():
    definition = machine(A={"Type": "Pass", "Parameters": {"v.$": "$.a["}, "End": True})
    assert only_problem(definition) == (
        "/States/A/Parameters/v.$",
        "'v.$': invalid path '$.a[': unclosed '[' at position 3",
    )


def test_validate_dollar_key_in_result_is_literal():
    definition = machine(A={"Type": "Pass", "Result": {"v.$": "anything"}, "End": True})
    assert problems_of(definition) == []


def test_validate_intrinsic_syntax_error():
    definition = machine(A={"Type": "Pass", "Parameters": {"v.$": "States.Format('{}', $.a"}, "End": True})
    pointer, message = only_problem(definition)
    assert pointer == "/States/A/Parameters/v.$"
    assert message.startswith("'v.$': ")
    assert "States.Format('{}', $.a" in message


def test_validate_unknown_intrinsic_function():
    definition = machine(
        A={"Type": "Pass", "ResultSelector": {}, "Parameters": {"v.$": "States.Nope()"}, "End": True}
    )
    found = problems_of(definition)
    assert found[0] == ("/States/A", "'ResultSelector' is not allowed in a Pass state")
    assert found[1][0] == "/States/A/Parameters/v.$"
    assert "States.Nope" in found[1][1]


def test_validate_fail_error_path_accepts_intrinsic():
    definition = machine(F={"Type": "Fail", "ErrorPath": "$.error", "CausePath": "States.Format('{}', $.c)"})
    assert problems_of(definition) == []


# section: Task


def test_validate_task_resource_must_be_arn():
    assert only_problem(machine(T=task(Resource="my-function"))) == (
        "/States/T/Resource",
        "'Resource' must be an ARN ('arn:...'), got 'my-function'",
    )


def test_validate_task_timeout_and_timeout_path_exclusive():
    assert only_problem(machine(T=task(TimeoutSeconds=5, TimeoutSecondsPath="$.t"))) == (
        "/States/T",
        "'TimeoutSeconds' and 'TimeoutSecondsPath' cannot be used together; "
        "use one of 'TimeoutSeconds', 'TimeoutSecondsPath'",
    )


def test_validate_task_heartbeat_must_be_below_timeout():
    assert only_problem(machine(T=task(TimeoutSeconds=10, HeartbeatSeconds=10))) == (
        "/States/T/HeartbeatSeconds",
        "'HeartbeatSeconds' (10) must be smaller than 'TimeoutSeconds' (10)",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "'TimeoutSeconds' must be between 1 and 99999999, got 0"),
        (True, "'TimeoutSeconds' must be an integer, got a boolean"),
        ("5", "'TimeoutSeconds' must be an integer, got a string"),
        (
            "{% 5 %}",
            "'TimeoutSeconds' must be an integer, got a JSONata expression; "
            'expressions need "QueryLanguage": "JSONata" on the state or the machine',
        ),
    ],
)
def test_validate_task_timeout_seconds_type_and_range(value, message):
    assert only_problem(machine(T=task(TimeoutSeconds=value))) == ("/States/T/TimeoutSeconds", message)


# section: Retry and Catch


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("IntervalSeconds", 0, "'IntervalSeconds' must be between 1 and 99999999, got 0"),
        ("IntervalSeconds", 100_000_000, "'IntervalSeconds' must be between 1 and 99999999, got 100000000"),
        ("MaxAttempts", -1, "'MaxAttempts' must be between 0 and 99999999, got -1"),
        ("MaxAttempts", 1.5, "'MaxAttempts' must be an integer, got a number"),
        ("BackoffRate", 0.9, "'BackoffRate' must be a number >= 1.0, got 0.9"),
        ("MaxDelaySeconds", 0, "'MaxDelaySeconds' must be between 1 and 31622401, got 0"),
        ("MaxDelaySeconds", 31_622_402, "'MaxDelaySeconds' must be between 1 and 31622401, got 31622402"),
        ("JitterStrategy", "HALF", "'JitterStrategy' must be 'FULL' or 'NONE', got 'HALF'"),
    ],
)
def test_validate_retrier_field_ranges(field, value, message):
    definition = machine(T=task(Retry=[{"ErrorEquals": ["States.ALL"], field: value}]))
    assert only_problem(definition) == (f"/States/T/Retry/0/{field}", message)


def test_validate_retrier_boundaries_are_accepted():
    retrier = {
        "ErrorEquals": ["States.ALL"],
        "IntervalSeconds": 99_999_999,
        "MaxAttempts": 0,
        "BackoffRate": 1.0,
        "MaxDelaySeconds": 31_622_401,
        "JitterStrategy": "NONE",
    }
    assert problems_of(machine(T=task(Retry=[retrier]))) == []


def test_validate_states_all_not_alone():
    definition = machine(T=task(Retry=[{"ErrorEquals": ["States.ALL", "Custom"]}]))
    assert only_problem(definition) == (
        "/States/T/Retry/0/ErrorEquals",
        "'States.ALL' must appear alone in 'ErrorEquals'",
    )


def test_validate_states_all_not_last_catcher():
    definition = machine(
        T=task(
            Catch=[
                {"ErrorEquals": ["States.ALL"], "Next": "F"},
                {"ErrorEquals": ["Custom"], "Next": "F"},
            ]
        ),
        F={"Type": "Fail"},
    )
    assert only_problem(definition) == (
        "/States/T/Catch/0/ErrorEquals",
        "'States.ALL' must appear only in the last catcher",
    )


def test_validate_custom_states_prefixed_error_name_accepted():
    # AWS reserves the 'States.' prefix for the errors states raise; a retrier or catcher may name any
    # string, 'States.Custom' included (it simply never matches a predefined error).
    definition = machine(
        T=task(
            Retry=[{"ErrorEquals": ["States.Custom", "States.MyTimeout"]}],
            Catch=[{"ErrorEquals": ["States.NotAThing"], "Next": "F"}],
        ),
        F={"Type": "Fail"},
    )
    assert problems_of(definition) == []


def test_validate_known_states_error_names_accepted():
    names = [
        "States.TaskFailed",
        "States.Timeout",
        "States.HeartbeatTimeout",
        "States.Runtime",
        "States.Permissions",
    ]
    assert problems_of(machine(T=task(Retry=[{"ErrorEquals": names}]))) == []


def test_validate_error_equals_missing_and_empty():
    definition = machine(T=task(Retry=[{"MaxAttempts": 1}, {"ErrorEquals": []}]))
    assert problems_of(definition) == [
        ("/States/T/Retry/0", "a retrier needs 'ErrorEquals' (a non-empty array of error names)"),
        (
            "/States/T/Retry/1/ErrorEquals",
            "'ErrorEquals' must be a non-empty array of error names, got an array",
        ),
    ]


def test_validate_catcher_needs_next_and_known_fields():
    definition = machine(T=task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPth": "$.e"}]))
    assert problems_of(definition) == [
        ("/States/T/Catch/0", "unknown field 'ResultPth' in a catcher (did you mean 'ResultPath'?)"),
        ("/States/T/Catch/0", "a catcher needs 'Next' (the state to run when it catches an error)"),
    ]


def test_validate_retry_must_be_array():
    assert only_problem(machine(T=task(Retry={"ErrorEquals": ["States.ALL"]}))) == (
        "/States/T/Retry",
        "'Retry' must be an array, got an object",
    )


# section: Choice


def test_validate_choice_unknown_operator_message_from_api_md():
    definition = machine(
        Check={
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "StringEqual": "a", "Next": "S"}],
            "Default": "S",
        },
        S={"Type": "Succeed"},
    )
    found = problems_of(definition)
    assert found == [
        (
            "/States/Check/Choices/0",
            "unknown comparison operator 'StringEqual' (did you mean 'StringEquals'?)",
        )
    ]
    rendered = [f"{pointer}: {message}" for pointer, message in found]
    assert rendered[0].startswith("/States/Check/Choices/0: unknown comparison operator 'StringEqual'")


def test_validate_choice_needs_choices():
    assert problems_of(
        machine(C={"Type": "Choice", "Choices": [], "Default": "S"}, S={"Type": "Succeed"})
    ) == [("/States/C/Choices", "'Choices' must be a non-empty array of choice rules, got an array")]


def test_validate_choice_default_unknown_state():
    definition = machine(
        C={
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "S"}],
            "Default": "Nope",
        },
        S={"Type": "Succeed"},
    )
    assert only_problem(definition) == (
        "/States/C/Default",
        "'Default' names 'Nope', which is not a state; states here: 'C', 'S'",
    )


def test_validate_choice_cannot_end():
    definition = machine(
        C={"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "S"}], "End": True},
        S={"Type": "Succeed"},
    )
    assert only_problem(definition) == ("/States/C", "'End' is not allowed in a Choice state")


def test_validate_condition_in_jsonpath_rule():
    definition = machine(
        C={
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsNull": True, "Condition": "{% true %}", "Next": "S"}],
            "Default": "S",
        },
        S={"Type": "Succeed"},
    )
    assert only_problem(definition) == (
        "/States/C/Choices/0/Condition",
        '\'Condition\' is a JSONata field; set "QueryLanguage": "JSONata" to use it; '
        "in JSONPath use comparison operators such as 'StringEquals'",
    )


def test_validate_jsonata_rule_with_jsonpath_comparison():
    definition = {
        "QueryLanguage": "JSONata",
        **machine(
            C={
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "StringEquals": "a", "Condition": "{% true %}", "Next": "S"}],
                "Default": "S",
            },
            S={"Type": "Succeed"},
        ),
    }
    assert problems_of(definition) == [
        (
            "/States/C/Choices/0",
            "'Variable' is not allowed in a JSONata choice rule; use 'Condition' with a '{% %}' expression",
        ),
        (
            "/States/C/Choices/0",
            "'StringEquals' is not allowed in a JSONata choice rule; "
            "use 'Condition' with a '{% %}' expression",
        ),
    ]


def test_validate_jsonata_rule_needs_condition():
    definition = {
        "QueryLanguage": "JSONata",
        **machine(C={"Type": "Choice", "Choices": [{"Next": "S"}], "Default": "S"}, S={"Type": "Succeed"}),
    }
    assert only_problem(definition) == (
        "/States/C/Choices/0",
        "a JSONata choice rule needs 'Condition' (a '{% %}' expression)",
    )


# section: Wait, Fail, Succeed


def test_validate_wait_needs_exactly_one_duration():
    definition = machine(W={"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True})
    assert only_problem(definition) == (
        "/States/W",
        "'Seconds' and 'SecondsPath' cannot be used together; "
        "use one of 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'",
    )


def test_validate_wait_seconds_negative():
    assert only_problem(machine(W={"Type": "Wait", "Seconds": -1, "End": True})) == (
        "/States/W/Seconds",
        "'Seconds' must be between 0 and 99999999, got -1",
    )


@pytest.mark.parametrize("stamp", ["2024-01-01", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00z", "tomorrow"])
def test_validate_wait_timestamp_format(stamp):
    assert only_problem(machine(W={"Type": "Wait", "Timestamp": stamp, "End": True})) == (
        "/States/W/Timestamp",
        f"'Timestamp' must be an RFC 3339 timestamp such as '2024-01-01T00:00:00Z', got {stamp!r}",
    )


@pytest.mark.parametrize(
    "stamp", ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123Z", "2024-01-01T00:00:00+02:00"]
)
def test_validate_wait_timestamp_accepted(stamp):
    assert problems_of(machine(W={"Type": "Wait", "Timestamp": stamp, "End": True})) == []


def test_validate_fail_error_and_error_path_exclusive():
    assert only_problem(machine(F={"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})) == (
        "/States/F",
        "'Error' and 'ErrorPath' cannot be used together; use one of 'Error', 'ErrorPath'",
    )


def test_validate_fail_cause_must_be_string():
    assert only_problem(machine(F={"Type": "Fail", "Cause": {"a": 1}})) == (
        "/States/F/Cause",
        "'Cause' must be a string, got an object",
    )


def test_validate_fail_has_no_output_path():
    assert only_problem(machine(F={"Type": "Fail", "OutputPath": "$"})) == (
        "/States/F",
        "'OutputPath' is not allowed in a Fail state",
    )


# section: Parallel and Map


def test_validate_parallel_needs_branches():
    assert only_problem(machine(P={"Type": "Parallel", "Branches": [], "End": True})) == (
        "/States/P/Branches",
        "'Branches' must be a non-empty array of state machines, got an array",
    )


def test_validate_branch_problems_have_branch_pointer():
    definition = machine(
        P={"Type": "Parallel", "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass"}}}], "End": True}
    )
    assert problems_of(definition) == [
        ("/States/P/Branches/0/States/X", "needs 'Next' (the state to run next) or \"End\": true"),
        (
            "/States/P/Branches/0",
            "no terminal state can be reached from 'StartAt' 'X': "
            'add "End": true or a Succeed or Fail state',
        ),
    ]


def test_validate_branch_rejects_top_level_only_fields():
    branch = {**machine(X={"Type": "Pass", "End": True}), "TimeoutSeconds": 5}
    assert only_problem(machine(P={"Type": "Parallel", "Branches": [branch], "End": True})) == (
        "/States/P/Branches/0",
        "unknown field 'TimeoutSeconds' in a Parallel branch",
    )


def test_validate_map_needs_item_processor():
    assert only_problem(machine(M={"Type": "Map", "End": True})) == (
        "/States/M",
        "needs exactly one of 'ItemProcessor', 'Iterator'",
    )


def test_validate_map_iterator_still_accepted():
    definition = machine(M={"Type": "Map", "Iterator": machine(I={"Type": "Pass", "End": True}), "End": True})
    assert problems_of(definition) == []


def test_validate_map_processor_config_mode():
    processor = {**machine(I={"Type": "Pass", "End": True}), "ProcessorConfig": {"Mode": "PARALLEL"}}
    assert only_problem(machine(M={"Type": "Map", "ItemProcessor": processor, "End": True})) == (
        "/States/M/ItemProcessor/ProcessorConfig/Mode",
        "'Mode' must be 'INLINE' or 'DISTRIBUTED', got 'PARALLEL'",
    )


def test_validate_map_distributed_needs_execution_type():
    processor = {**machine(I={"Type": "Pass", "End": True}), "ProcessorConfig": {"Mode": "DISTRIBUTED"}}
    assert only_problem(machine(M={"Type": "Map", "ItemProcessor": processor, "End": True})) == (
        "/States/M/ItemProcessor/ProcessorConfig",
        "a DISTRIBUTED 'ProcessorConfig' needs 'ExecutionType' ('STANDARD' or 'EXPRESS')",
    )


def test_validate_map_distributed_parts_valid():
    processor = {
        **machine(I={"Type": "Pass", "End": True}),
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
    }
    definition = machine(
        M={
            "Type": "Map",
            "ItemProcessor": processor,
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW", "MaxItems": 10},
                "Parameters": {"Bucket": "b", "Key.$": "$.key"},
            },
            "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"a": 1}},
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "b", "Prefix": "p"},
            },
            "ToleratedFailurePercentage": 5,
            "Label": "batch",
            "End": True,
        }
    )
    assert problems_of(definition) == []


def test_validate_map_item_reader_unknown_field_and_missing_resource():
    definition = machine(
        M={
            "Type": "Map",
            "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
            "ItemReader": {"ReaderConfg": {}},
            "End": True,
        }
    )
    assert problems_of(definition) == [
        (
            "/States/M/ItemReader",
            "unknown field 'ReaderConfg' in 'ItemReader' (did you mean 'ReaderConfig'?)",
        ),
        ("/States/M/ItemReader", "'ItemReader' needs 'Resource' (an ARN string)"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("MaxConcurrency", -1, "'MaxConcurrency' must be at least 0, got -1"),
        ("ToleratedFailureCount", -2, "'ToleratedFailureCount' must be at least 0, got -2"),
        (
            "ToleratedFailurePercentage",
            101,
            "'ToleratedFailurePercentage' must be a number between 0 and 100, got 101",
        ),
        ("Label", "x" * 41, "'Label' must be a string of at most 40 characters"),
    ],
)
def test_validate_map_numbers(field, value, message):
    definition = machine(
        M={
            "Type": "Map",
            "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
            field: value,
            "End": True,
        }
    )
    assert only_problem(definition) == (f"/States/M/{field}", message)


def test_validate_map_items_path_must_be_reference_path():
    definition = machine(
        M={
            "Type": "Map",
            "ItemsPath": "$.a[*]",
            "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
            "End": True,
        }
    )
    assert only_problem(definition) == (
        "/States/M/ItemsPath",
        "'ItemsPath' is not a valid reference path '$.a[*]': "
        "wildcards '[*]' are not allowed in a reference path",
    )


def test_validate_map_item_selector_and_parameters_exclusive():
    definition = machine(
        M={
            "Type": "Map",
            "ItemSelector": {},
            "Parameters": {},
            "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
            "End": True,
        }
    )
    assert only_problem(definition) == (
        "/States/M",
        "'ItemSelector' and 'Parameters' cannot be used together; use one of 'ItemSelector', 'Parameters'",
    )


# section: JSONata and variables


def test_validate_jsonata_state_rejects_jsonpath_fields():
    definition = machine(
        A={
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "InputPath": "$",
            "Parameters": {},
            "ResultPath": "$.r",
            "OutputPath": "$",
            "End": True,
        }
    )
    assert problems_of(definition) == [
        (
            "/States/A/InputPath",
            "'InputPath' is a JSONPath field and this state uses JSONata; read $states.input in expressions",
        ),
        (
            "/States/A/Parameters",
            "'Parameters' is a JSONPath field and this state uses JSONata; use 'Arguments'",
        ),
        (
            "/States/A/ResultPath",
            "'ResultPath' is a JSONPath field and this state uses JSONata; use 'Output' or 'Assign'",
        ),
        (
            "/States/A/OutputPath",
            "'OutputPath' is a JSONPath field and this state uses JSONata; use 'Output'",
        ),
    ]


def test_validate_jsonata_map_rejects_items_path():
    definition = {
        "QueryLanguage": "JSONata",
        **machine(
            M={
                "Type": "Map",
                "ItemsPath": "$.a",
                "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
                "End": True,
            }
        ),
    }
    assert only_problem(definition) == (
        "/States/M/ItemsPath",
        "'ItemsPath' is a JSONPath field and this state uses JSONata; use 'Items'",
    )


def test_validate_jsonpath_state_rejects_jsonata_fields():
    definition = machine(T=task(Arguments={}, Output={}))
    assert problems_of(definition) == [
        (
            "/States/T/Arguments",
            '\'Arguments\' is a JSONata field; set "QueryLanguage": "JSONata" on the state or the machine, '
            "or use 'Parameters'",
        ),
        (
            "/States/T/Output",
            '\'Output\' is a JSONata field; set "QueryLanguage": "JSONata" on the state or the machine, '
            "or use 'ResultSelector', 'ResultPath' or 'OutputPath'",
        ),
    ]


def test_validate_jsonata_machine_cannot_switch_state_back():
    definition = {
        "QueryLanguage": "JSONata",
        **machine(A={"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}),
    }
    assert only_problem(definition) == (
        "/States/A/QueryLanguage",
        "a state cannot use 'QueryLanguage' 'JSONPath' in a machine whose 'QueryLanguage' is 'JSONata'",
    )


def test_validate_jsonata_machine_cannot_switch_branch_back():
    branch = {**machine(X={"Type": "Pass", "End": True}), "QueryLanguage": "JSONPath"}
    definition = {
        "QueryLanguage": "JSONata",
        **machine(P={"Type": "Parallel", "Branches": [branch], "End": True}),
    }
    assert only_problem(definition) == (
        "/States/P/Branches/0/QueryLanguage",
        "a nested machine cannot switch 'QueryLanguage' back to 'JSONPath' inside a JSONata machine",
    )


def test_validate_jsonpath_machine_with_one_jsonata_state():
    definition = machine(
        A={"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"x": "{% 1 %}"}, "Next": "B"},
        B={"Type": "Pass", "ResultPath": "$.y", "End": True},
    )
    assert problems_of(definition) == []


def test_validate_jsonata_syntax_error_names_the_expression():
    definition = {
        "QueryLanguage": "JSONata",
        **machine(A={"Type": "Pass", "Output": {"x": "{% 1 + %}"}, "End": True}),
    }
    pointer, message = only_problem(definition)
    assert pointer == "/States/A/Output/x"
    assert "The JSONata expression '1 +' is invalid" in message


def test_validate_jsonata_expression_in_jsonpath_numeric_field():
    definition = machine(W={"Type": "Wait", "Seconds": "{% 5 %}", "End": True})
    assert only_problem(definition) == (
        "/States/W/Seconds",
        "'Seconds' must be an integer, got a JSONata expression; "
        'expressions need "QueryLanguage": "JSONata" on the state or the machine',
    )


def test_validate_assign_not_on_succeed_or_fail():
    definition = machine(S={"Type": "Succeed", "Assign": {"x": 1}})
    assert only_problem(definition) == ("/States/S", "'Assign' is not allowed in a Succeed state")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("states", "cannot assign variable 'states': 'states' is reserved (it names $states in JSONata)"),
        (
            "1abc",
            "cannot assign variable '1abc': variable names must start with a letter or '_' "
            "and contain only letters, digits and '_'",
        ),
        (
            "a-b",
            "cannot assign variable 'a-b': variable names must start with a letter or '_' "
            "and contain only letters, digits and '_'",
        ),
        ("v" * 81, f"cannot assign variable '{'v' * 81}': variable names are at most 80 characters"),
    ],
)
def test_validate_assign_variable_names(name, message):
    definition = machine(A={"Type": "Pass", "Assign": {name: 1}, "End": True})
    assert only_problem(definition) == (f"/States/A/Assign/{name}", message)


def test_validate_assign_jsonpath_dollar_key_checks_the_path():
    definition = machine(A={"Type": "Pass", "Assign": {"x.$": "oops"}, "End": True})
    pointer, message = only_problem(definition)
    assert pointer == "/States/A/Assign/x.$"
    assert message.startswith("'x.$' ends in '.$', so its value must be a path")


def test_validate_assign_on_catcher_and_choice_rule():
    catcher = {"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"}, "Next": "C"}
    definition = machine(
        T={"Type": "Task", "Resource": LAMBDA, "Catch": [catcher], "Next": "C"},
        C={
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Assign": {"seen": True}, "Next": "S"}],
            "Default": "S",
            "Assign": {"checked": True},
        },
        S={"Type": "Succeed"},
    )
    assert problems_of(definition) == []


# section: never raises, generated machines


_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        [
            "$",
            "$.a",
            "$..a",
            "States.ALL",
            "Pass",
            "Task",
            "A",
            "B",
            "{% 1 %}",
            "{% ( %}",
            "States.Format('{}')",
            "",
        ]
    )
)
_keys = st.sampled_from(
    [
        "Type",
        "Next",
        "End",
        "StartAt",
        "States",
        "A",
        "B",
        "Choices",
        "Variable",
        "StringEquals",
        "And",
        "Not",
        "Branches",
        "ItemProcessor",
        "Retry",
        "Catch",
        "ErrorEquals",
        "Parameters",
        "x.$",
        "Assign",
        "Seconds",
        "QueryLanguage",
        "ResultPath",
        "Condition",
        "Output",
        "ProcessorConfig",
        "Mode",
        "TimeoutSeconds",
    ]
)
_json_like = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(_json_like)
def test_validate_never_raises_on_arbitrary_json(value):
    found = validate_definition(value)
    assert isinstance(found, list)
    assert all(isinstance(p, str) and isinstance(m, str) for p, m in found)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_keys, _json_like, max_size=6), st.dictionaries(_keys, _json_like, max_size=6))
def test_validate_never_raises_on_machine_shaped_input(state_a, state_b):
    definition = {"StartAt": "A", "States": {"A": state_a, "B": state_b}}
    assert isinstance(validate_definition(definition), list)


@st.composite
def _valid_machines(draw, depth=0):
    count = draw(st.integers(1, 6))
    names = [f"S{depth}_{i}" for i in range(count)]
    states: dict[str, object] = {}
    for index, name in enumerate(names):
        following = names[index + 1] if index + 1 < count else None
        kinds = (
            ["Pass", "Wait", "Task"]
            + (["Choice"] if following else [])
            + (["Parallel", "Map"] if depth < 2 else [])
        )
        kind = draw(st.sampled_from(kinds))
        flow: dict[str, object] = {"Next": following} if following else {"End": True}
        if kind == "Pass":
            state: dict[str, object] = {"Type": "Pass", "Result": draw(_json_scalars), **flow}
        elif kind == "Wait":
            state = {"Type": "Wait", "Seconds": draw(st.integers(0, 100)), **flow}
        elif kind == "Task":
            state = {"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": ["States.ALL"]}], **flow}
        elif kind == "Choice":
            target = draw(st.sampled_from(names[index + 1 :]))
            state = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericGreaterThan": draw(st.integers()), "Next": target}],
                "Default": following,
            }
        elif kind == "Parallel":
            state = {
                "Type": "Parallel",
                "Branches": [draw(_valid_machines(depth=depth + 1 + index * 10))],
                **flow,
            }
        else:
            state = {
                "Type": "Map",
                "ItemProcessor": draw(_valid_machines(depth=depth + 1 + index * 10)),
                **flow,
            }
        states[name] = state
    terminal = draw(st.sampled_from(["Succeed", "Fail", None]))
    if terminal:
        last = names[-1]
        states[last] = {**states[last]}
        states[last].pop("End", None)  # type: ignore[attr-defined]
        states[last]["Next"] = f"End{depth}"  # type: ignore[index]
        states[f"End{depth}"] = {"Type": terminal}
    return {"StartAt": names[0], "States": states}


def _rename_uniquely(definition, counter=None):
    """Generated nested machines may reuse names; make every state name unique like AWS requires."""
    counter = counter if counter is not None else [0]
    mapping = {}
    for name in definition["States"]:
        counter[0] += 1
        mapping[name] = f"{name}_{counter[0]}"
    renamed = {}
    for name, state in definition["States"].items():
        state = copy.deepcopy(state)
        for key in ("Next", "Default"):
            if key in state:
                state[key] = mapping[state[key]]
        for rule in state.get("Choices", []):
            rule["Next"] = mapping[rule["Next"]]
        state["Branches"] = [_rename_uniquely(b, counter) for b in state.get("Branches", [])] or None
        if state["Branches"] is None:
            del state["Branches"]
        if "ItemProcessor" in state:
            state["ItemProcessor"] = _rename_uniquely(state["ItemProcessor"], counter)
        renamed[mapping[name]] = state
    return {"StartAt": mapping[definition["StartAt"]], "States": renamed}


@settings(max_examples=80, deadline=None)
@given(_valid_machines())
def test_validate_generated_valid_machines_have_no_problems(definition):
    definition = _rename_uniquely(definition)
    assert validate_definition(definition) == []


# section: the AWS-recorded corpus


_CORPUS = recordings("ASL_CONFORMANCE_CORPUS")


def _corpus_definitions():
    files = sorted((_CORPUS / "aws").glob("*.json")) + sorted((_CORPUS / "aws-outputs-only").glob("*.json"))
    for path in files:
        case = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(case, dict) and "definition" in case:
            yield path.name, case["definition"]


@pytest.mark.skipif(
    not _CORPUS.is_dir(), reason="ASL_CONFORMANCE_CORPUS does not name the AWS-recorded corpus"
)
def test_validate_accepts_every_aws_corpus_definition():
    rejected = {}
    count = 0
    for name, definition in _corpus_definitions():
        count += 1
        found = validate_definition(definition)
        if found:
            rejected[name] = found
    assert count > 900
    assert rejected == {}


def test_validate_jsonata_map_in_jsonpath_machine_may_hold_jsonpath_states():
    processor = {
        "QueryLanguage": "JSONPath",
        **machine(I={"Type": "Pass", "ResultPath": "$.seen", "End": True}),
    }
    definition = machine(
        M={
            "Type": "Map",
            "QueryLanguage": "JSONata",
            "Items": "{% [1, 2] %}",
            "ItemProcessor": processor,
            "End": True,
        }
    )
    assert problems_of(definition) == []


def test_validate_jsonata_map_children_default_to_jsonata():
    definition = machine(
        M={
            "Type": "Map",
            "QueryLanguage": "JSONata",
            "ItemProcessor": machine(I={"Type": "Pass", "Output": "{% $states.input %}", "End": True}),
            "End": True,
        }
    )
    assert problems_of(definition) == []


# section: the path scanner on its own


_path_alphabet = st.sampled_from(list("$.[]*?@()'\",:-_ab01 \\") + ["..", "$$", "length()"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_path_alphabet, max_size=12).map("".join))
def test_path_problem_never_raises(text):
    for reference in (False, True):
        result = path_problem(text, reference=reference)
        assert result is None or isinstance(result, str)


_segment = st.one_of(
    st.from_regex(r"\.[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True),
    st.integers(0, 99).map(lambda i: f"[{i}]"),
    st.from_regex(r"\['[A-Za-z0-9 _-]{1,6}'\]", fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["$", "$$", "$var"]), st.lists(_segment, max_size=6))
def test_path_problem_accepts_generated_reference_paths(root, segments):
    path = root + "".join(segments)
    assert path_problem(path, reference=True) is None
    assert path_problem(path) is None


# section: where JSONata expressions may appear


def test_validate_retrier_takes_no_expressions_even_in_jsonata():
    definition = {
        "QueryLanguage": "JSONata",
        **machine(T=task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": "{% 2 %}"}])),
    }
    assert only_problem(definition) == (
        "/States/T/Retry/0/MaxAttempts",
        "'MaxAttempts' must be an integer, got a JSONata expression; this field takes no expressions",
    )


def test_validate_item_reader_parameters_and_arguments_follow_the_language():
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "b"}}
    definition = machine(
        M={
            "Type": "Map",
            "ItemReader": reader,
            "ItemProcessor": machine(I={"Type": "Pass", "End": True}),
            "End": True,
        }
    )
    assert only_problem(definition) == (
        "/States/M/ItemReader/Arguments",
        '\'Arguments\' is a JSONata field; set "QueryLanguage": "JSONata" on the state or the machine, '
        "or use 'Parameters'",
    )
    reader = {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b"}}
    definition = {"QueryLanguage": "JSONata", **definition}
    definition["States"]["M"]["ItemReader"] = reader  # type: ignore[index]
    assert only_problem(definition) == (
        "/States/M/ItemReader/Parameters",
        "'Parameters' is a JSONPath field and this state uses JSONata; use 'Arguments'",
    )


def test_validate_result_path_cannot_name_a_variable():
    assert only_problem(machine(A={"Type": "Pass", "ResultPath": "$total", "End": True})) == (
        "/States/A/ResultPath",
        "'ResultPath' is not a valid reference path '$total': it names a variable ('$name'); "
        "set variables with 'Assign' instead",
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("$.a[?(@.b == 1]", "unclosed '[' at position 3"),
        ("$.a[?@.b]", "invalid filter '[?@.b]': write it as '[?(@.field == value)]'"),
        ("$.a[(@.length-1)", "unclosed '[' at position 3"),
        ("$.a[(@.length-1]", "unclosed '[' at position 3"),
        ("$.a[']']", None),
        ("$.a['x',y]", "invalid union '['x',y]'"),
        ("$.a[1:b]", "invalid slice '[1:b]'"),
        ("$.a[1:2:3:4]", "invalid slice '[1:2:3:4]'"),
        ("$.a[]", "empty brackets '[]'"),
        ("$.a b", None),
        ("$.a)", "unexpected character ')' at position 3"),
        ("$x)", "unexpected character ')' at position 2"),
        ("$.a.[0]", None),
        ("$.a.length()", None),
        ("$..*", None),
        ("$.a[-1]", None),
        ("$.a[(@.length-1)]", None),
        ("$['a','b']", None),
        ("$.a.(", "empty field name at position 4"),
    ],
)
def test_path_problem_messages(path, message):
    assert path_problem(path) == message


def test_validate_nested_machine_not_an_object():
    definition = machine(P={"Type": "Parallel", "Branches": ["x"], "End": True})
    assert only_problem(definition) == (
        "/States/P/Branches/0",
        "a Parallel branch must be an object with 'StartAt' and 'States', got a string",
    )


def test_validate_state_not_an_object_and_empty_name():
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "End": True}, "": {"Type": "Succeed"}, "B": 3},
    }
    found = problems_of(definition)
    assert ("/States/", "a state name must be a non-empty string") in found
    assert ("/States/B", "a state must be an object, got a number") in found


def test_validate_non_json_values_are_reported():
    definition = machine(A={"Type": "Pass", "Result": {1, 2}, "End": True})
    assert only_problem(definition) == (
        "",
        "the definition is not JSON-serializable: Object of type set is not JSON serializable",
    )


def test_validate_deeply_nested_definition_is_reported_not_raised():
    nested: object = {}
    for _ in range(100_000):
        nested = {"a": nested}
    found = problems_of(machine(A={"Type": "Pass", "Result": nested, "End": True}))
    assert found == [("", "the definition is nested too deeply to validate")]


def test_validate_comment_types():
    definition = {**machine(A={"Type": "Pass", "Comment": 1, "End": True}), "Comment": ["x"]}
    assert problems_of(definition) == [
        ("/Comment", "'Comment' must be a string, got an array"),
        ("/States/A/Comment", "'Comment' must be a string, got a number"),
    ]


def test_validate_state_query_language_value():
    assert only_problem(machine(A={"Type": "Pass", "QueryLanguage": "SQL", "End": True})) == (
        "/States/A/QueryLanguage",
        "'QueryLanguage' must be 'JSONPath' or 'JSONata', got 'SQL'",
    )


def test_validate_assign_must_be_object_or_jsonata_expression():
    jsonata = {
        "QueryLanguage": "JSONata",
        **machine(A={"Type": "Pass", "Assign": "{% {'x': 1} %}", "End": True}),
    }
    assert problems_of(jsonata) == []
    jsonpath = machine(A={"Type": "Pass", "Assign": "{% {'x': 1} %}", "End": True})
    assert only_problem(jsonpath) == (
        "/States/A/Assign",
        "'Assign' must be an object of variable names to values, got a string",
    )


def test_validation_package_and_its_old_module_give_the_same_function():
    from pytest_serverless.asl import validate, validation

    assert validate.validate_definition is validation.validate_definition
    assert validation.validate_definition({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}) == [
        ("/States/A", "needs 'Next' (the state to run next) or \"End\": true"),
        (
            "",
            "no terminal state can be reached from 'StartAt' 'A': "
            'add "End": true or a Succeed or Fail state',
        ),
    ]
