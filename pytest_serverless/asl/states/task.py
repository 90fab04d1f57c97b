"""The Task state: arguments, the call (mock, handler or nested machine), timeouts, result, events."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Generator
from types import GeneratorType
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_serverless._ids import REGION
from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.asl import model as m
from pytest_serverless.asl._depth_limits import NestedTooDeep, cap_cause, nested_execution
from pytest_serverless.asl.interpreter import Terminal, effective_input, finish_state
from pytest_serverless.asl.paths import CompiledPath, copy_json, dumps
from pytest_serverless.asl.recovery import run_with_retry
from pytest_serverless.asl.runtime import PARK
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName
from pytest_serverless.asl.tasks import (
    TASK_ANSWERS,
    Resource,
    TaskCallOutcome,
    find_handler,
    function_arn,
    function_name,
    json_problem,
    lambda_error,
    parse_resource,
    task_failure,
    wrap_lambda_invoke,
)
from pytest_serverless.errors import TaskFailure, UnmockedTask, UsageError
from pytest_serverless.lambdas import FunctionTimedOut, invoke_handler

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["handler_event", "handler_keys", "run_task"]

_DEFAULT_TIMEOUT = 99_999_999
_EXECUTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_RESOURCES: dict[str, Resource] = {}


def _resource(arn: str) -> Resource:
    resource = _RESOURCES.get(arn)
    if resource is None:
        resource = _RESOURCES[arn] = parse_resource(arn)
    return resource


def run_task(
    interp: Interpreter, state: m.TaskState, value: Any, frame: Frame, run: StateRun
) -> Generator[Any, Any, tuple[str | None, Any]]:
    resource = _resource(state.resource)
    if resource.pattern == "token":
        run.token = interp.ids.next("task-token")
    try:
        timeout = _seconds(
            interp,
            state,
            "TimeoutSeconds",
            state.timeout_seconds,
            state.timeout_seconds_path,
            value,
            run,
            frame,
        )
        heartbeat = _seconds(
            interp,
            state,
            "HeartbeatSeconds",
            state.heartbeat_seconds,
            state.heartbeat_seconds_path,
            value,
            run,
            frame,
        )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise

    def attempt() -> Generator[Any, Any, tuple[str | None, Any]]:
        arguments = effective_input(interp, state, value, run, frame)
        call = _Call(interp, state, resource, arguments, run, frame, timeout, heartbeat)
        result = yield from _call(call)
        return finish_state(interp, state, value, result, run, frame)

    return (yield from run_with_retry(interp, state, value, run, frame, attempt))


def _seconds(
    interp: Interpreter,
    state: m.TaskState,
    field: str,
    literal: Any,
    path: CompiledPath | None,
    value: Any,
    run: StateRun,
    frame: Frame,
) -> float | None:
    if literal is not None:
        if isinstance(literal, (int, float)):
            return float(literal)
        result = interp.jsonata(literal, run, frame, input=value)
        if isinstance(result, bool) or not isinstance(result, (int, float)):
            raise interp.prefixed(run, literal.type_error("integer", result))
        return float(result)
    if path is not None:
        result = interp.lookup_or_fail(path, value, run, frame)
        if isinstance(result, bool) or not isinstance(result, (int, float)) or result <= 0:
            raise interp.runtime(
                run, f"The {field}Path parameter references an invalid value: {path.text} == {dumps(result)}"
            )
        return float(result)
    return None


# ---------------------------------------------------------------- the call


class _Call(NamedTuple):
    """One call of a Task's resource (an attempt), with its arguments and time limits."""

    interp: Interpreter
    state: m.TaskState
    resource: Resource
    arguments: Any
    run: StateRun
    frame: Frame
    timeout: float | None
    heartbeat: float | None


def _call(call: _Call) -> Generator[Any, Any, Any]:
    """Call the Task's resource and record its events (Scheduled, Started, Submitted, then Succeeded,
    Failed or TimedOut); the result, or a StatesError."""
    interp, state, resource, arguments, run, frame, timeout, heartbeat = call
    prefix, payload_key, details = _scheduled(resource, timeout, heartbeat)
    outcome = _outcome(call)
    waits = outcome.__class__ is GeneratorType  # a callback, an activity worker or a nested execution
    if waits and resource.kind == "activity" and not interp.machine.service._has_activity_arn(resource.arn):
        raise Terminal(StatesErrorName.RUNTIME, run.prefix() + f"The activity {resource.arn} does not exist.")
    interp.event(frame, f"{prefix}Scheduled", details, payload_key, arguments)
    task_details = (
        {"resourceType": resource.resource_type, "resource": resource.action} if prefix == "Task" else None
    )
    interp.task_calls.append((state.name, state.resource, arguments))
    started_details: dict[str, Any] | None = task_details
    if prefix == "Activity":
        started_details = {"workerName": "pytest-serverless"}
    submitted = resource.pattern in ("token", "sync", "sync2") and prefix == "Task"
    if waits:
        if prefix != "Activity":  # an activity's ActivityStarted is the worker's GetActivityTask
            interp.event(frame, f"{prefix}Started", started_details)
        if submitted:  # submitted before the wait
            interp.event(frame, "TaskSubmitted", dict(task_details or {}), "output", {})
            submitted = False
        outcome = yield from outcome
    else:
        interp.event(frame, f"{prefix}Started", started_details)
    duration, limit_error = _time_limit(outcome, timeout, heartbeat)
    if submitted:  # submitted before the wait
        interp.event(frame, "TaskSubmitted", dict(task_details or {}), "output", {})
    if duration > 0:
        yield interp.now + duration
    if limit_error is not None:
        _failure_event(interp, frame, f"{prefix}TimedOut", task_details, limit_error.error, limit_error.cause)
        raise limit_error
    if outcome.failed:
        _failure_event(interp, frame, f"{prefix}Failed", task_details, outcome.error, outcome.cause)
        raise StatesError(outcome.error or StatesErrorName.TASK_FAILED, outcome.cause)
    result = outcome.value
    oversized = _oversized(resource, result)
    if oversized is not None:  # AWS records the task as failed (no success event carrying the payload)
        _failure_event(interp, frame, f"{prefix}Failed", task_details, oversized.error, oversized.cause)
        raise oversized
    interp.event(frame, f"{prefix}Succeeded", dict(task_details) if task_details else None, "output", result)
    return result


def _scheduled(
    resource: Resource, timeout: float | None, heartbeat: float | None
) -> tuple[str, str, dict[str, Any]]:
    """The events' prefix (LambdaFunction, Activity or Task), the key of the Scheduled event's payload
    and its details."""
    kind = resource.kind
    details: dict[str, Any]
    if kind == "lambda":
        prefix, payload_key, details = "LambdaFunction", "input", {"resource": resource.arn}
    elif kind == "activity":
        prefix, payload_key, details = "Activity", "input", {"resource": resource.arn}
    else:
        prefix, payload_key = "Task", "parameters"
        details = {
            "resourceType": resource.resource_type,
            "resource": resource.action,
            "region": REGION,
        }
    if timeout is not None:
        details["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None and kind != "lambda":  # LambdaFunctionScheduled carries no heartbeat
        details["heartbeatInSeconds"] = int(heartbeat)
    return prefix, payload_key, details


def _time_limit(
    outcome: TaskCallOutcome, timeout: float | None, heartbeat: float | None
) -> tuple[float, StatesError | None]:
    """The virtual time the task takes (cut at HeartbeatSeconds or TimeoutSeconds) and the States.Timeout
    that ends it, if any (also one the outcome itself reports)."""
    duration = outcome.duration
    limit_error: StatesError | None = None
    if heartbeat is not None and duration > heartbeat and (timeout is None or heartbeat < timeout):
        duration = heartbeat
        limit_error = StatesError(StatesErrorName.TIMEOUT, "")
        limit_error.heartbeat = True  # type: ignore[attr-defined]
    elif timeout is not None and duration > timeout:
        duration = timeout
        limit_error = StatesError(StatesErrorName.TIMEOUT, "")
    if limit_error is None and outcome.failed and outcome.error == StatesErrorName.TIMEOUT:
        limit_error = StatesError(StatesErrorName.TIMEOUT, outcome.cause if outcome.cause is not None else "")
        if outcome.heartbeat:
            limit_error.heartbeat = True  # type: ignore[attr-defined]
    return duration, limit_error


def _failure_event(
    interp: Interpreter,
    frame: Frame,
    event_type: str,
    task_details: dict[str, Any] | None,
    error: str | None,
    cause: str | None,
) -> None:
    """A ...Failed or ...TimedOut event: the task details, then the error and cause when known."""
    failure: dict[str, Any] = dict(task_details or {})
    if error is not None:
        failure["error"] = error
    if cause is not None:
        failure["cause"] = cause
    interp.event(frame, event_type, failure)


def _oversized(resource: Resource, result: Any) -> StatesError | None:
    """States.DataLimitExceeded for a result over 256 KiB of JSON, else None."""
    if not _large(result) or len(dumps(result).encode("utf-8")) <= 262_144:
        return None
    task = resource.arn if resource.kind == "lambda" else resource.resource_type
    return StatesError(
        StatesErrorName.DATA_LIMIT_EXCEEDED,
        f"The state/task '{task}' returned a result with a size exceeding the maximum number of bytes "
        "service limit.",
    )


def _large(value: Any) -> bool:
    from pytest_serverless.asl.interpreter import _size_may_exceed

    return _size_may_exceed(value)


def _check_mock_result(interp: Interpreter, state: m.TaskState, value: Any) -> None:
    """A mocked result against the service model of the Task's operation (API.md section 7): UsageError."""
    machine = interp.machine
    mode = getattr(machine, "mock_validation", None) or "PRESENT"
    if mode == "NONE":
        return
    from pytest_serverless.aws._models import result_problem  # botocore: imported when a mock is checked

    problem = result_problem(state.resource, value, mode)
    if problem is not None:
        raise UsageError(
            f"the mocked result of Task state {state.name!r} (resource {state.resource!r}) {problem} "
            f"(mock_validation={mode!r}; StateMachine(..., mock_validation='NONE') or the ini option "
            "serverless_mock_validation = NONE turns the check off)"
        )


def handler_keys(state_name: str, resource: Resource, arguments: Any) -> tuple[list[str], str | None]:
    """The keys a Task's mock or handler is found by (its state name, its resource ARN, and for Lambda
    the function's ARN and name), and the ARN of the function a ``lambda:invoke`` names."""
    keys = [state_name, resource.arn]
    function = None
    if resource.is_lambda_invoke and isinstance(arguments, dict):
        function = function_arn(arguments.get("FunctionName"))
        if function is not None:
            keys.append(function)
            keys.append(function_name(function))
    elif resource.kind == "lambda":
        keys.append(function_name(resource.arn))
    return keys, function


def handler_event(resource: Resource, arguments: Any, function: str | None) -> tuple[Any, str]:
    """What a Task's handler gets: the event (a ``lambda:invoke``'s Payload) and its function name."""
    if resource.is_lambda_invoke:
        event = arguments.get("Payload") if isinstance(arguments, dict) else None
        return event, function_name(function or "function")
    return arguments, function_name(resource.arn) if resource.kind == "lambda" else resource.action


def _outcome(call: _Call) -> Any:
    """A TaskCallOutcome, or a generator returning one (a callback, an activity worker, a nested
    execution that waits)."""
    interp, state, resource, arguments, _run, frame, timeout, _heartbeat = call
    keys, function = handler_keys(state.name, resource, arguments)
    for key in keys:
        cursor = interp.mocks.get(key)
        if cursor is not None:
            outcome = cursor.next(arguments)
            if resource.kind == "service" and not outcome.failed and not resource.pattern:
                _check_mock_result(interp, state, outcome.value)
            return outcome
    handler = find_handler(interp.handlers, keys)
    if handler is not None:
        return _run_handler(interp, handler, resource, arguments, function, timeout)
    if resource.resource_type == "states" and resource.base_action == "startExecution":
        outcome = _nested(interp, resource, arguments, frame)
        if outcome is not None:
            return outcome
    if resource.pattern == "token" or resource.kind == "activity":
        return _await_callback(call)
    available = sorted(set(interp.mocks) | set(interp.handlers))
    raise UnmockedTask(state.name, state.resource, available=available)


def _run_handler(
    interp: Interpreter,
    handler: Any,
    resource: Resource,
    arguments: Any,
    function: str | None,
    timeout: float | None,
) -> TaskCallOutcome:
    request_id = interp.ids.next("request")
    event, name = handler_event(resource, arguments, function)
    before = interp.clock.time()
    try:
        result, _elapsed = invoke_handler(
            handler,
            copy_json(event),
            function_name=name,
            request_id=request_id,
            clock=interp.clock,
            timeout_seconds=float(timeout) if timeout is not None else 60.0,
            lets_through=TASK_ANSWERS,
        )
    except TaskFailure as failure:
        error, cause = task_failure(failure, f"the handler for {resource.arn!r}")
        duration = _elapsed_since(interp, before)
        if isinstance(failure, FunctionTimedOut):  # Lambda stopped the function at its own Timeout
            duration = min(duration, failure.timeout)
        return TaskCallOutcome(error=error, cause=cause, failed=True, duration=duration)
    except UserCodeFailed as failed:  # the handler's own exception: Lambda reports it as the function error
        error_name, cause = lambda_error(failed.error, request_id)
        return TaskCallOutcome(
            error=error_name, cause=cause, failed=True, duration=_elapsed_since(interp, before)
        )
    problem = json_problem(result)
    if problem is None:
        result = copy_json(result)
    else:
        marshal = {
            "errorMessage": f"Unable to marshal response: {problem}",
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        return TaskCallOutcome(error="Runtime.MarshalError", cause=dumps(marshal), failed=True)
    if resource.is_lambda_invoke:
        result = wrap_lambda_invoke(result, request_id)
    duration = _elapsed_since(interp, before)
    return TaskCallOutcome(value=result, duration=duration)


def _elapsed_since(interp: Interpreter, before: float) -> float:
    """Virtual time a handler spent (it may advance the shared clock); the interpreter re-applies it."""
    elapsed = interp.clock.time() - before
    return max(0.0, elapsed)


def _nested(interp: Interpreter, resource: Resource, arguments: Any, frame: Frame) -> Any:
    """Start a registered machine: an outcome, or (``.sync``) a generator waiting for the child's end."""
    if not isinstance(arguments, dict):
        return None
    arn = arguments.get("StateMachineArn")
    machine = interp.machines.get(arn) if isinstance(arn, str) else None
    if machine is None and isinstance(arn, str):
        machine = interp.machines.get(arn.rsplit(":", 1)[-1])
    if machine is None:
        if isinstance(arn, str) and interp.machines:
            return TaskCallOutcome(
                error="StepFunctions.StateMachineDoesNotExistException",
                cause=f"State Machine Does Not Exist: '{arn}' (Service: AWSStepFunctions; Status Code: 400; "
                "Error Code: StateMachineDoesNotExist; Request ID: 00000000-0000-0000-0000-000000000000; "
                "Proxy: null)",
                failed=True,
            )
        return None
    child_input = arguments.get("Input")
    if isinstance(child_input, str):
        with contextlib.suppress(ValueError):
            child_input = json.loads(child_input)
    name = arguments.get("Name")
    if name is not None and (not isinstance(name, str) or not _EXECUTION_NAME.match(name)):
        return TaskCallOutcome(
            error="StepFunctions.InvalidNameException",
            cause=f"Invalid Name: '{name}' (Service: AWSStepFunctions; Status Code: 400; Error Code: "
            "InvalidName; Request ID: 00000000-0000-0000-0000-000000000000; Proxy: null)",
            failed=True,
        )
    try:
        copy_json(child_input)
    except (TypeError, ValueError):
        child_input = None
    same_clock = machine.clock is interp.clock
    try:
        with nested_execution(machine.name, outer=interp.nest_chain):
            if same_clock:  # the child runs on the same scheduler: start it, wait for its end if .sync
                child = machine.start(child_input, name=name)
            else:  # another clock: run it to its end there; its own duration is what the parent waits
                child = machine.execute(child_input, name=name)
    except NestedTooDeep as too_deep:
        return TaskCallOutcome(error=too_deep.error, cause=too_deep.cause, failed=True)
    except UnmockedTask as error:
        raise UnmockedTask(
            error.state_name,
            error.resource,
            available=error.available,
            detail=f"It ran in a nested execution of state machine {machine.name!r}: mocks given to the "
            "parent's execute() do not reach it; give that StateMachine its own mocks=... or tasks=...",
        ) from None
    if resource.pattern != "" and same_clock and child.status == "RUNNING":
        return _await_child(interp, machine, resource, child, child_input, frame)
    duration = 0.0 if same_clock else child.duration
    return _child_outcome(machine, resource, child, child_input, duration)


def _await_callback(call: _Call) -> Generator[Any, Any, TaskCallOutcome]:
    """Park until ``send_task_*`` (or an activity worker and then ``send_task_*``) answers, or a timer
    (TimeoutSeconds, HeartbeatSeconds) fails the task with States.Timeout."""
    interp, state, resource, arguments, run, frame, timeout, heartbeat = call
    activity = resource.kind == "activity"
    token = run.token if run.token is not None else interp.ids.next("task-token")
    callback = interp.machine.service._wait_for_callback(
        interp,
        frame,
        interp.execution,
        state.name,
        token,
        resource.arn,
        arguments,
        timeout,
        heartbeat,
        activity,
    )
    try:
        yield PARK
    finally:
        if frame.thread is not None:
            frame.thread.clear_hooks()
    outcome: TaskCallOutcome | None = callback.outcome
    assert outcome is not None
    return outcome


def _await_child(
    interp: Interpreter, machine: Any, resource: Resource, child: Any, child_input: Any, frame: Frame
) -> Generator[Any, Any, TaskCallOutcome]:
    thread = frame.thread
    assert thread is not None
    child.add_done_callback(lambda _execution: thread.resume())
    interp.waiting_on.append(child)
    try:
        yield PARK
    except GeneratorExit:  # the parent stopped, timed out, or a sibling branch failed: AWS stops the job
        if child.status == "RUNNING" and ":express:" not in child.arn:
            machine.service.stop(child)
        raise
    finally:
        interp.waiting_on.remove(child)
    return _child_outcome(machine, resource, child, child_input, 0.0)


def _child_outcome(
    machine: Any, resource: Resource, child: Any, child_input: Any, duration: float
) -> TaskCallOutcome:
    started = int(child.start_time * 1000)
    if resource.pattern == "":
        return TaskCallOutcome(value={"ExecutionArn": child.arn, "StartDate": started}, duration=0.0)
    # DescribeExecution's shape: Input as JSON text for .sync, as a JSON value for .sync:2 (AWS-recorded)
    description: dict[str, Any] = {
        "ExecutionArn": child.arn,
        "Input": copy_json(child.input) if resource.pattern == "sync2" else dumps(child.input),
        "InputDetails": {"Included": True},
        "Name": child.name,
    }
    if child.status == "SUCCEEDED":
        description["Output"] = child.output if resource.pattern == "sync2" else dumps(child.output)
        description["OutputDetails"] = {"Included": True}
    description.update(
        {
            "RedriveCount": child.redrive_count,
            "RedriveStatus": "NOT_REDRIVABLE" if child.status == "SUCCEEDED" else "REDRIVABLE",
            "StartDate": started,
            "StateMachineArn": machine.arn,
            "Status": child.status,
            "StopDate": int((child.start_time + child.duration) * 1000),
        }
    )
    if child.status == "SUCCEEDED":
        description["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
        return TaskCallOutcome(value=description, duration=duration)
    if child.error is not None:
        description["Error"] = child.error
    if child.cause is not None:
        description["Cause"] = cap_cause(child.cause)
    return TaskCallOutcome(
        error=StatesErrorName.TASK_FAILED.value,
        cause=cap_cause(dumps(description)),
        failed=True,
        duration=duration,
    )
