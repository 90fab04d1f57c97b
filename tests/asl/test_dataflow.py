"""JSONPath data flow: InputPath, Parameters, ResultSelector, ResultPath, OutputPath, context, dialect."""

from __future__ import annotations

import pytest

from pytest_serverless import InvalidDefinition, StateMachine


def _pass(state: dict, value=None, **kwargs):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **state}}}
    return StateMachine(definition, **kwargs).execute(value)


def _task(state: dict, value, result, **kwargs):
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True, **state}
        },
    }
    return StateMachine(definition, **kwargs).execute(value, mocks={"T": [{"Return": result}]})


# section: InputPath / OutputPath


def test_input_path_selects_and_null_gives_empty_object():
    assert _pass({"InputPath": "$.a"}, {"a": {"b": 1}}).output == {"b": 1}
    assert _pass({"InputPath": None}, {"a": 1}).output == {}


def test_output_path_selects_and_null_gives_empty_object():
    assert _pass({"OutputPath": "$.a.b"}, {"a": {"b": [1]}}).output == [1]
    assert _pass({"OutputPath": None}, {"a": 1}).output == {}


def test_missing_input_path_is_a_runtime_error_with_aws_cause():
    execution = _pass({"InputPath": "$.nope"}, {"a": 1})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "Invalid path '$.nope' : No results for path: $['nope']"
    )


def test_missing_intermediate_property_names_the_missing_step():
    execution = _pass({"OutputPath": "$.no.such.path"}, {})
    assert execution.cause.endswith("Invalid path '$.no.such.path' : Missing property in path $['no']")


# section: Parameters and payload templates


def test_parameters_with_paths_context_and_literals():
    execution = _pass(
        {
            "Parameters": {
                "literal": "$.not.a.path",
                "value.$": "$.a",
                "nested": {"deep.$": "$.b[1]"},
                "name.$": "$$.State.Name",
                "list": [{"x.$": "$.a"}],
            }
        },
        {"a": 1, "b": [10, 20]},
    )
    assert execution.output == {
        "literal": "$.not.a.path",
        "value": 1,
        "nested": {"deep": 20},
        "name": "P",
        "list": [{"x": 1}],
    }


def test_parameters_missing_path_cause_echoes_the_input():
    execution = _pass({"Parameters": {"b.$": "$.v"}}, {"a": "é"})
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "The JSONPath '$.v' specified for the field 'b.$' could not be found in the input '{\"a\":\"é\"}'"
    )


def test_parameters_with_intrinsic_functions():
    execution = _pass(
        {"Parameters": {"text.$": "States.Format('{} has {} items', $.name, States.ArrayLength($.items))"}},
        {"name": "cart", "items": [1, 2, 3]},
    )
    assert execution.output == {"text": "cart has 3 items"}


def test_context_object_fields():
    definition = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}},
    }
    execution = StateMachine(definition, name="Ctx").execute({"in": 1}, name="exec-1")
    context = execution.output["ctx"]
    assert context["Execution"] == {
        "Id": "arn:aws:states:us-east-1:123456789012:execution:Ctx:exec-1",
        "Input": {"in": 1},
        "StartTime": "2024-01-01T00:00:00.000Z",
        "Name": "exec-1",
        "RoleArn": "arn:aws:iam::123456789012:role/StepFunctions-Ctx-role",
        "RedriveCount": 0,
    }
    assert context["State"] == {"EnteredTime": "2024-01-01T00:00:00.000Z", "Name": "P", "RetryCount": 0}
    assert context["StateMachine"] == {
        "Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Ctx",
        "Name": "Ctx",
    }


# section: AWS's JSONPath dialect


ITEMS = {"items": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": "x"}], "k": 2}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.items[?(@.a > 1 && @.b == 'x')].a", [3]),
        ("$.items[?(@.a == 1 || @.b == 'y')].a", [1, 2]),
        ("$.items[?(@.a > 5)]", []),
        ("$.items[?(!(@.a > 1))].a", [1]),
        ("$.items[?(@.a == $.k)].b", ["y"]),
        ("$.items[?(@.b =~ /X/i)].a", [1, 3]),
        ("$.items[*].a", [1, 2, 3]),
        ("$.items[0:2].a", [1, 2]),
        ("$..b", ["x", "y", "x"]),
        ("$.items[-1:].a", [3]),
        ("$.items[-1].a", 3),
        ("$['items'][0]['b']", "x"),
        # a dot before a bracket is the bracket alone (Jayway): one value, not a list
        ("$.items.[0].b", "x"),
        ("$.['items'].[2]['a']", 3),
        ("$.['k']", 2),
        ("$.items.[?(@.a > 1)].a", [2, 3]),
        ("$..[0].a", [1]),
        # lists in filters are read permissively (json-smart): unquoted words are strings
        ("$.items[?(@.b in [y, 'z'])].a", [2]),
        ("$.items[?(@.b nin [x])].a", [2]),
        ("$.items[?(@.a in [1, true, null])].a", [1]),
    ],
)
def test_jsonpath_dialect(path, expected):
    assert _pass({"Parameters": {"r.$": path}}, ITEMS).output == {"r": expected}


def test_jsonpath_dot_bracket_as_input_and_result_path():
    definition = {"InputPath": "$.['items'].[1]", "ResultPath": "$.['out']"}
    assert _pass(definition, ITEMS).output == {**ITEMS, "out": {"a": 2, "b": "y"}}


def test_jsonpath_unquoted_filter_word_is_refused_with_a_hint():
    with pytest.raises(InvalidDefinition) as caught:
        _pass({"Parameters": {"r.$": "$.items[?(@.b == x)]"}}, ITEMS)
    assert caught.value.problems == [
        (
            "/States/P/Parameters",
            "The value '$.items[?(@.b == x)]' is not a valid JSONPath: cannot parse filter expression "
            "'@.b == x' at position 7: the unquoted word 'x' is not a value (quote a string: 'x')",
        )
    ]


# section: ResultPath


def test_result_path_replaces_by_default_and_null_discards():
    assert _pass({"Result": {"r": 1}}, {"a": 1}).output == {"r": 1}
    assert _pass({"Result": {"r": 1}, "ResultPath": None}, {"a": 1}).output == {"a": 1}


def test_result_path_creates_nested_objects_without_touching_the_input():
    value = {"a": {"keep": 1}}
    execution = _pass({"Result": 5, "ResultPath": "$.a.b.c"}, value)
    assert execution.output == {"a": {"keep": 1, "b": {"c": 5}}}
    assert value == {"a": {"keep": 1}}


def test_result_path_through_a_non_object_is_a_match_failure():
    execution = _pass({"Result": 5, "ResultPath": "$.a.b"}, {"a": "text"})
    assert execution.status == "FAILED"
    assert execution.error == "States.ResultPathMatchFailure"


# section: ResultSelector and the Task data flow order


def test_task_data_flow_order():
    execution = _task(
        {
            "InputPath": "$.order",
            "Parameters": {"id.$": "$.id"},
            "ResultSelector": {"status.$": "$.body.status"},
            "ResultPath": "$.result",
            "OutputPath": "$.result",
        },
        {"order": {"id": 7}},
        {"body": {"status": "sent"}, "noise": True},
    )
    assert execution.output == {"status": "sent"}
    assert execution.task_calls[0].input == {"id": 7}


def test_result_selector_then_result_path_keeps_raw_input():
    execution = _task(
        {"InputPath": "$.a", "ResultSelector": {"x.$": "$.x"}, "ResultPath": "$.out"},
        {"a": 1, "b": 2},
        {"x": 3},
    )
    assert execution.output == {"a": 1, "b": 2, "out": {"x": 3}}
