"""TestState in process (API.md section 10): one state, an input, a mock; statuses, inspection levels,
every state kind, TestState's request checks. AWS messages quoted here were recorded against TestState."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import (
    InvalidDefinition,
    StateMachine,
    TaskFailure,
    TestStateResult,
    UnmockedTask,
    UsageError,
    VirtualClock,
)

ORDER = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$.order"},
            "ResultSelector": {"paid.$": "$.Payload.paid"},
            "ResultPath": "$.charge",
            "Retry": [
                {"ErrorEquals": ["Busy"], "MaxAttempts": 3, "IntervalSeconds": 2, "BackoffRate": 3},
                {"ErrorEquals": ["Capped"], "MaxAttempts": 5, "IntervalSeconds": 10, "MaxDelaySeconds": 15},
            ],
            "Catch": [
                {"ErrorEquals": ["Declined"], "Next": "Refuse", "ResultPath": "$.error"},
                {"ErrorEquals": ["States.ALL"], "Next": "Refuse"},
            ],
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.charge.paid", "BooleanEquals": True, "Next": "Ship"}],
            "Default": "Refuse",
        },
        "Ship": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Succeed", "OutputPath": "$.charge"},
        "Refuse": {"Type": "Fail", "Error": "NotPaid", "CausePath": "$.reason"},
    },
}
INPUT = {"order": {"id": 7}}
PAID = {"Payload": {"paid": True}}


@pytest.fixture
def sm():
    return StateMachine(ORDER, name="Orders")


# section: statuses


def test_succeeded_with_mocked_result_gives_output_and_next_state(sm):
    result = sm.test_state("Charge", INPUT, mock={"result": json.dumps(PAID)})
    assert isinstance(result, TestStateResult)
    assert result.status == "SUCCEEDED"
    assert result.output == {"order": {"id": 7}, "charge": {"paid": True}}
    assert result.next_state == "Check"
    assert (result.error, result.cause) == (None, None)
    assert result.inspection_data == {}


def test_mock_result_may_be_a_value_instead_of_json_text(sm):
    assert sm.test_state("Charge", INPUT, mock={"result": PAID}).output["charge"] == {"paid": True}


def test_retriable_while_the_matching_retrier_has_attempts_left(sm):
    mock = {"errorOutput": {"error": "Busy", "cause": "try later"}}
    result = sm.test_state("Charge", INPUT, mock=mock, inspection_level="DEBUG")
    assert (result.status, result.error, result.cause) == ("RETRIABLE", "Busy", "try later")
    assert result.output is None
    assert result.next_state is None
    assert result.inspection_data["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 2}


def test_retry_backoff_grows_with_retrier_retry_count_and_is_capped(sm):
    busy = {"errorOutput": {"error": "Busy", "cause": "c"}}
    config = {"retrierRetryCount": 2}
    result = sm.test_state("Charge", INPUT, mock=busy, inspection_level="DEBUG", state_configuration=config)
    assert result.inspection_data["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 18}
    capped = {"errorOutput": {"error": "Capped", "cause": "c"}}
    result = sm.test_state("Charge", INPUT, mock=capped, inspection_level="DEBUG", state_configuration=config)
    assert result.inspection_data["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 15}


def test_caught_error_once_retries_are_used_up(sm):
    mock = {"errorOutput": {"error": "Busy", "cause": "try later"}}
    config = {"retrierRetryCount": 3}
    result = sm.test_state("Charge", INPUT, mock=mock, inspection_level="DEBUG", state_configuration=config)
    assert (result.status, result.error, result.cause) == ("CAUGHT_ERROR", "Busy", "try later")
    assert result.next_state == "Refuse"
    assert result.output == {"Error": "Busy", "Cause": "try later"}
    assert result.inspection_data["errorDetails"] == {"catchIndex": 1}


def test_caught_error_applies_the_catchers_result_path(sm):
    result = sm.test_state("Charge", INPUT, mock={"errorOutput": {"error": "Declined", "cause": "card"}})
    assert result.status == "CAUGHT_ERROR"
    assert result.output == {"order": {"id": 7}, "error": {"Error": "Declined", "Cause": "card"}}
    assert result.next_state == "Refuse"


def test_failed_when_nothing_retries_or_catches():
    definition = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}
    result = StateMachine.test_state(definition, {}, mock={"errorOutput": {"error": "Boom", "cause": "c"}})
    assert (result.status, result.error, result.cause, result.output) == ("FAILED", "Boom", "c", None)


def test_fail_state_reports_its_error_and_cause(sm):
    result = sm.test_state("Refuse", {"reason": "card declined"})
    assert (result.status, result.error, result.cause) == ("FAILED", "NotPaid", "card declined")
    assert result.next_state is None


def test_runtime_errors_are_never_retried_or_caught(sm):
    definition = dict(ORDER["States"]["Charge"], InputPath="$.missing")
    result = StateMachine.test_state(
        definition, INPUT, mock={"result": "{}"}, state_configuration={"retrierRetryCount": 0}
    )
    assert result.status == "FAILED"
    assert result.error == "States.Runtime"
    assert "Invalid path '$.missing'" in result.cause


# section: inspection levels


def test_info_has_no_inspection_data(sm):
    assert (
        sm.test_state("Charge", INPUT, mock={"result": PAID}, inspection_level="INFO").inspection_data == {}
    )


def test_debug_shows_each_data_flow_step_of_a_task(sm):
    result = sm.test_state("Charge", INPUT, mock={"result": PAID}, inspection_level="DEBUG")
    assert result.inspection_data == {
        "input": {"order": {"id": 7}},
        "afterInputPath": {"order": {"id": 7}},
        "afterParameters": {"FunctionName": "charge", "Payload": {"id": 7}},
        "result": {"Payload": {"paid": True}},
        "afterResultSelector": {"paid": True},
        "afterResultPath": {"order": {"id": 7}, "charge": {"paid": True}},
    }


def test_trace_adds_the_http_request_and_response_of_an_http_task():
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {
            "ApiEndpoint": "https://api.example.com/orders",
            "Method": "POST",
            "QueryParameters": {"dry": "true"},
            "RequestBody": {"id.$": "$.id"},
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/x/y"},
        },
        "ResultSelector": {"status.$": "$.StatusCode"},
        "End": True,
    }
    answer = {"StatusCode": 201, "StatusText": "Created", "Headers": {"a": "b"}, "ResponseBody": {"ok": True}}
    trace = StateMachine.test_state(definition, {"id": 3}, mock={"result": answer}, inspection_level="TRACE")
    assert trace.output == {"status": 201}
    assert trace.inspection_data["request"] == {
        "protocol": "https",
        "method": "POST",
        "url": "https://api.example.com/orders?dry=true",
        "headers": "{}",
        "body": '{"id":3}',
    }
    assert trace.inspection_data["response"] == {
        "protocol": "https",
        "statusCode": "201",
        "statusMessage": "Created",
        "headers": '{"a":"b"}',
        "body": '{"ok":true}',
    }
    debug = StateMachine.test_state(definition, {"id": 3}, mock={"result": answer}, inspection_level="DEBUG")
    assert "request" not in debug.inspection_data
    assert "response" not in debug.inspection_data


def test_trace_of_a_state_that_is_not_an_http_task_is_debug(sm):
    trace = sm.test_state("Charge", INPUT, mock={"result": PAID}, inspection_level="TRACE")
    debug = sm.test_state("Charge", INPUT, mock={"result": PAID}, inspection_level="DEBUG")
    assert trace.inspection_data == debug.inspection_data


def test_unknown_inspection_level_is_refused(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Check", {}, inspection_level="VERBOSE")
    assert (
        str(raised.value)
        == "test_state(inspection_level=...) must be one of INFO, DEBUG, TRACE (got 'VERBOSE')"
    )


# section: state kinds


def test_pass_without_result_shows_input_path_and_parameters():
    definition = {
        "Type": "Pass",
        "InputPath": "$.initial",
        "Parameters": {"static": "v", "copied.$": "$.field"},
        "ResultPath": "$.modified",
        "End": True,
    }
    result = StateMachine.test_state(definition, {"initial": {"field": "x"}}, inspection_level="DEBUG")
    assert result.output == {"initial": {"field": "x"}, "modified": {"static": "v", "copied": "x"}}
    assert result.inspection_data == {
        "input": {"initial": {"field": "x"}},
        "afterInputPath": {"field": "x"},
        "afterParameters": {"static": "v", "copied": "x"},
        "afterResultSelector": {"static": "v", "copied": "x"},
        "afterResultPath": {"initial": {"field": "x"}, "modified": {"static": "v", "copied": "x"}},
    }


def test_pass_with_result_shows_the_result_as_aws_records_it():
    definition = {"Type": "Pass", "Result": {"k": "v"}, "End": True}
    result = StateMachine.test_state(definition, {"Value": 1}, inspection_level="DEBUG")
    assert result.inspection_data == {
        "input": {"Value": 1},
        "result": {"k": "v"},
        "afterResultSelector": {"k": "v"},
        "afterResultPath": {"k": "v"},
    }


def test_choice_gives_the_chosen_next_state_and_no_match_fails(sm):
    chosen = sm.test_state("Check", {"charge": {"paid": True}}, inspection_level="DEBUG")
    assert (chosen.status, chosen.next_state, chosen.output) == (
        "SUCCEEDED",
        "Ship",
        {"charge": {"paid": True}},
    )
    assert chosen.inspection_data == {
        "input": {"charge": {"paid": True}},
        "afterInputPath": {"charge": {"paid": True}},
    }
    assert sm.test_state("Check", {"charge": {"paid": False}}).next_state == "Refuse"
    no_default = {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "A"}]}
    failed = StateMachine.test_state(no_default, {})
    assert (failed.status, failed.error, failed.cause) == ("FAILED", "States.NoChoiceMatched", "No Matches!")


def test_wait_does_not_wait():
    clock = VirtualClock()
    sm = StateMachine(ORDER, clock=clock)
    before = clock.time()
    result = sm.test_state("Ship", {"a": 1})
    assert (result.status, result.next_state, result.output) == ("SUCCEEDED", "Done", {"a": 1})
    assert clock.time() == before


def test_succeed_applies_its_paths_and_has_no_next_state(sm):
    result = sm.test_state("Done", {"charge": {"paid": True}}, inspection_level="DEBUG")
    assert (result.status, result.output, result.next_state) == ("SUCCEEDED", {"paid": True}, None)
    assert result.inspection_data == {
        "input": {"charge": {"paid": True}},
        "afterInputPath": {"charge": {"paid": True}},
    }


def test_jsonata_task_shows_arguments_and_assigns_variables():
    definition = {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "f", "Payload": {"total": "{% $states.input.price * $rate %}"}},
        "Assign": {"last": "{% $states.result.Payload %}"},
        "Output": {"charged": "{% $states.result.Payload %}", "id": "{% $states.input.id %}"},
        "End": True,
    }
    result = StateMachine.test_state(
        definition,
        {"price": 10, "id": "o-1"},
        mock={"result": {"Payload": 12}},
        variables={"rate": 1.2},
        inspection_level="DEBUG",
    )
    assert result.output == {"charged": 12, "id": "o-1"}
    assert result.inspection_data == {
        "input": {"price": 10, "id": "o-1"},
        "afterArguments": {"FunctionName": "f", "Payload": {"total": 12}},
        "result": {"Payload": 12},
        "variables": {"rate": 1.2, "last": 12},
    }


def test_jsonata_choice_reads_variables():
    definition = {
        "QueryLanguage": "JSONata",
        "Type": "Choice",
        "Choices": [{"Condition": "{% $limit > $states.input.n %}", "Next": "Small"}],
        "Default": "Big",
    }
    assert StateMachine.test_state(definition, {"n": 1}, variables={"limit": 5}).next_state == "Small"
    assert StateMachine.test_state(definition, {"n": 9}, variables={"limit": 5}).next_state == "Big"


def test_jsonpath_reads_variables_given_as_json_text():
    definition = {"Type": "Pass", "Parameters": {"v.$": "$who"}, "End": True}
    assert StateMachine.test_state(definition, {}, variables='{"who": "me"}').output == {"v": "me"}


def test_map_with_a_mocked_result():
    definition = {
        "Type": "Map",
        "ItemsPath": "$.Values",
        "MaxConcurrency": 2,
        "ToleratedFailureCount": 1,
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
        "ResultPath": "$.results",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
        "Next": "After",
    }
    values = {"Values": ["a", "b", "c"]}
    result = StateMachine.test_state(
        definition, values, mock={"result": "[1, 2, 3]"}, inspection_level="DEBUG"
    )
    assert (result.status, result.next_state) == ("SUCCEEDED", "After")
    assert result.output == {"Values": ["a", "b", "c"], "results": [1, 2, 3]}
    assert result.inspection_data == {
        "input": values,
        "afterInputPath": values,
        "afterItemsPath": ["a", "b", "c"],
        "maxConcurrency": 2,
        "toleratedFailureCount": 1,
    }
    below = StateMachine.test_state(
        definition, values, mock={"result": "[1, 2, 3]"}, state_configuration={"mapIterationFailureCount": 1}
    )
    assert below.status == "SUCCEEDED"
    above = StateMachine.test_state(
        definition,
        values,
        mock={"result": "[1, 2, 3]"},
        state_configuration={"mapIterationFailureCount": 2},
        inspection_level="DEBUG",
    )
    assert (above.status, above.error, above.cause, above.next_state) == (
        "CAUGHT_ERROR",
        "States.ExceedToleratedFailureThreshold",
        "The specified tolerated failure threshold was exceeded",
        "Handle",
    )
    assert above.inspection_data["errorDetails"] == {"catchIndex": 0}


def test_map_failure_count_without_a_declared_tolerance_is_ignored_as_on_aws():
    definition = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    result = StateMachine.test_state(
        definition, [1, 2], mock={"result": [0, 1]}, state_configuration={"mapIterationFailureCount": 2}
    )
    assert (result.status, result.output) == ("SUCCEEDED", [0, 1])


def test_map_with_a_mocked_error_from_an_inner_state():
    definition = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    result = StateMachine.test_state(
        definition,
        [1],
        mock={"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}},
        state_configuration={"errorCausedByState": "Item"},
    )
    assert (result.status, result.error, result.cause) == (
        "FAILED",
        "MockException",
        "Mock the cause of the error.",
    )


def test_parallel_with_a_mocked_result():
    definition = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
            {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "End": True}}},
        ],
        "ResultSelector": {"first.$": "$[0]"},
        "End": True,
    }
    result = StateMachine.test_state(definition, {}, mock={"result": '[{"a": 1}, {"b": 2}]'})
    assert (result.status, result.output) == ("SUCCEEDED", {"first": {"a": 1}})


def test_a_state_inside_a_map_is_found_by_name():
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {"Double": {"Type": "Pass", "Parameters": {"n.$": "$.n"}, "End": True}},
                },
                "End": True,
            }
        },
    }
    assert StateMachine(definition).test_state("Double", {"n": 2, "x": 1}).output == {"n": 2}


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::ecs:runTask.sync",
        "arn:aws:states:us-east-1:123456789012:activity:review",
    ],
)
def test_callback_sync_and_activity_tasks_run_with_a_mock(resource):
    definition = {"Type": "Task", "Resource": resource, "End": True}
    result = StateMachine.test_state(definition, {}, mock={"result": '{"done": true}'})
    assert (result.status, result.output) == ("SUCCEEDED", {"done": True})


def test_wait_for_task_token_sees_a_token_in_the_context():
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    result = StateMachine.test_state(definition, {}, mock={"result": "{}"}, inspection_level="DEBUG")
    assert result.inspection_data["afterParameters"] == {"MessageBody": {"token": "test-state-task-token"}}


# section: tasks without a mock


def test_task_without_mock_calls_its_handler_as_execute_would():
    calls = []

    def charge(event, context):
        calls.append((event, context.function_name))
        return {"paid": event["id"] == 7}

    sm = StateMachine(ORDER, tasks={"charge": charge})
    result = sm.test_state("Charge", INPUT)
    assert result.output == {"order": {"id": 7}, "charge": {"paid": True}}
    assert calls == [({"id": 7}, "charge")]


def test_handler_failures_go_through_retry_and_catch():
    def busy(event, context):
        raise TaskFailure("Busy", "later")

    def crash(event, context):
        raise ValueError("bad input")

    assert StateMachine(ORDER, tasks={"charge": busy}).test_state("Charge", INPUT).status == "RETRIABLE"
    crashed = StateMachine(ORDER, tasks={"charge": crash}).test_state("Charge", INPUT)
    assert (crashed.status, crashed.error, crashed.next_state) == ("CAUGHT_ERROR", "ValueError", "Refuse")


def test_task_without_mock_or_handler_is_unmocked(sm):
    with pytest.raises(UnmockedTask) as raised:
        sm.test_state("Charge", INPUT)
    assert raised.value.state_name == "Charge"
    assert "test_state() takes mock={'result': ...} or {'errorOutput': ...} for it." in str(raised.value)


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync",
        "arn:aws:states:us-east-1:123456789012:activity:review",
    ],
)
def test_callback_sync_and_activity_tasks_need_a_mock(resource):
    with pytest.raises(UsageError) as raised:
        StateMachine.test_state({"Type": "Task", "Resource": resource, "Next": "X"}, {})
    assert str(raised.value) == (
        "TestState supports Activity tasks and the .sync and .waitForTaskToken "
        "integration patterns only when "
        f"a mock is specified: give mock={{'result': ...}} for the Task state 'TestState' "
        f"(resource '{resource}')"
    )


# section: context and variables


def test_a_given_context_is_the_whole_context_object():
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f", "Payload": {}},
        "ResultSelector": {"ctx.$": "$$", "name.$": "$$.Execution.Name"},
        "End": True,
    }
    context = {"Execution": {"Name": "run-1", "Input": {"a": 1}}, "State": {"RetryCount": 2}}
    result = StateMachine.test_state(definition, {}, mock={"result": "{}"}, context=context)
    assert result.output == {"ctx": context, "name": "run-1"}


def test_the_default_context_names_the_state_and_its_retry_count(sm):
    definition = {"Type": "Pass", "Parameters": {"s.$": "$$.State"}, "End": True}
    sm = StateMachine({"StartAt": "P", "States": {"P": definition}}, clock=VirtualClock())
    state = sm.test_state("P", {}).output["s"]
    assert state == {"EnteredTime": "2024-01-01T00:00:00.000Z", "Name": "P", "RetryCount": 0}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"Execution": {"Id": 1}}, "Invalid Context object provided: Execution.Id must be a string"),
        (
            {"Map": {}},
            "Invalid Context object provided: 'Map' field is not supported when mocking a Context object",
        ),
        (
            {"Execution": {"pokemon": "squirtle"}},
            "Invalid Context object provided: Field 'pokemon' is not allowed",
        ),
        ({"Pokedex": {}}, "Invalid Context object provided: Field 'Pokedex' is not allowed"),
    ],
)
def test_invalid_context_objects_get_testates_messages(sm, context, message):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, mock={"result": PAID}, context=context)
    assert str(raised.value) == message


def test_context_needs_a_mock(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Check", {}, context={"Execution": {}})
    assert str(raised.value) == (
        "test_state(context=...) needs a mock: TestState accepts a Context object only "
        "when a mock is specified "
        "(mock={'result': ...} or {'errorOutput': ...})"
    )


def test_variables_must_be_an_object(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Check", {}, variables=[1])
    assert (
        str(raised.value)
        == "test_state(variables=...) takes a JSON object of variable names to values, got [1]"
    )


# section: what TestState refuses


def test_unknown_state_name_says_did_you_mean(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Chrage", INPUT)
    assert str(raised.value) == (
        "State not found in definition: 'Chrage' is not a state of state machine 'Orders'; did you mean "
        "'Charge'? (its states: 'Charge', 'Check', 'Done', 'Refuse', 'Ship')"
    )


def test_state_name_keyword_on_a_machine_is_refused(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, state_name="Ship")
    assert str(raised.value) == (
        "sm.test_state() takes the state's name as its first argument; state_name= is for "
        "StateMachine.test_state(definition, ..., state_name=...)"
    )
    assert isinstance(raised.value, TypeError)  # as an unknown keyword argument was before


@pytest.mark.parametrize("name", ["Done", "Refuse", "Check", "Ship"])
def test_a_mock_on_a_state_without_a_task_is_refused(sm, name):
    state_type = ORDER["States"][name]["Type"]
    for mock in ({"result": "{}"}, {"errorOutput": {"error": "E", "cause": "C"}}):
        with pytest.raises(UsageError) as raised:
            sm.test_state(name, {}, mock=mock)
        assert str(raised.value) == f"State type '{state_type}' is not supported when a mock is specified"


def test_a_mock_on_a_pass_state_is_refused():
    with pytest.raises(UsageError) as raised:
        StateMachine.test_state({"Type": "Pass", "End": True}, {}, mock={"result": "{}"})
    assert str(raised.value) == "State type 'Pass' is not supported when a mock is specified"


def test_result_and_error_output_together_are_refused(sm):
    mock = {"result": "{}", "errorOutput": {"error": "E", "cause": "C"}}
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, mock=mock)
    assert (
        str(raised.value)
        == "A test mock should have only one of the following fields: [result, errorOutput]."
    )


def test_invalid_json_in_a_mocked_result_is_refused(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, mock={"result": "{not json"})
    assert str(raised.value).startswith(
        "test_state(mock={'result': ...}) must be JSON text (or a JSON value): "
    )


def test_reveal_secrets_with_a_mock_is_refused(sm):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, mock={"result": "{}"}, reveal_secrets=True)
    assert str(raised.value) == "TestState does not support RevealSecrets when a mock is specified."


@pytest.mark.parametrize(
    ("mock", "message"),
    [
        (
            {"fieldValidationMode": "LOOSE", "result": "{}"},
            "test_state(mock=...): fieldValidationMode must be one of STRICT, PRESENT, NONE (got 'LOOSE')",
        ),
        (
            {"results": "{}"},
            "test_state(mock=...): unknown field 'results' (did you mean 'result'?); a mock "
            "has 'result' or 'errorOutput', and optionally 'fieldValidationMode'",
        ),
        (
            {"errorOutput": {"error": 3}},
            "test_state(mock={'errorOutput': ...}): 'error' must be a non-empty string and "
            "'cause' a string, got error=3, cause=None",
        ),
        ({"fieldValidationMode": "NONE"}, "test_state(mock=...) needs 'result' or 'errorOutput'"),
    ],
)
def test_malformed_mocks_are_refused(sm, mock, message):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, mock=mock)
    assert str(raised.value) == message


@pytest.mark.parametrize("mode", ["STRICT", "PRESENT", "NONE"])
def test_every_field_validation_mode_is_accepted(sm, mode):
    assert (
        sm.test_state("Charge", INPUT, mock={"result": PAID, "fieldValidationMode": mode}).status
        == "SUCCEEDED"
    )


def test_map_and_parallel_need_a_mock():
    definition = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    with pytest.raises(UsageError) as raised:
        StateMachine.test_state(definition, [])
    assert str(raised.value) == (
        "TestState API does not support Map or Parallel states. Supported state types include: "
        "[Task, Wait, Pass, Succeed, Fail, Choice] (without a mock; give mock={'result': "
        "...} to test the Map "
        "state 'TestState')"
    )


def test_mocked_results_of_map_and_parallel_must_have_their_shape():
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    map_state = {"Type": "Map", "ItemProcessor": processor, "End": True}
    with pytest.raises(UsageError, match=r"^Mocked result must be an array\.$"):
        StateMachine.test_state(map_state, [], mock={"result": "{}"})
    branches = [{"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}} for name in ("B1", "B2")]
    parallel = {"Type": "Parallel", "Branches": branches, "End": True}
    with pytest.raises(UsageError, match=r"^Mocked result must be an array\.$"):
        StateMachine.test_state(parallel, {}, mock={"result": "{}"})
    with pytest.raises(UsageError) as raised:
        StateMachine.test_state(parallel, {}, mock={"result": "[1]"})
    assert (
        str(raised.value)
        == "Mocked result must contain the same number of items as number of Parallel branches."
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"retrierRetryCount": -1},
            "test_state(state_configuration=...): retrierRetryCount takes an integer of at least 0, got -1",
        ),
        (
            {"retryCount": 1},
            "test_state(state_configuration=...): unknown field 'retryCount' (did you mean "
            "'retrierRetryCount'?); TestState's fields are retrierRetryCount, "
            "errorCausedByState, mapIterationFailureCount, mapItemReaderData",
        ),
        (
            {"mapIterationFailureCount": 1},
            "test_state(state_configuration=...): mapIterationFailureCount applies to Map "
            "states; 'Charge' is a Task state",
        ),
        (
            {"mapItemReaderData": "[]"},
            "test_state(state_configuration=...): mapItemReaderData is the data a "
            "Distributed Map's ItemReader reads; 'Charge' has no ItemReader",
        ),
    ],
)
def test_state_configuration_is_checked(sm, config, message):
    with pytest.raises(UsageError) as raised:
        sm.test_state("Charge", INPUT, mock={"result": PAID}, state_configuration=config)
    assert str(raised.value) == message


def test_error_caused_by_state_must_be_inside_the_state():
    definition = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    with pytest.raises(UsageError) as raised:
        StateMachine.test_state(
            definition,
            [],
            mock={"errorOutput": {"error": "E", "cause": "C"}},
            state_configuration={"errorCausedByState": "Elsewhere"},
        )
    assert str(raised.value) == (
        "test_state(state_configuration=...): errorCausedByState 'Elsewhere' is not 'TestState' or a state "
        "inside it (states: 'Item', 'TestState')"
    )


# section: the class-level form


def test_a_whole_definition_needs_a_state_name():
    with pytest.raises(UsageError) as raised:
        StateMachine.test_state(ORDER, INPUT)
    assert "needs state_name=" in str(raised.value)
    result = StateMachine.test_state(json.dumps(ORDER), {"charge": {"paid": True}}, state_name="Check")
    assert result.next_state == "Ship"


def test_an_invalid_state_definition_raises_invalid_definition_with_pointers_in_the_state():
    with pytest.raises(InvalidDefinition) as raised:
        StateMachine.test_state({"Type": "Pass", "Next": "B", "ResultPath": "nope"}, {})
    assert [pointer for pointer, _ in raised.value.problems] == ["/ResultPath"]


def test_a_state_name_can_be_given_for_a_lone_state():
    definition = {"Type": "Pass", "Parameters": {"me.$": "$$.State.Name"}, "End": True}
    assert StateMachine.test_state(definition, {}, state_name="Greet").output == {"me": "Greet"}


def test_input_is_copied_and_must_be_json(sm):
    data = {"charge": {"paid": True}}
    result = sm.test_state("Check", data)
    result.output["charge"]["paid"] = False
    assert data == {"charge": {"paid": True}}
    with pytest.raises(UsageError, match=r"^test_state\(input=\.\.\.\) must be JSON-serializable"):
        sm.test_state("Check", {"x": {1, 2}})


# section: the same state in an execution (property)

_LAMBDA = "arn:aws:states:::lambda:invoke"


@st.composite
def _machines(draw):
    """A chain S0 -> S1 -> ... of Pass, Task (mocked, sometimes failing into its Catch), Choice, Wait and
    JSONata states ending in a Succeed or a Fail, with its mocks, and an input."""
    count = draw(st.integers(1, 5))
    states, mocks, assigned = {}, {}, False
    for index in range(count):
        name, after = f"S{index}", f"S{index + 1}" if index + 1 < count else "End"
        kind = draw(
            st.sampled_from(
                [
                    "result",
                    "parameters",
                    "input_path",
                    "format",
                    "assign",
                    "task",
                    "throw",
                    "choice",
                    "wait",
                    "jsonata",
                ]
                + (["variable"] if assigned else [])
            )
        )
        state: dict = {"Type": "Pass", "Next": after}
        if kind == "result":
            state.update(Result={"c": draw(st.integers(0, 9))}, ResultPath=f"$.r{index}")
        elif kind == "parameters":
            state["Parameters"] = {"a.$": "$.a", "n.$": "$.n", "k": index}
        elif kind == "input_path":
            state.update(InputPath="$.a", ResultPath=f"$.copy{index}")
        elif kind == "format":
            state.update(Parameters={"s.$": "States.Format('{}-{}', $.n, $.a.x)"}, ResultPath=f"$.f{index}")
        elif kind == "assign":
            state["Assign"] = {"seen.$": "$.n"}
            assigned = True
        elif kind == "variable":
            state.update(Parameters={"seen.$": "$seen"}, ResultPath=f"$.v{index}")
        elif kind in ("task", "throw"):
            state = {
                "Type": "Task",
                "Resource": _LAMBDA,
                "Parameters": {"FunctionName": f"f{index}", "Payload.$": "$"},
                "ResultSelector": {"v.$": "$.Payload.v"},
                "ResultPath": f"$.t{index}",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": f"$.e{index}", "Next": after}],
                "Next": after,
            }
            if kind == "task":
                mocks[name] = [{"Return": {"Payload": {"v": draw(st.integers(-5, 5))}}}]
            else:
                mocks[name] = [{"Throw": {"Error": "Oops", "Cause": f"at {index}"}}]
        elif kind == "choice":
            other = draw(st.sampled_from([after, "End", "Stop"]))
            threshold = draw(st.integers(-3, 3))
            state = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": threshold, "Next": after}],
                "Default": other,
            }
        elif kind == "wait":
            state = {"Type": "Wait", "Seconds": draw(st.integers(0, 100)), "Next": after}
        else:
            state = {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": "{% $merge([$states.input, {'j' & $string("
                + str(index)
                + "): $states.input.n * 2}]) %}",
                "Next": after,
            }
        states[name] = state
    states["End"] = {"Type": "Succeed"}
    if any(state.get("Default") == "Stop" for state in states.values()):
        states["Stop"] = {"Type": "Fail", "ErrorPath": "$.a.x", "Cause": "stopped"}
    data = {"a": {"x": draw(st.sampled_from(["p", "q"]))}, "n": draw(st.integers(-4, 4))}
    return {"StartAt": "S0", "States": states}, mocks, data


def _mock_for(mocks, name):
    if name not in mocks:
        return None
    step = mocks[name][0]
    if "Return" in step:
        return {"result": json.dumps(step["Return"])}
    return {"errorOutput": {"error": step["Throw"]["Error"], "cause": step["Throw"]["Cause"]}}


@settings(max_examples=40, deadline=None)
@given(_machines())
def test_each_state_gives_what_the_execution_recorded_for_it(case):
    definition, mocks, data = case
    sm = StateMachine(definition)
    execution = sm.execute(data, mocks=mocks)
    events = [event for event in execution.history if event["type"].endswith(("StateEntered", "StateExited"))]
    variables: dict = {}
    entered = [event for event in events if event["type"].endswith("StateEntered")]
    for position, event in enumerate(entered):
        name = event["stateEnteredEventDetails"]["name"]
        state_input = json.loads(event["stateEnteredEventDetails"]["input"])
        result = sm.test_state(name, state_input, mock=_mock_for(mocks, name), variables=variables or None)
        exited = next(
            (
                item
                for item in events
                if item["type"].endswith("StateExited")
                and item["id"] > event["id"]
                and item["stateExitedEventDetails"]["name"] == name
            ),
            None,
        )
        if exited is None:  # the Fail state ended the execution
            assert (result.status, result.error, result.cause) == ("FAILED", execution.error, execution.cause)
            continue
        details = exited["stateExitedEventDetails"]
        assert result.status in ("SUCCEEDED", "CAUGHT_ERROR")
        assert result.output == json.loads(details["output"])
        following = (
            entered[position + 1]["stateEnteredEventDetails"]["name"] if position + 1 < len(entered) else None
        )
        assert result.next_state == following
        for key, text in details.get("assignedVariables", {}).items():
            variables[key] = json.loads(text)


# section: more of each state kind


def test_wait_evaluates_its_fields_without_waiting():
    missing = StateMachine.test_state({"Type": "Wait", "SecondsPath": "$.s", "End": True}, {})
    assert (missing.status, missing.error) == ("FAILED", "States.Runtime")
    assert missing.cause == (
        "An error occurred while executing the state 'TestState' (entered at the event id #2). "
        "The SecondsPath parameter does not reference an input value: $.s"
    )
    jsonata = {"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% $states.input.s %}", "End": True}
    assert StateMachine.test_state(jsonata, {"s": 5}).output == {"s": 5}


def test_fail_with_an_intrinsic_error_path_and_in_jsonata():
    definition = {"Type": "Fail", "ErrorPath": "States.Format('E{}', $.n)", "CausePath": "$.why"}
    result = StateMachine.test_state(definition, {"n": 4, "why": {"a": 1}}, inspection_level="DEBUG")
    assert (result.status, result.error, result.cause) == ("FAILED", "E4", '{"a":1}')
    assert result.inspection_data == {
        "input": {"n": 4, "why": {"a": 1}},
        "afterInputPath": {"n": 4, "why": {"a": 1}},
    }
    jsonata = {"Type": "Fail", "QueryLanguage": "JSONata", "Error": "{% $states.input.e %}", "Cause": "fixed"}
    assert StateMachine.test_state(jsonata, {"e": "Bad"}).error == "Bad"


def test_jsonata_choice_with_a_non_boolean_condition_fails():
    definition = {
        "QueryLanguage": "JSONata",
        "Type": "Choice",
        "Choices": [{"Condition": "{% $states.input.n %}", "Next": "A"}],
        "Default": "B",
    }
    result = StateMachine.test_state(definition, {"n": 3})
    assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")


def test_jsonata_catcher_output_and_assign():
    definition = {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Output": {"failed": "{% $states.errorOutput.Error %}", "id": "{% $states.input.id %}"},
                "Assign": {"why": "{% $states.errorOutput.Cause %}"},
                "Next": "Handle",
            }
        ],
        "End": True,
    }
    mock = {"errorOutput": {"error": "Queue.Gone", "cause": "deleted"}}
    result = StateMachine.test_state(definition, {"id": 1}, mock=mock, inspection_level="DEBUG")
    assert (result.status, result.next_state, result.output) == (
        "CAUGHT_ERROR",
        "Handle",
        {"failed": "Queue.Gone", "id": 1},
    )
    assert result.inspection_data["variables"] == {"why": "deleted"}


def test_a_result_path_that_cannot_be_applied_is_an_error_retry_and_catch_see():
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "ResultPath": "$.a.b",
        "Retry": [{"ErrorEquals": ["States.ResultPathMatchFailure"]}],
        "End": True,
    }
    result = StateMachine.test_state(definition, {"a": 1}, mock={"result": "{}"})
    assert (result.status, result.error) == ("RETRIABLE", "States.ResultPathMatchFailure")
    assert result.cause == 'Unable to apply step "ResultPath" to input {"a":1}'


def test_a_missing_variable_fails_the_state():
    result = StateMachine.test_state({"Type": "Pass", "Parameters": {"v.$": "$nope"}, "End": True}, {})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause.endswith(
        "The JSONPath '$nope' specified for the field 'v.$' could not be found in the variables"
    )


def test_jsonata_map_items_and_a_result_writer_map():
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    jsonata = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.xs %}",
        "ItemProcessor": processor,
        "End": True,
    }
    assert StateMachine.test_state(jsonata, {"xs": [1]}, mock={"result": "[2]"}).output == [2]
    not_array = StateMachine.test_state(jsonata, {"xs": 1}, mock={"result": "[2]"})
    assert (not_array.status, not_array.error) == ("FAILED", "States.QueryEvaluationError")
    distributed = {
        "Type": "Map",
        "ItemProcessor": {
            **processor,
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        },
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "k"},
        },
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "out", "Prefix": "p"},
        },
        "End": True,
    }
    written = {"MapRunArn": "arn", "ResultWriterDetails": {"Bucket": "out", "Key": "p/manifest.json"}}
    result = StateMachine.test_state(
        distributed, {}, mock={"result": written}, state_configuration={"mapItemReaderData": "[1, 2, 3]"}
    )
    assert (result.status, result.output) == ("SUCCEEDED", written)
    with pytest.raises(UsageError, match=r"^Mocked result must be a JSON object\.$"):
        StateMachine.test_state(distributed, {}, mock={"result": "[]"})


def test_handler_results_that_are_not_json_fail_the_task():
    definition = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}
    sm = StateMachine(
        {"StartAt": "Send", "States": {"Send": definition}}, tasks={"Send": lambda event, context: {1, 2}}
    )
    result = sm.test_state("Send", {})
    assert (result.status, result.error) == ("FAILED", "Runtime.MarshalError")


def test_plain_lambda_arn_handler_gets_the_effective_input():
    arn = "arn:aws:lambda:us-east-1:123456789012:function:Ship"
    definition = {
        "StartAt": "Ship",
        "States": {"Ship": {"Type": "Task", "Resource": arn, "InputPath": "$.order", "End": True}},
    }
    sm = StateMachine(definition, tasks={"Ship": lambda event, context: {"shipped": event["id"]}})
    assert sm.test_state("Ship", {"order": {"id": 9}}).output == {"shipped": 9}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda sm: sm.test_state(3, {}), "test_state() takes the name of a state of 'Orders', got 3"),
        (
            lambda sm: StateMachine.test_state("{oops", {}),
            "test_state(): the state definition is not valid JSON: ",
        ),
        (
            lambda sm: StateMachine.test_state(["Pass"], {}),
            "StateMachine.test_state() takes a state definition (a dict or JSON text), got list",
        ),
        (
            lambda sm: sm.test_state("Charge", {}, mock=["result"]),
            "test_state(mock=...) takes TestState's mock: ",
        ),
        (
            lambda sm: sm.test_state("Charge", {}, mock={"result": "{}"}, state_configuration=[1]),
            "test_state(state_configuration=...) takes TestState's stateConfiguration",
        ),
        (
            lambda sm: sm.test_state("Charge", {}, mock={"result": "{}"}, context={"State": 1}),
            "Invalid Context object provided: State must be an object",
        ),
        (
            lambda sm: sm.test_state(
                "Charge", {}, mock={"result": "{}"}, context={"State": {"RetryCount": "1"}}
            ),
            "Invalid Context object provided: State.RetryCount must be an integer",
        ),
        (
            lambda sm: sm.test_state("Charge", {}, mock={"result": "{}"}, context="[]"),
            "Invalid Context object provided: the Context object must be a JSON object, got []",
        ),
        (
            lambda sm: sm.test_state("Check", {}, reveal_secrets="yes"),
            "test_state(reveal_secrets=...) takes True or False, got 'yes'",
        ),
    ],
)
def test_wrong_arguments_are_refused_clearly(sm, call, message):
    with pytest.raises(UsageError) as raised:
        call(sm)
    assert str(raised.value).startswith(message)


def test_the_machines_own_mocks_answer_a_task_without_a_test_state_mock():
    responses = [{"Throw": {"Error": "Busy", "Cause": "later"}}, {"Return": {"Payload": {"paid": True}}}]
    sm = StateMachine(ORDER, mocks={"Charge": responses})
    first = sm.test_state("Charge", INPUT)
    assert (first.status, first.error) == ("RETRIABLE", "Busy")
    second = sm.test_state("Charge", INPUT, state_configuration={"retrierRetryCount": 1})
    assert (second.status, second.output["charge"]) == ("SUCCEEDED", {"paid": True})
    explicit = sm.test_state("Charge", INPUT, mock={"result": '{"Payload": {"paid": false}}'})
    assert explicit.output["charge"] == {"paid": False}


_STATUS_CASES = {
    "SUCCEEDED": ({"result": PAID}, None, {"result", "afterResultPath"}),
    "RETRIABLE": ({"errorOutput": {"error": "Busy", "cause": "c"}}, None, {"errorDetails"}),
    "CAUGHT_ERROR": ({"errorOutput": {"error": "Declined", "cause": "c"}}, None, {"errorDetails"}),
    "FAILED": ({"errorOutput": {"error": "Busy", "cause": "c"}}, {"retrierRetryCount": 3}, set()),
}


@pytest.mark.parametrize("level", ["INFO", "DEBUG", "TRACE"])
@pytest.mark.parametrize("status", list(_STATUS_CASES))
def test_every_status_at_every_inspection_level(status, level):
    catch_declined_only = json.loads(json.dumps(ORDER))
    catch_declined_only["States"]["Charge"]["Catch"] = catch_declined_only["States"]["Charge"]["Catch"][:1]
    sm = StateMachine(catch_declined_only)
    mock, config, fields = _STATUS_CASES[status]
    result = sm.test_state("Charge", INPUT, mock=mock, state_configuration=config, inspection_level=level)
    assert result.status == status
    if level == "INFO":
        assert result.inspection_data == {}
    else:
        assert {"input", "afterInputPath", "afterParameters"} | fields <= set(result.inspection_data)
        assert result.inspection_data["input"] == INPUT


@pytest.mark.parametrize(
    ("definition", "data", "error", "message"),
    [
        (
            {"Type": "Wait", "SecondsPath": "$.s", "End": True},
            {"s": 1.5},
            "States.Runtime",
            "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5",
        ),
        (
            {"Type": "Wait", "SecondsPath": "$.s", "End": True},
            {"s": -1},
            "States.Runtime",
            "The SecondsPath parameter references a negative value: $.s == -1",
        ),
        (
            {"Type": "Wait", "TimestampPath": "$.t", "End": True},
            {"t": "tomorrow"},
            "States.Runtime",
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
            "format string: $.t == tomorrow",
        ),
        (
            {"Type": "Wait", "QueryLanguage": "JSONata", "Timestamp": "{% $states.input.t %}", "End": True},
            {"t": 3},
            "States.QueryEvaluationError",
            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: 3",
        ),
        (
            {"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% $states.input.s %}", "End": True},
            {"s": "x"},
            "States.QueryEvaluationError",
            "The JSONata expression '$states.input.s' specified for the field 'Seconds' returned an "
            "unexpected result type. Expected 'integer', but was 'string' for value: \"x\"",
        ),
    ],
)
def test_wait_values_are_checked_as_the_execution_checks_them(definition, data, error, message):
    result = StateMachine.test_state(definition, data)
    assert (result.status, result.error) == ("FAILED", error)
    assert result.cause == (
        f"An error occurred while executing the state 'TestState' (entered at the event id #2). {message}"
    )
    valid = StateMachine.test_state(definition, {"s": 2, "t": "2030-01-01T00:00:00Z"})
    assert valid.status == "SUCCEEDED"


def test_an_output_over_256_kib_fails_with_data_limit_exceeded():
    definition = {"Type": "Pass", "Parameters": {"big.$": "$.text", "again.$": "$.text"}, "End": True}
    result = StateMachine.test_state(definition, {"text": "x" * 140_000})
    assert (result.status, result.error, result.output) == ("FAILED", "States.DataLimitExceeded", None)
    assert result.cause == (
        "The state/task 'TestState' returned a result with a size exceeding the maximum number of bytes "
        "service limit."
    )


def test_a_mocked_maps_item_selector_is_shown_per_item():
    definition = {
        "Type": "Map",
        "ItemsPath": "$.xs",
        "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "tag.$": "$.tag"},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    data = {"xs": ["a", "b"], "tag": "t"}
    result = StateMachine.test_state(definition, data, mock={"result": "[0, 0]"}, inspection_level="DEBUG")
    assert result.inspection_data["afterItemSelector"] == [
        {"value": "a", "index": 0, "tag": "t"},
        {"value": "b", "index": 1, "tag": "t"},
    ]
    jsonata = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 10 %}"},
        "ItemProcessor": {"StartAt": "J", "States": {"J": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    result = StateMachine.test_state(jsonata, [1, 2], mock={"result": "[0, 0]"}, inspection_level="DEBUG")
    assert result.inspection_data["afterItemSelector"] == [{"v": 10}, {"v": 20}]


def test_variables_assigned_by_a_state_that_then_fails_are_not_shown():
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Assign": {"sent.$": "$.MessageId"},
        "ResultPath": "$.a.b",
        "End": True,
    }
    result = StateMachine.test_state(
        definition,
        {"a": 1},
        mock={"result": '{"MessageId": "m"}'},
        variables={"x": 1},
        inspection_level="DEBUG",
    )
    assert (result.status, result.error) == ("FAILED", "States.ResultPathMatchFailure")
    assert result.inspection_data["variables"] == {"x": 1}


def test_deeply_nested_mock_text_is_refused():
    with pytest.raises(UsageError, match="is nested too deeply to be JSON"):
        StateMachine.test_state(
            {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
            {},
            mock={"result": "[" * 100_000 + "]" * 100_000},
        )
