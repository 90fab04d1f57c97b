"""JSONPath data flow through the Python API: the context object of a named execution, and ResultPath leaving
the caller's input alone. The input/output facts of InputPath, Parameters, ResultSelector, ResultPath,
OutputPath and AWS's JSONPath dialect are JSON cases: ``cases/dataflow/jsonpath.json``."""

from __future__ import annotations

from pytest_serverless import StateMachine


def _pass(state: dict, value=None, **kwargs):
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **state}}}
    return StateMachine(definition, **kwargs).execute(value)


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


# section: ResultPath


def test_result_path_creates_nested_objects_without_touching_the_input():
    value = {"a": {"keep": 1}}
    execution = _pass({"Result": 5, "ResultPath": "$.a.b.c"}, value)
    assert execution.output == {"a": {"keep": 1, "b": {"c": 5}}}
    assert value == {"a": {"keep": 1}}
