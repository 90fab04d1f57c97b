"""Our own bugs are never reported as the user's: fault injection.

An internal function is made to fail (RuntimeError, KeyError) and the failure must come out as
``InternalError`` naming what was being done, with the original chained, never as a FAILED execution, a
5xx answer or a validation problem blaming the user's field. The user's own code failing still gives what
AWS gives (a FAILED execution with the error name, 502 on REST, 500 from an authorizer).
"""

from __future__ import annotations

import json
import sys

import pytest

from pytest_serverless import Gateway, InternalError, ServerlessError, StateMachine
from pytest_serverless.asl import model as m
from pytest_serverless.asl.interpreter import Interpreter
from pytest_serverless.asl.states import RUNNERS
from pytest_serverless.asl.validate import validate_definition
from pytest_serverless.asl.validation.syntax import _optional_function
from pytest_serverless.gateway import AwsService
from pytest_serverless.gateway.authorizers.lambda_authorizer import LambdaAuthorizer

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:charge"
PASS = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


def _fail(error: Exception):
    def broken(*args, **kwargs):
        raise error

    return broken


def _assert_internal(info: pytest.ExceptionInfo[InternalError], doing: str, cause: type) -> None:
    error = info.value
    assert isinstance(error, ServerlessError)
    assert error.doing == doing
    assert isinstance(error.__cause__, cause)
    assert str(error).startswith(
        f"pytest_serverless internal error while {doing} ({type(error.__cause__).__name__}: "
    )
    assert "This is a bug in pytest_serverless, not in your code, definition or template" in str(error)
    assert "please report it" in str(error)


# section: executions


def test_an_engine_bug_in_a_state_is_an_internal_error_not_a_failed_execution(monkeypatch):
    monkeypatch.setattr(Interpreter, "select_path", _fail(RuntimeError("engine bug")))
    with pytest.raises(InternalError) as info:
        StateMachine(PASS, name="Orders").execute({})
    _assert_internal(info, "running state 'A' of the state machine 'Orders'", RuntimeError)


def test_an_engine_bug_in_a_map_iteration_is_not_a_tolerated_failure(monkeypatch):
    monkeypatch.setitem(RUNNERS, m.PassState, _fail(KeyError("frame")))
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ToleratedFailurePercentage": 100,
                "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    with pytest.raises(InternalError) as info:
        StateMachine(definition, name="Fan").execute([1, 2])
    _assert_internal(info, "running state 'Item' of the state machine 'Fan'", KeyError)


def test_a_users_handler_raising_still_fails_the_execution_as_aws_does():
    def handler(event, context):
        raise KeyError("frame")

    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
    execution = StateMachine(definition, tasks={FUNCTION: handler}).execute({})
    assert (execution.status, execution.error) == ("FAILED", "KeyError")
    assert json.loads(execution.cause)["errorType"] == "KeyError"
    execution = StateMachine(definition).execute(
        {}, mocks={"T": lambda task_input: handler(task_input, None)}
    )
    assert (execution.status, execution.error) == ("FAILED", "KeyError")


def test_an_engine_bug_in_test_state_is_an_internal_error_not_a_failed_result(monkeypatch):
    from pytest_serverless.asl import test_state

    monkeypatch.setattr(test_state, "_pass", _fail(RuntimeError("engine bug")))
    with pytest.raises(InternalError) as info:
        StateMachine(PASS, name="Orders").test_state("A", {})
    _assert_internal(info, "running test_state on state 'A' of the state machine 'Orders'", RuntimeError)
    with pytest.raises(InternalError) as info:
        StateMachine.test_state({"Type": "Pass", "End": True}, {})
    _assert_internal(
        info, "running test_state on state 'TestState' of the state machine 'TestStateMachine'", RuntimeError
    )


def test_a_users_handler_raising_in_test_state_is_still_a_failed_result():
    def handler(event, context):
        raise KeyError("frame")

    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
    result = StateMachine(definition, tasks={FUNCTION: handler}).test_state("T", {})
    assert (result.status, result.error) == ("FAILED", "KeyError")
    assert json.loads(result.cause)["errorType"] == "KeyError"


# section: definitions


JSONATA = {
    "QueryLanguage": "JSONata",
    "StartAt": "A",
    "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x %}", "End": True}},
}


@pytest.fixture
def fresh_checkers():
    _optional_function.cache_clear()
    yield
    _optional_function.cache_clear()


@pytest.mark.usefixtures("fresh_checkers")
def test_a_failing_jsonata_compiler_is_an_internal_error_not_the_users_field(monkeypatch):
    from pytest_serverless.asl import jsonata

    assert validate_definition(JSONATA) == []  # the validator keeps the compiler it found
    monkeypatch.setattr(jsonata, "compile_template", _fail(RuntimeError("compiler bug")))
    with pytest.raises(InternalError) as info:
        StateMachine(JSONATA)
    _assert_internal(info, "compiling the JSONata expression at /States/A/Output", RuntimeError)
    _optional_function.cache_clear()
    with pytest.raises(InternalError) as info:
        validate_definition(JSONATA)
    _assert_internal(info, "checking the JSONata expression '{% $states.input.x %}'", RuntimeError)


@pytest.mark.usefixtures("fresh_checkers")
def test_a_checker_that_cannot_load_is_an_internal_error_not_a_silently_accepted_definition(monkeypatch):
    monkeypatch.setitem(sys.modules, "pytest_serverless.asl.jsonata", None)
    broken = {**JSONATA, "States": {"A": {"Type": "Pass", "Output": "{% $states.input.( %}", "End": True}}}
    with pytest.raises(InternalError) as info:
        validate_definition(broken)
    _assert_internal(
        info, "loading the syntax checker pytest_serverless.asl.jsonata.compile_template", ImportError
    )


@pytest.mark.usefixtures("fresh_checkers")
def test_a_checker_bug_is_an_internal_error_not_a_validation_problem(monkeypatch):
    from pytest_serverless.asl import choice, intrinsics

    monkeypatch.setattr(intrinsics, "compile_intrinsic", _fail(KeyError("table")))
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "States.Array(1)"}, "End": True}},
    }
    with pytest.raises(InternalError) as info:
        validate_definition(definition)
    _assert_internal(info, "checking the intrinsic function 'States.Array(1)'", KeyError)
    monkeypatch.setattr(choice, "choice_rule_problems", _fail(RuntimeError("rule checker")))
    _optional_function.cache_clear()
    rule = {"Variable": "$.x", "IsPresent": True, "Next": "B"}
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Choice", "Choices": [rule], "Default": "B"}, "B": {"Type": "Succeed"}},
    }
    with pytest.raises(InternalError) as info:
        validate_definition(definition)
    _assert_internal(info, "checking the choice rule at /States/A/Choices/0", RuntimeError)


def test_user_mistakes_are_still_validation_problems():
    broken = {**JSONATA, "States": {"A": {"Type": "Pass", "Output": "{% $states.input.( %}", "End": True}}}
    problems = validate_definition(broken)
    assert [pointer for pointer, _ in problems] == ["/States/A/Output"]


# section: the gateway


def _rest_client(handler, **route_options):
    api = Gateway().rest_api("shop")
    api.route("GET /a", handler, **route_options)
    return api.deploy("prod").client()


@pytest.mark.parametrize(
    ("module", "name", "doing"),
    [  # building the event: not a 502; routing the request: not an answer at all
        ("integrations.lambda_proxy", "v1_event", "invoking the integration of route 'GET /a'"),
        ("pipeline", "_match_route", "answering GET /a on stage 'prod' of the API 'shop'"),
    ],
)
def test_a_gateway_bug_is_an_internal_error_not_an_answer(monkeypatch, module, name, doing):
    monkeypatch.setattr(f"pytest_serverless.gateway.{module}.{name}", _fail(KeyError("requestContext")))
    client = _rest_client(lambda event, context: {"statusCode": 200})
    with pytest.raises(InternalError) as info:
        client.get("/a")
    _assert_internal(info, doing, KeyError)


def test_a_users_function_raising_is_still_a_502():
    def handler(event, context):
        raise KeyError("requestContext")

    response = _rest_client(handler).get("/a")
    assert response.status_code == 502
    assert isinstance(response.error, KeyError)


def test_a_result_too_deep_to_serialise_is_the_functions_error_in_a_non_proxy_integration():
    from pytest_serverless.gateway.integrations.lambda_proxy import LambdaIntegration

    def handler(event, context):
        value: list = []
        for _ in range(5000):
            value = [value]
        return value

    api = Gateway().rest_api("shop")
    api.route("GET /a", integration=LambdaIntegration(handler, integration_responses=[{"statusCode": 200}]))
    response = api.deploy("prod").client().get("/a")
    assert response.status_code == 200  # the default integration response, with Lambda's error document
    assert response.json()["errorType"] == "RecursionError"


class _Raises:
    """A hand-written authorizer (the user's code)."""

    def authorize(self, call):
        raise KeyError("claims")


def _authorized_client(authorizer):
    api = Gateway().http_api("shop")
    api.authorizer("auth", authorizer)
    api.route("GET /a", lambda event, context: {"statusCode": 200}, authorizer="auth")
    return api.deploy("$default").client()


def test_a_built_in_authorizer_bug_is_an_internal_error_not_a_500(monkeypatch):
    monkeypatch.setattr(LambdaAuthorizer, "_invoke", _fail(RuntimeError("authorizer bug")))
    authorizer = LambdaAuthorizer(lambda event, context: {"isAuthorized": True}, payload_format="2.0")
    with pytest.raises(InternalError) as info:
        _authorized_client(authorizer).get("/a", headers={"Authorization": "t"})
    _assert_internal(info, "running authorizer 'auth' for route 'GET /a'", RuntimeError)


def test_a_hand_written_authorizer_raising_is_still_a_500():
    response = _authorized_client(_Raises()).get("/a")
    assert response.status_code == 500
    assert isinstance(response.error, KeyError)


def test_the_tests_http_backend_raising_is_still_a_500():
    import responses

    api = Gateway().rest_api("p")
    api.route("GET /x", http="https://backend.example.com/x")

    def callback(request):
        raise KeyError("backend")

    with responses.RequestsMock() as backend:
        backend.add_callback(responses.GET, "https://backend.example.com/x", callback=callback)
        response = api.deploy("prod").client().get("/x")
    assert response.status_code == 500
    assert isinstance(response.error, KeyError)


def test_the_tests_service_handler_raising_is_still_a_500():
    gateway = Gateway()
    gateway.aws_service("sqs", "SendMessage", _fail(KeyError("queue")))
    api = gateway.rest_api("shop")
    api.route(
        "POST /orders",
        integration=AwsService(
            "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders",
            request_templates={
                "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
            },
        ),
    )
    response = api.deploy("prod").client().post("/orders", json={})
    assert response.status_code == 500
    assert isinstance(response.error, KeyError)


def test_a_built_in_connect_authorizer_bug_is_an_internal_error(monkeypatch):
    from pytest_serverless import IamAuthorizer

    monkeypatch.setattr(IamAuthorizer, "authorize", _fail(RuntimeError("signature bug")))
    api = Gateway().websocket_api("chat")
    api.authorizer("iam", IamAuthorizer(credentials={"AKID": "secret"}))
    api.route("$connect", lambda event, context: {"statusCode": 200}, authorizer="iam")
    stage = api.deploy("prod")
    with pytest.raises(InternalError) as info:
        stage.connect()
    assert info.value.doing.startswith("running the $connect authorizer of ")
    assert isinstance(info.value.__cause__, RuntimeError)


def test_misuse_in_the_gateway_stays_loud_and_is_not_an_internal_error(monkeypatch):
    from pytest_serverless import UsageError
    from pytest_serverless.gateway import pipeline

    monkeypatch.setattr(pipeline, "_match_route", _fail(UsageError("bad arguments")))
    with pytest.raises(UsageError, match="bad arguments"):
        _rest_client(lambda event, context: {"statusCode": 200}).get("/a")


# section: the one boundary with the user's code


def test_call_user_hands_the_users_failure_to_the_caller_and_lets_ours_through():
    from pytest_serverless import TaskFailure, UsageError
    from pytest_serverless._user_code import UserCodeFailed, call_user

    assert call_user(lambda a, b: a + b, 1, 2) == 3
    error = KeyError("frame")
    with pytest.raises(UserCodeFailed) as failed:
        call_user(_fail(error))
    assert failed.value.error is error
    with pytest.raises(UsageError):  # misuse (a ServerlessError) goes through by default
        call_user(_fail(UsageError("misuse")))
    with pytest.raises(UserCodeFailed):  # unless the caller answers every error but ours
        call_user(_fail(UsageError("misuse")), lets_through=())
    with pytest.raises(InternalError):  # ours always goes through
        call_user(_fail(InternalError("doing", KeyError("x"))), lets_through=())
    with pytest.raises(TaskFailure):  # what the caller answers itself goes through
        call_user(_fail(TaskFailure("Payment.Declined")), lets_through=TaskFailure)


def test_a_bug_of_ours_under_a_users_function_is_not_its_failure():
    def handler(event, context):
        raise InternalError("emulating a call", KeyError("x"))

    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FUNCTION, "End": True}}}
    with pytest.raises(InternalError):
        StateMachine(definition, tasks={FUNCTION: handler}).execute({})
    with pytest.raises(InternalError):
        _rest_client(handler).get("/a")


# section: the report


def test_the_plugin_keeps_the_engine_frames_of_an_internal_error(pytester):
    pytester.makepyfile(
        """
        from pytest_serverless import StateMachine
        from pytest_serverless.asl.interpreter import Interpreter

        def broken(*args):
            raise RuntimeError("engine bug")

        def test_it(monkeypatch):
            monkeypatch.setattr(Interpreter, "select_path", broken)
            StateMachine({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}).execute({})
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError: engine bug",
            "*The above exception was the direct cause of the following exception:*",
            "*InternalError: pytest_serverless internal error while running state 'A' of the state machine*",
        ]
    )
    assert "interpreter.py" in result.stdout.str()
