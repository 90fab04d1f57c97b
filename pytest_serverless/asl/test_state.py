"""One state at a time, as AWS's TestState API runs it (API.md section 10).

``StateMachine.test_state`` runs one state of a compiled definition on one input: the data flow (InputPath,
Parameters or Arguments, the mocked result, ResultSelector, ResultPath, OutputPath, Output, Assign), Choice
rules, Retry and Catch answered as ``RETRIABLE`` / ``CAUGHT_ERROR``, and TestState's inspection data. It
works from the compiled model (``model.py``) and the data-flow helpers (``paths.py``, ``jsonata.py``,
``intrinsics`` through the payload templates, ``choice.py``, ``recovery.py``'s retrier and catcher
matching), never from the run loop: no history, no clock movement (a Wait does not wait), no events.
The request is checked in ``_test_state_request.py``; the data flow of the one entry is in
``_test_state_scope.py``.

Request checks mirror TestState's (messages recorded from AWS where they exist): a mock on a Pass, Fail,
Succeed, Choice or Wait state; a mock with both ``result`` and ``errorOutput``; Map and Parallel states,
activities, ``.sync`` and ``.waitForTaskToken`` without a mock; a Context object with fields AWS refuses.
Each raises ``UsageError``.

Values (``output``, inspection data) are parsed JSON, not the JSON text TestState sends.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.errors import (
    InternalError,
    InvalidDefinition,
    ServerlessError,
    TaskFailure,
    UnmockedTask,
    UsageError,
)
from pytest_serverless.lambdas import FunctionTimedOut, invoke_handler

from . import model as m
from ._json import exceeds_bytes
from ._test_state_request import (
    INSPECTION_LEVELS,
    UNSET,
    VALIDATION_MODES,
    Config,
    Mock,
    all_states,
    check_supported,
    json_argument,
    parse_config,
    parse_context,
    parse_mock,
    parse_variables,
)
from ._test_state_scope import Scope
from .interpreter import output_and_assign
from .paths import copy_json, dumps
from .recovery import backoff_seconds, find_catcher, find_retrier
from .states.choice import choose
from .states.fail import fail_field
from .states.task import handler_event, handler_keys
from .states.wait import wait_seconds
from .states_errors import StatesError, StatesErrorName
from .tasks import (
    TASK_ANSWERS,
    MockCursor,
    find_handler,
    json_problem,
    lambda_error,
    parse_resource,
    task_failure,
    wrap_lambda_invoke,
)

if TYPE_CHECKING:
    from .machine import StateMachine

__all__ = [
    "INSPECTION_LEVELS",
    "VALIDATION_MODES",
    "TestStateResult",
    "run_test_state",
]

_THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"
_LIMIT = 262_144


class TestStateResult:
    """What ``test_state`` answers (TestState's response); exported for annotations.

    ``status`` is ``"SUCCEEDED"``, ``"FAILED"``, ``"RETRIABLE"`` or ``"CAUGHT_ERROR"``; ``output`` the state's
    output (parsed JSON; ``None`` when the state failed or will be retried); ``error`` and ``cause`` the
    error (also set for RETRIABLE and CAUGHT_ERROR); ``next_state`` the state that runs next (``None`` at an
    end, for FAILED and RETRIABLE); ``inspection_data`` TestState's ``inspectionData`` for the level asked
    (``{}`` at INFO).
    """

    __test__ = False  # not a pytest test class, whatever its name
    __slots__ = ("cause", "error", "inspection_data", "next_state", "output", "status")

    def __init__(
        self,
        status: str,
        *,
        output: Any = None,
        error: str | None = None,
        cause: str | None = None,
        next_state: str | None = None,
        inspection_data: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.output = output
        self.error = error
        self.cause = cause
        self.next_state = next_state
        self.inspection_data: dict[str, Any] = inspection_data if inspection_data is not None else {}

    def __repr__(self) -> str:
        parts = [f"status={self.status!r}"]
        if self.error is not None:
            parts.append(f"error={self.error!r}")
        if self.next_state is not None:
            parts.append(f"next_state={self.next_state!r}")
        if self.status in ("SUCCEEDED", "CAUGHT_ERROR"):
            parts.append(f"output={self.output!r}")
        return f"TestStateResult({', '.join(parts)})"


# ---------------------------------------------------------------- entry points


def run_test_state(
    owner: StateMachine | type[StateMachine],
    target: Any,
    input: Any = None,  # noqa: A002 - API.md's name
    *,
    state_name: str | None = None,
    mock: Mapping[str, Any] | None = None,
    context: Any = None,
    variables: Any = None,
    inspection_level: str = "INFO",
    state_configuration: Mapping[str, Any] | None = None,
    reveal_secrets: bool = False,
) -> TestStateResult:
    """``sm.test_state(state_name, input, ...)`` (``owner`` a machine, ``target`` the name of one of its
    states, inside Parallel and Map too), or ``StateMachine.test_state(state_definition, input, ...)``
    (``owner`` the class the method was called on, ``target`` one state's definition, a dict or JSON text,
    or a whole machine's with ``state_name=``, as TestState's ``definition`` and ``stateName``)."""
    options = _Options(mock, context, variables, inspection_level, state_configuration, reveal_secrets)
    if isinstance(owner, type):
        return _run_definition(owner, target, input, state_name, options)
    if state_name is not None:
        raise UsageError(
            "sm.test_state() takes the state's name as its first argument; state_name= is for "
            "StateMachine.test_state(definition, ..., state_name=...)"
        )
    return _run(owner, _named_state(owner, target), input, options)


class _Options(NamedTuple):
    """The keywords of ``test_state`` that every form passes on to ``_run`` as they are."""

    mock: Mapping[str, Any] | None
    context: Any
    variables: Any
    inspection_level: str
    state_configuration: Mapping[str, Any] | None
    reveal_secrets: bool


def _named_state(machine: StateMachine, state_name: Any) -> m.State:
    """The state of ``machine`` called ``state_name`` (inside Parallel and Map too); UsageError naming the
    closest name and the machine's states when there is none."""
    if not isinstance(state_name, str) or not state_name:
        raise UsageError(f"test_state() takes the name of a state of {machine.name!r}, got {state_name!r}")
    state = machine.program.states.get(state_name)
    if state is not None:
        return state
    states = dict(all_states(machine.program))
    state = states.get(state_name)
    if state is None:
        close = difflib.get_close_matches(state_name, sorted(states), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(repr(name) for name in sorted(states))
        raise UsageError(
            f"State not found in definition: {state_name!r} is not a state of state machine "
            f"{machine.name!r}{hint} (its states: {known})"
        )
    return state


def _run_definition(
    machine_type: type[StateMachine],
    state_definition: Any,
    input: Any,  # noqa: A002 - API.md's name
    state_name: str | None,
    options: _Options,
) -> TestStateResult:
    """``StateMachine.test_state(state_definition, input, ...)``: one state's definition in a machine of
    its own (the states it names become Succeed placeholders), or a whole machine's state ``state_name``."""
    definition = state_definition
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError as error:
            raise UsageError(f"test_state(): the state definition is not valid JSON: {error}") from None
    if not isinstance(definition, Mapping):
        raise UsageError(
            "StateMachine.test_state() takes a state definition (a dict or JSON text), got "
            f"{type(state_definition).__name__}"
        )
    if "States" in definition:
        if state_name is None:
            raise UsageError(
                "StateMachine.test_state(): a whole state machine definition needs state_name= "
                "(the state to test), as TestState's stateName"
            )
        machine = machine_type(dict(definition), name="TestStateMachine")
        return _run(machine, _named_state(machine, state_name), input, options)
    name = state_name if state_name is not None else "TestState"
    if not isinstance(name, str) or not name:
        raise UsageError(f"StateMachine.test_state(state_name=...) takes a state name, got {name!r}")
    states: dict[str, Any] = {name: dict(definition)}
    for target in _targets(definition):
        if target != name:
            states.setdefault(target, {"Type": "Succeed"})
    try:
        machine = machine_type({"StartAt": name, "States": states}, name="TestStateMachine")
    except InvalidDefinition as error:
        prefix = f"/States/{name}"
        problems = [
            (pointer[len(prefix) :] if pointer.startswith(prefix) else pointer, message)
            for pointer, message in error.problems
        ]
        raise InvalidDefinition(problems, source="the tested state") from None
    return _run(machine, machine.program.states[name], input, options)


def _targets(definition: Mapping[str, Any]) -> Iterator[str]:
    """The states a lone state's transitions name (they get placeholders so the state validates)."""
    for key in ("Next", "Default"):
        if isinstance(definition.get(key), str):
            yield definition[key]
    for key in ("Choices", "Catch"):
        clauses = definition.get(key)
        if isinstance(clauses, list):
            for clause in clauses:
                if isinstance(clause, Mapping) and isinstance(clause.get("Next"), str):
                    yield clause["Next"]


def _run(
    machine: StateMachine,
    state: m.State,
    input: Any,  # noqa: A002
    options: _Options,
) -> TestStateResult:
    mock, context, variables, inspection_level, state_configuration, reveal_secrets = options
    if inspection_level not in INSPECTION_LEVELS:
        raise UsageError(
            f"test_state(inspection_level=...) must be one of {', '.join(INSPECTION_LEVELS)} "
            f"(got {inspection_level!r})"
        )
    if not isinstance(reveal_secrets, bool):
        raise UsageError(f"test_state(reveal_secrets=...) takes True or False, got {reveal_secrets!r}")
    value = json_argument("input", {} if input is None else input)
    parsed_mock = parse_mock(mock, state)
    if parsed_mock is not None and reveal_secrets:
        raise UsageError("TestState does not support RevealSecrets when a mock is specified.")
    config = parse_config(state_configuration, state, parsed_mock)
    check_supported(state, parsed_mock)
    known_variables = parse_variables(variables)
    if context is not None and parsed_mock is None:
        raise UsageError(
            "test_state(context=...) needs a mock: TestState accepts a Context object only when a mock is "
            "specified (mock={'result': ...} or {'errorOutput': ...})"
        )
    now = machine.clock.time()
    given_context = parse_context(context) if context is not None else None
    scope = Scope(machine, state, value, known_variables, given_context, config.retry_count, now)
    inspection: dict[str, Any] = {}
    try:
        result = _test(scope, state, value, parsed_mock, config, inspection, machine)
    except (ServerlessError, StatesError):  # misuse stays loud
        raise
    except Exception as error:  # an engine bug, not the user's state: never a FAILED result
        doing = f"running test_state on state {state.name!r} of the state machine {machine.name!r}"
        raise InternalError(doing, error) from error
    if result.output is not None and exceeds_bytes(result.output, _LIMIT):
        result = TestStateResult(
            "FAILED",
            error=StatesErrorName.DATA_LIMIT_EXCEEDED.value,
            cause=f"The state/task '{state.name}' returned a result with a size exceeding the maximum number "
            "of bytes service limit.",
        )
    if inspection_level != "INFO":
        assigned = scope.assigned if result.status in ("SUCCEEDED", "CAUGHT_ERROR") else None
        if scope.variables or assigned:
            inspection["variables"] = {**scope.variables, **(assigned or {})}
        if inspection_level != "TRACE":
            inspection.pop("request", None)
            inspection.pop("response", None)
        memo: dict[int, Any] = {}
        result.inspection_data = {key: _copy(item, memo) for key, item in inspection.items()}
        result.output = _copy(result.output, memo)
    elif isinstance(result.output, (dict, list)):
        result.output = copy_json(result.output)
    return result


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    """A copy of a JSON value the engine built (no checks: it is JSON), each container copied once, so
    the parts the output and the inspection data share cost one copy."""
    if not isinstance(value, (dict, list)):
        return value
    done = memo.get(id(value))
    if done is not None:
        return done[1]
    copied: Any
    if isinstance(value, dict):
        copied = {key: _copy(item, memo) for key, item in value.items()}
    else:
        copied = [_copy(item, memo) for item in value]
    memo[id(value)] = (value, copied)  # the original kept alive: its id stays its own
    return copied


# ---------------------------------------------------------------- one state


def _test(
    scope: Scope,
    state: m.State,
    value: Any,
    mock: Mock | None,
    config: Config,
    inspection: dict[str, Any],
    machine: StateMachine,
) -> TestStateResult:
    inspection["input"] = value
    try:
        if isinstance(state, m.PassState):
            return _pass(scope, state, value, inspection)
        if isinstance(state, (m.ChoiceState, m.WaitState, m.SucceedState)):
            return _flow(scope, state, value, inspection)
        if isinstance(state, m.FailState):
            return _fail(scope, state, value, inspection)
    except StatesError as error:
        return TestStateResult("FAILED", error=error.error or None, cause=error.cause)
    assert isinstance(state, (m.TaskState, m.MapState, m.ParallelState))
    try:
        return _with_result(scope, state, value, mock, config, inspection, machine)
    except StatesError as error:
        return _recover(scope, state, value, error, config, inspection)


def _pass(scope: Scope, state: m.PassState, value: Any, inspection: dict[str, Any]) -> TestStateResult:
    if state.query_language == m.JSONATA:
        output = scope.jsonata(state.output, input=value) if state.output is not None else value
        scope.assign(state.assign, None, input=value)
    else:
        if state.has_result:
            result = state.result
            inspection["result"] = result
        else:
            result = _input_and_parameters(scope, state, value, inspection)
        inspection["afterResultSelector"] = result
        scope.assign(state.assign, result)
        after = scope.result_path(state.result_path, value, result)
        inspection["afterResultPath"] = after
        output = scope.select_path(state.output_path, after)
    return TestStateResult("SUCCEEDED", output=output, next_state=state.next)


def _input_and_parameters(
    scope: Scope, state: m.PassState | m.TaskState | m.ParallelState, value: Any, inspection: dict[str, Any]
) -> Any:
    """JSONPath InputPath, then Parameters, recorded as ``afterInputPath`` and ``afterParameters``."""
    effective = scope.select_path(state.input_path, value)
    inspection["afterInputPath"] = effective
    if state.parameters is not None:
        effective = scope.payload(state.parameters, effective)
    inspection["afterParameters"] = effective
    return effective


def _flow(
    scope: Scope, state: m.ChoiceState | m.WaitState | m.SucceedState, value: Any, inspection: dict[str, Any]
) -> TestStateResult:
    jsonata = state.query_language == m.JSONATA
    effective = value
    if not jsonata:
        effective = scope.select_path(state.input_path, value)
        inspection["afterInputPath"] = effective
    output_template, assign_template, next_state = state.output, state.assign, state.next
    if isinstance(state, m.ChoiceState):
        chosen = choose(scope.interp, state, value, effective, scope.run, scope.frame)
        if chosen is None and state.default is None:
            raise StatesError(StatesErrorName.NO_CHOICE_MATCHED, "No Matches!")
        if chosen is not None:
            assign_template = chosen.assign
            output_template = chosen.output if chosen.output is not None else state.output
        next_state = chosen.next if chosen is not None else state.default
    elif isinstance(state, m.WaitState):  # evaluated for their errors; TestState does not wait
        wait_seconds(scope.interp, state, effective, scope.run, scope.frame)
    output, scope.assigned = output_and_assign(
        scope.interp, state, output_template, assign_template, value, effective, scope.run, scope.frame
    )
    return TestStateResult("SUCCEEDED", output=output, next_state=next_state)


def _fail(scope: Scope, state: m.FailState, value: Any, inspection: dict[str, Any]) -> TestStateResult:
    if state.query_language != m.JSONATA:
        inspection["afterInputPath"] = scope.select_path(state.input_path, value)
    error = fail_field(
        scope.interp, state.error, state.error_path, value, scope.run, scope.frame, "ErrorPath"
    )
    cause = fail_field(
        scope.interp, state.cause, state.cause_path, value, scope.run, scope.frame, "CausePath"
    )
    return TestStateResult("FAILED", error=error, cause=cause)


def _with_result(
    scope: Scope,
    state: m.TaskState | m.MapState | m.ParallelState,
    value: Any,
    mock: Mock | None,
    config: Config,
    inspection: dict[str, Any],
    machine: StateMachine,
) -> TestStateResult:
    jsonata = state.query_language == m.JSONATA
    if isinstance(state, m.MapState):
        _map_fields(scope, state, value, config, inspection)
        arguments: Any = value
    elif jsonata:
        arguments = value
        if state.parameters is not None:
            arguments = scope.jsonata(state.parameters, input=value)
            inspection["afterArguments"] = arguments
    else:
        arguments = _input_and_parameters(scope, state, value, inspection)
    if mock is not None and not mock.has_result:
        raise StatesError(mock.error or "", mock.cause)
    if mock is not None:
        result = mock.result  # parsed (or copied) for this call
    else:
        assert isinstance(state, m.TaskState)  # Map and Parallel states need a mock
        result = _call_handler(machine, state, arguments, config.retry_count)
    if isinstance(state, m.TaskState) and state.resource.startswith("arn:aws:states:::http:invoke"):
        _http_trace(arguments, result, inspection)
    if isinstance(state, m.MapState) and config.iteration_failures is not None:
        _check_tolerance(scope, state, value, config.iteration_failures, result)
    if not isinstance(state, m.MapState):
        inspection["result"] = result
    if jsonata:
        output = (
            scope.jsonata(state.output, input=value, result=result) if state.output is not None else result
        )
        scope.assign(state.assign, None, input=value, result=result)
    else:
        if state.result_selector is not None:
            result = scope.payload(state.result_selector, result)
        if not isinstance(state, m.MapState):
            inspection["afterResultSelector"] = result
        scope.assign(state.assign, result)
        after = scope.result_path(state.result_path, value, result)
        if not isinstance(state, m.MapState):
            inspection["afterResultPath"] = after
        output = scope.select_path(state.output_path, after)
    return TestStateResult("SUCCEEDED", output=output, next_state=state.next)


def _map_fields(
    scope: Scope, state: m.MapState, value: Any, config: Config, inspection: dict[str, Any]
) -> None:
    """A mocked Map's inspection data: its items and settings, as TestState reports them."""
    items: Any = None
    effective = value
    if state.item_reader is not None:
        items = config.item_reader_data if config.item_reader_data is not UNSET else None
    elif state.query_language == m.JSONATA:
        items = value
        if state.items is not None:
            items = scope.jsonata(state.items, input=value)
            if not isinstance(items, list):
                raise scope.prefixed(state.items.type_error("array", items))
    else:
        effective = items = scope.select_path(state.input_path, value)
        if state.items_path is not None and state.items_path is not m.NULL_PATH:
            inspection["afterInputPath"] = effective
            items = scope.lookup_or_fail(state.items_path, effective)
            if not isinstance(items, list):
                raise scope.runtime(
                    f"Invalid path '{state.items_path.text}': The ItemsPath must reference a JSON array, "
                    f"but was: {dumps(items)}"
                )
            inspection["afterItemsPath"] = items
    if state.item_selector is not None and isinstance(items, list):
        inspection["afterItemSelector"] = _selected(scope, state, value, effective, items)
    inspection["maxConcurrency"] = (
        _map_number(scope, state.max_concurrency, state.max_concurrency_path, value) or 0
    )
    count = _map_number(scope, state.tolerated_failure_count, state.tolerated_failure_count_path, value)
    if count is not None:
        inspection["toleratedFailureCount"] = count
    percent = _map_number(
        scope,
        state.tolerated_failure_percentage,
        state.tolerated_failure_percentage_path,
        value,
        integer=False,
    )
    if percent is not None:
        inspection["toleratedFailurePercentage"] = percent


def _selected(scope: Scope, state: m.MapState, value: Any, effective: Any, items: list[Any]) -> list[Any]:
    """Each item through the ItemSelector, with ``$$.Map.Item`` set as in the iteration."""
    selected = []
    try:
        for index, item in enumerate(items):
            scope.item(index, item)
            if state.query_language == m.JSONATA:
                selected.append(scope.jsonata(state.item_selector, input=value))
            else:
                selected.append(scope.payload(state.item_selector, effective))
    finally:
        scope.item(-1, None)
    return selected


def _map_number(scope: Scope, literal: Any, path: Any, value: Any, integer: bool = True) -> Any:
    if path is not None:
        effective = scope.select_path(scope.state.input_path, value)
        raw = scope.lookup_or_fail(path, effective)
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                raw = int(raw.strip()) if integer else float(raw.strip())
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise scope.runtime(f"The value at {path.text} is not a valid number: {dumps(raw)}")
        return raw
    if literal is None:
        return None
    if isinstance(literal, (int, float)) and not isinstance(literal, bool):
        return literal if integer or isinstance(literal, float) else float(literal)
    result = scope.jsonata(literal, input=value)
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise scope.prefixed(literal.type_error("number", result))
    return result


def _check_tolerance(scope: Scope, state: m.MapState, value: Any, failures: int, result: Any) -> None:
    """``mapIterationFailureCount`` against the Map's declared tolerance (AWS checks only a declared one)."""
    count = _map_number(scope, state.tolerated_failure_count, state.tolerated_failure_count_path, value)
    percent = _map_number(
        scope,
        state.tolerated_failure_percentage,
        state.tolerated_failure_percentage_path,
        value,
        integer=False,
    )
    if count is None and percent is None:
        return
    total = len(result) if isinstance(result, list) else failures
    exceeded = (count is not None and failures > count) or (
        percent is not None and total > 0 and failures * 100.0 / total > percent
    )
    if exceeded:
        raise StatesError(StatesErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD, _THRESHOLD_CAUSE)


def _http_trace(arguments: Any, result: Any, inspection: dict[str, Any]) -> None:
    """TRACE's request and response of an HTTP Task (``arn:aws:states:::http:invoke``)."""
    args = arguments if isinstance(arguments, dict) else {}
    url = str(args.get("ApiEndpoint", ""))
    query = args.get("QueryParameters")
    if isinstance(query, dict) and query:
        from urllib.parse import urlencode

        url += ("&" if "?" in url else "?") + urlencode({key: str(item) for key, item in query.items()})
    body = args.get("RequestBody")
    request: dict[str, Any] = {
        "protocol": "https",
        "method": str(args.get("Method", "")).upper(),
        "url": url,
        "headers": dumps(args.get("Headers") or {}),
    }
    if body is not None:
        request["body"] = body if isinstance(body, str) else dumps(body)
    inspection["request"] = request
    answer = result if isinstance(result, dict) else {}
    response: dict[str, Any] = {
        "protocol": "https",
        "statusCode": str(answer.get("StatusCode", "")),
        "statusMessage": str(answer.get("StatusText", "")),
        "headers": dumps(answer.get("Headers") or {}),
    }
    if "ResponseBody" in answer:
        body = answer["ResponseBody"]
        response["body"] = body if isinstance(body, str) else dumps(body)
    inspection["response"] = response


def _call_handler(machine: StateMachine, state: m.TaskState, arguments: Any, retry_count: int) -> Any:
    """A Task without a TestState mock is answered as ``execute()`` would answer it (TestState calls the
    real service): by the machine's own ``mocks=`` (the response for attempt ``retrierRetryCount``), else
    its handler from ``tasks=``; with neither, ``UnmockedTask``."""
    resource = parse_resource(state.resource)
    keys, function = handler_keys(state.name, resource, arguments)
    for key in keys:
        if key in machine.mocks:
            cursor = MockCursor(key, machine.mocks[key])
            cursor.calls = retry_count
            outcome = cursor.next(arguments)
            if outcome.failed:
                raise StatesError(outcome.error or StatesErrorName.TASK_FAILED, outcome.cause)
            return copy_json(outcome.value)
    handler = find_handler(machine.tasks, keys)
    if handler is None:
        raise UnmockedTask(
            state.name,
            state.resource,
            available=sorted({*machine.mocks, *machine.tasks}),
            detail="test_state() takes mock={'result': ...} or {'errorOutput': ...} for it.",
        )
    request_id = "00000000-0000-0000-0000-000000000000"
    event, name = handler_event(resource, arguments, function)
    timeout = state.timeout_seconds if isinstance(state.timeout_seconds, (int, float)) else 60.0
    try:
        result, _elapsed = invoke_handler(
            handler,
            copy_json(event),
            function_name=name,
            request_id=request_id,
            clock=machine.clock,
            timeout_seconds=float(timeout),
            lets_through=TASK_ANSWERS,
        )
    except FunctionTimedOut:
        raise StatesError(StatesErrorName.TIMEOUT, "") from None
    except TaskFailure as failure:
        error, cause = task_failure(failure, f"the handler for {resource.arn!r}")
        raise StatesError(error or StatesErrorName.TASK_FAILED, cause) from None
    except UserCodeFailed as failed:  # the handler's own exception, as Lambda reports it
        error_name, cause = lambda_error(failed.error, request_id)
        raise StatesError(error_name, cause) from None
    problem = json_problem(result)
    if problem is not None:
        raise StatesError("Runtime.MarshalError", f"Unable to marshal response: {problem}")
    result = copy_json(result)
    return wrap_lambda_invoke(result, request_id) if resource.is_lambda_invoke else result


# ---------------------------------------------------------------- Retry and Catch


def _recover(
    scope: Scope,
    state: m.TaskState | m.MapState | m.ParallelState,
    value: Any,
    error: StatesError,
    config: Config,
    inspection: dict[str, Any],
) -> TestStateResult:
    """TestState's answer to an error: RETRIABLE while the first matching retrier has attempts left
    (``retrierRetryCount`` of them used), else CAUGHT_ERROR through the first matching catcher, else
    FAILED."""
    name, cause = error.error or None, error.cause
    index = find_retrier(state.retry, error)
    if index is not None:
        retrier = state.retry[index]
        if config.retry_count < retrier.max_attempts:
            delay = backoff_seconds(retrier, config.retry_count)
            inspection["errorDetails"] = {"retryIndex": index, "retryBackoffIntervalSeconds": _number(delay)}
            return TestStateResult("RETRIABLE", error=name, cause=cause)
    catcher = find_catcher(state.catch, error)
    if catcher is None:
        return TestStateResult("FAILED", error=name, cause=cause)
    inspection["errorDetails"] = {"catchIndex": state.catch.index(catcher)}
    error_output: dict[str, Any] = {"Error": error.error}
    if error.cause is not None:
        error_output["Cause"] = error.cause
    scope.assigned = None
    try:
        if state.query_language == m.JSONATA:
            parts = {"input": value, "errorOutput": error_output}
            output = scope.jsonata(catcher.output, **parts) if catcher.output is not None else error_output
            scope.assign(catcher.assign, None, **parts)
        else:
            scope.assign(catcher.assign, error_output)
            output = scope.result_path(catcher.result_path, value, error_output)
    except StatesError as failure:
        return TestStateResult("FAILED", error=failure.error or None, cause=failure.cause)
    return TestStateResult("CAUGHT_ERROR", output=output, error=name, cause=cause, next_state=catcher.next)


def _number(seconds: float) -> int | float:
    return (
        int(seconds)
        if math.isfinite(seconds) and seconds == int(seconds) and abs(seconds) < 2**53
        else seconds
    )
