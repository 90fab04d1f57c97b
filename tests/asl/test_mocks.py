"""Task mocks, handlers and MockConfigFiles of the wrong shape give clear errors naming the state;
handler results and exceptions are reported as Lambda reports them (issue 2, API.md section 2)."""

from __future__ import annotations

import json

import pytest

from pytest_serverless import (
    MockConfig,
    StateMachine,
    TaskFailure,
    UnmockedTask,
    UsageError,
    load_mock_config,
)
from tests.helpers import FUNCTION, task_machine


def _lambda_cause(execution) -> dict:
    return json.loads(execution.cause)


# section: mock responses that are not JSON


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({1, 2}, "Object of type set is not JSON serializable"),
        (float("nan"), "Out of range float values are not JSON compliant"),
        ({"a": object()}, "Object of type object is not JSON serializable"),
    ],
)
def test_mock_return_that_is_not_json_is_a_usage_error_naming_the_state(value, problem):
    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine()).execute({}, mocks={"T": [{"Return": value}]})
    assert str(raised.value) == f"mock 'T' response 0: 'Return' is not JSON: {problem}"


def test_mock_throw_error_must_be_a_string():
    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine()).execute({}, mocks={"T": {"0": {"Throw": {"Error": 5, "Cause": "c"}}}})
    assert str(raised.value) == "mock 'T' response '0': 'Throw' 'Error' must be a string, got 5"


def test_callable_mock_returning_a_non_json_value_is_a_usage_error():
    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine()).execute({}, mocks={"T": lambda task_input: {"at": {1}}})
    assert (
        str(raised.value)
        == "mock 'T' returned a value that is not JSON: Object of type set is not JSON serializable"
    )


def test_task_failure_with_non_string_error_from_a_mock_is_a_usage_error():
    def mock(task_input):
        raise TaskFailure(404, {"why": "gone"})  # type: ignore[arg-type]

    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine()).execute({}, mocks={"T": mock})
    assert str(raised.value) == (
        "TaskFailure(error, cause) raised by the mock 'T' takes strings, got error=404, cause={'why': 'gone'}"
    )


def test_task_failure_with_non_string_cause_from_a_handler_is_a_usage_error():
    def handler(event, context):
        raise TaskFailure("E", ["not", "text"])  # type: ignore[arg-type]

    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine(), tasks={FUNCTION: handler}).execute({})
    assert str(raised.value) == (
        f"TaskFailure(error, cause) raised by the handler for '{FUNCTION}' takes strings, "
        "got error='E', cause=['not', 'text']"
    )


def test_task_failure_without_cause_fails_with_no_cause():
    def handler(event, context):
        raise TaskFailure("Payment.Declined")

    execution = StateMachine(task_machine(), tasks={"T": handler}).execute({})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Payment.Declined", None)


# section: handler results and exceptions as Lambda reports them


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (float("nan"), "Out of range float values are not JSON compliant"),
        ({"x": float("inf")}, "Out of range float values are not JSON compliant"),
        ({"when": {1, 2}}, "Object of type set is not JSON serializable"),
    ],
)
def test_handler_result_that_is_not_json_is_runtime_marshal_error(result, problem):
    execution = StateMachine(task_machine(), tasks={"T": lambda event, context: result}).execute({})
    assert (execution.status, execution.error) == ("FAILED", "Runtime.MarshalError")
    assert _lambda_cause(execution)["errorMessage"] == f"Unable to marshal response: {problem}"


def test_handler_exception_whose_str_fails_is_still_reported_as_the_function_error():
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise ValueError("no text")

    def handler(event, context):
        raise Unprintable()

    execution = StateMachine(task_machine(), tasks={"T": handler}).execute({})
    assert (execution.status, execution.error) == ("FAILED", "Unprintable")
    cause = _lambda_cause(execution)
    assert (cause["errorType"], cause["errorMessage"]) == ("Unprintable", "<unprintable Unprintable object>")


def test_base_exceptions_from_handlers_are_not_swallowed():
    """pytest.fail(), pytest.skip() and KeyboardInterrupt derive from BaseException: they reach the test."""

    class Outcome(BaseException):
        pass

    def handler(event, context):
        raise Outcome("stop the test")

    with pytest.raises(Outcome):
        StateMachine(task_machine(), tasks={"T": handler}).execute({})


def test_handler_context_has_lambda_attributes_and_the_machine_clock():
    seen = {}

    def handler(event, context):
        seen["before"] = context.get_remaining_time_in_millis()
        context.clock.advance(2)
        seen["after"] = context.get_remaining_time_in_millis()
        seen["names"] = (context.function_name, context.aws_request_id, context.clock is machine.clock)
        return event

    machine = StateMachine(
        task_machine(TimeoutSeconds=5), tasks={"arn:aws:lambda:*:function:charge": handler}
    )
    execution = machine.execute({"a": 1})
    assert execution.status == "SUCCEEDED"
    assert (seen["before"], seen["after"]) == (5000, 3000)
    name, request_id, same_clock = seen["names"]
    assert (name, same_clock) == ("charge", True)
    assert len(request_id) == 36
    assert request_id.count("-") == 4
    assert execution.duration == 2


# section: MockConfigFile


def test_mock_config_response_name_that_is_not_a_string_is_a_usage_error():
    config = {"StateMachines": {"Flow": {"TestCases": {"Happy": {"T": ["Ok"]}}}}, "MockedResponses": {}}
    with pytest.raises(UsageError) as raised:
        load_mock_config(config)
    assert str(raised.value) == (
        "mock config: StateMachines.Flow.TestCases.Happy.T names ['Ok'], which is not in MockedResponses "
        "(known: none)"
    )


def test_mock_config_response_that_is_not_json_is_a_usage_error():
    config = {"MockedResponses": {"Ok": {"0": {"Return": {1}}}}}
    with pytest.raises(UsageError) as raised:
        load_mock_config(config)
    assert str(raised.value) == (
        "mock 'MockedResponses.Ok' response '0': 'Return' is not JSON: "
        "Object of type set is not JSON serializable"
    )


def test_mock_config_ranges_feed_retries_and_unlisted_states_stay_unmocked():
    config = load_mock_config(
        {
            "StateMachines": {
                "OrderFlow": {
                    "TestCases": {
                        "Throttled": {"Charge": "ThrottledTwiceThenOk"},
                        "Happy": {"Charge": "Ok", "Notify": "Published"},
                    }
                }
            },
            "MockedResponses": {
                "Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
                "ThrottledTwiceThenOk": {
                    "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
                    "2": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}},
                },
                "Published": {"0": {"Return": {"MessageId": "m-1"}}},
            },
        }
    )
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2}],
                "ResultSelector": {"charged.$": "$.Payload.charged"},
                "Next": "Notify",
            },
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {},
                "End": True,
            },
        },
    }
    machine = StateMachine(definition, name="OrderFlow")
    happy = machine.execute({}, mocks=config.mocks("OrderFlow", "Happy"))
    assert (happy.status, happy.output) == ("SUCCEEDED", {"MessageId": "m-1"})
    throttled = StateMachine(definition, name="OrderFlow", tasks={"Notify": lambda event, context: {"ok": 1}})
    execution = throttled.execute({}, mocks=config.mocks("OrderFlow", "Throttled"))
    assert (execution.status, execution.output, execution.duration) == ("SUCCEEDED", {"ok": 1}, 6.0)
    assert [call.state for call in execution.task_calls] == ["Charge", "Charge", "Charge", "Notify"]
    with pytest.raises(UnmockedTask) as raised:
        machine.execute({}, mocks=config.mocks("OrderFlow", "Throttled"))
    assert (raised.value.state_name, raised.value.resource) == ("Notify", "arn:aws:states:::sns:publish")


# section: nested executions


def test_unmocked_task_in_a_nested_execution_says_where_its_mocks_go():
    child = StateMachine(
        {
            "StartAt": "C",
            "States": {"C": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}},
        },
        name="Child",
    )
    parent = StateMachine(
        {
            "StartAt": "N",
            "States": {
                "N": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": child.arn, "Input": {}},
                    "End": True,
                }
            },
        },
        state_machines=[child],
    )
    with pytest.raises(UnmockedTask) as raised:
        parent.execute({}, mocks={"C": [{"Return": 1}]})
    assert (raised.value.state_name, raised.value.resource) == ("C", "arn:aws:states:::sqs:sendMessage")
    assert str(raised.value).endswith(
        "It ran in a nested execution of state machine 'Child': mocks given to the parent's execute() do not "
        "reach it; give that StateMachine its own mocks=... or tasks=..."
    )
    child_with_mocks = StateMachine(child.definition, name="Child", mocks={"C": [{"Return": {"sent": True}}]})
    parent.register(child_with_mocks)  # replaces the machine registered under that name
    execution = parent.execute({})
    assert (execution.status, execution.output["Output"]) == ("SUCCEEDED", {"sent": True})


# section: callables with the wrong signature


def test_callable_mock_that_takes_no_argument_is_a_usage_error():
    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine()).execute({}, mocks={"T": lambda: {"ok": True}})
    assert (
        str(raised.value)
        == "mock 'T' must be a callable f(input) -> result taking one argument (the task input)"
    )


def test_handler_that_does_not_take_event_and_context_is_a_usage_error():
    def handler(event):
        return event

    with pytest.raises(UsageError) as raised:
        StateMachine(task_machine(), tasks={"T": handler})
    assert str(raised.value) == (
        "StateMachine(tasks=...): the handler for 'T' must take (event, context), as a Lambda handler does"
    )


def test_callables_with_defaults_or_varargs_are_accepted():
    def handler(event, context=None, *rest):
        return {"handled": event}

    machine = StateMachine(task_machine(), tasks={"T": handler})
    assert machine.execute({"a": 1}).output == {"handled": {"a": 1}}
    assert machine.execute({}, mocks={"T": lambda *args: {"n": len(args)}}).output == {"n": 1}


# section: Step Functions Local mock config files (MockConfigFile.json).


CONFIG = {
    "StateMachines": {
        "OrderFlow": {
            "TestCases": {
                "HappyPath": {"Charge": "ChargeOk"},
                "Throttled": {"Charge": "ThrottledThenOk"},
            }
        }
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "ThrottledThenOk": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}},
        },
    },
}

ORDER_FLOW = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": FUNCTION, "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1}],
            "OutputPath": "$.Payload",
            "End": True,
        }
    },
}


def test_load_mock_config_from_dict_and_file(tmp_path):
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG))
    for source in (CONFIG, path, str(path)):
        config = load_mock_config(source)
        assert isinstance(config, MockConfig)
        machine = StateMachine(ORDER_FLOW, name="OrderFlow")
        happy = machine.execute({}, mocks=config.mocks("OrderFlow", "HappyPath"))
        assert happy.output == {"charged": True}
        throttled = machine.execute({}, mocks=config.mocks("OrderFlow", "Throttled"))
        assert throttled.output == {"charged": True}
        assert len(throttled.task_calls) == 3


def test_mock_config_errors_name_what_is_missing(tmp_path):
    config = load_mock_config(CONFIG)
    with pytest.raises(UsageError) as raised:
        config.mocks("OrderFlow", "Nope")
    assert str(raised.value) == (
        "mock config has no test case 'Nope' for state machine 'OrderFlow' (known: HappyPath, Throttled)"
    )
    with pytest.raises(UsageError, match="mock config has no state machine 'Other' \\(known: OrderFlow\\)"):
        config.mocks("Other", "HappyPath")
    broken = {"StateMachines": {"M": {"TestCases": {"C": {"S": "Missing"}}}}, "MockedResponses": {}}
    with pytest.raises(UsageError, match="names 'Missing', which is not in MockedResponses"):
        load_mock_config(broken)
    bad_file = tmp_path / "bad.json"
    bad_file.write_text("{nope")
    with pytest.raises(UsageError, match="is not valid JSON"):
        load_mock_config(bad_file)
    with pytest.raises(UsageError, match="cannot read mock config"):
        load_mock_config(tmp_path / "missing.json")
