"""The JSONata query language inside the engine: every field that takes ``{% %}``, ``$states``, mixing."""

from __future__ import annotations

from pytest_serverless import StateMachine

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _jsonata(states: dict, start: str) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


def test_task_arguments_and_output():
    definition = _jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Arguments": {"id": "{% $states.input.order.id %}", "fixed": 1},
                "Output": {"status": "{% $states.result.status %}", "id": "{% $states.input.order.id %}"},
                "End": True,
            }
        },
        "T",
    )
    execution = StateMachine(definition).execute(
        {"order": {"id": 7}}, mocks={"T": [{"Return": {"status": "ok"}}]}
    )
    assert execution.task_calls[0].input == {"id": 7, "fixed": 1}
    assert execution.output == {"status": "ok", "id": 7}


def test_default_output_is_the_result_for_tasks_and_the_input_for_pass():
    definition = _jsonata(
        {
            "P": {"Type": "Pass", "Next": "T"},
            "T": {"Type": "Task", "Resource": FUNCTION, "End": True},
        },
        "P",
    )
    execution = StateMachine(definition).execute({"a": 1}, mocks={"T": [{"Return": "r"}]})
    assert execution.task_calls[0].input == {"a": 1}
    assert execution.output == "r"


def test_context_in_states_context():
    definition = _jsonata(
        {"P": {"Type": "Pass", "Output": "{% $states.context.State.Name %}", "End": True}}, "P"
    )
    assert StateMachine(definition).execute({}).output == "P"


def test_catch_output_and_error_output():
    definition = _jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {"error": "{% $states.errorOutput.Error %}", "in": "{% $states.input %}"},
                        "Next": "H",
                    }
                ],
                "End": True,
            },
            "H": {"Type": "Pass", "End": True},
        },
        "T",
    )
    execution = StateMachine(definition).execute(
        {"a": 1}, mocks={"T": [{"Throw": {"Error": "E", "Cause": "c"}}]}
    )
    assert execution.output == {"error": "E", "in": {"a": 1}}


def test_wait_seconds_and_timestamp_expressions():
    seconds = _jsonata({"W": {"Type": "Wait", "Seconds": "{% $states.input.s * 2 %}", "End": True}}, "W")
    assert StateMachine(seconds).execute({"s": 5}).duration == 10
    timestamp = _jsonata({"W": {"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": True}}, "W")
    assert StateMachine(timestamp).execute({"t": "2024-01-01T00:01:00Z"}).duration == 60
    bad = StateMachine(timestamp).execute({"t": "2016-12-05 21:29:29Z"})
    assert bad.error == "States.QueryEvaluationError"
    assert bad.cause == (
        "An error occurred while executing the state 'W' (entered at the event id #2). The Timestamp field "
        "cannot be parsed as an ISO-8601 extended offset date-time format string: 2016-12-05 21:29:29Z"
    )


def test_fail_error_and_cause_expressions():
    definition = _jsonata(
        {
            "F": {
                "Type": "Fail",
                "Error": "{% $states.input.e %}",
                "Cause": "{% 'because ' & $states.input.c %}",
            }
        },
        "F",
    )
    execution = StateMachine(definition).execute({"e": "Bad", "c": "reasons"})
    assert (execution.error, execution.cause) == ("Bad", "because reasons")


def test_map_items_item_selector_and_max_concurrency():
    definition = _jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.list %}",
                "ItemSelector": {
                    "v": "{% $states.context.Map.Item.Value %}",
                    "i": "{% $states.context.Map.Item.Index %}",
                },
                "MaxConcurrency": "{% 1 %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
        "M",
    )
    assert StateMachine(definition).execute({"list": ["a", "b"]}).output == [
        {"v": "a", "i": 0},
        {"v": "b", "i": 1},
    ]


def test_items_of_the_wrong_type():
    definition = _jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
        "M",
    )
    execution = StateMachine(definition).execute({"foo": "bar"})
    assert execution.error == "States.QueryEvaluationError"
    assert execution.cause == (
        "An error occurred while executing the state 'M' (entered at the event id #2). The JSONata "
        "expression '$states.input' specified for the field 'Items' returned an unexpected result type. "
        "Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    )
    assert [event["type"] for event in execution.history][-3:] == [
        "EvaluationFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]


def test_timeout_seconds_expression():
    definition = _jsonata(
        {"T": {"Type": "Task", "Resource": FUNCTION, "TimeoutSeconds": "{% $states.input.t %}", "End": True}},
        "T",
    )
    execution = StateMachine(definition).execute({"t": 2}, mocks={"T": [{"Return": 1, "Duration": 5}]})
    assert (execution.error, execution.duration) == ("States.Timeout", 2)


def test_query_evaluation_error_records_evaluation_failed_and_is_catchable():
    definition = _jsonata(
        {
            "P": {
                "Type": "Task",
                "Resource": FUNCTION,
                "Arguments": {"x": "{% $missing %}"},
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "H"}],
                "End": True,
            },
            "H": {"Type": "Pass", "End": True},
        },
        "P",
    )
    execution = StateMachine(definition).execute({}, mocks={"P": [{"Return": 1}]})
    assert execution.path == ["P", "H"]
    assert execution.output["Error"] == "States.QueryEvaluationError"
    assert execution.output["Cause"] == (
        "An error occurred while executing the state 'P' (entered at the event id #2). The JSONata "
        "expression '$missing' specified for the field 'Arguments/x' returned nothing (undefined)."
    )
    failed = [event for event in execution.history if event["type"] == "EvaluationFailed"]
    assert failed[0]["evaluationFailedEventDetails"]["location"] == "Arguments/x"


def test_mixed_machine_jsonpath_top_level_with_a_jsonata_state():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "Next": "B"},
            "B": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $states.input.n + 1 %}",
                "Next": "C",
            },
            "C": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True},
        },
    }
    assert StateMachine(definition).execute({"n": 1}).output == {"v": 2}


def test_jsonata_chain_parallel():
    definition = _jsonata(
        {
            "Par": {
                "Type": "Parallel",
                "Arguments": {"n": "{% $states.input.n %}"},
                "Branches": [
                    {
                        "StartAt": "A",
                        "States": {"A": {"Type": "Pass", "Output": "{% $states.input.n * 2 %}", "End": True}},
                    },
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Pass", "Output": "{% $states.input.n * 3 %}", "End": True}},
                    },
                ],
                "Output": "{% $sum($states.result) %}",
                "End": True,
            }
        },
        "Par",
    )
    assert StateMachine(definition).execute({"n": 2}).output == 10
