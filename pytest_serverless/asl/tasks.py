"""Task resources: what a ``Resource`` ARN means, and who answers the call (mock, handler, nested machine).

Resolution order for a Task state ``S`` with resource ``R``: a mock keyed by ``S``, by ``R`` (or, for
``lambda:invoke``, by the function named in the arguments); then a handler in ``tasks`` keyed the same way
or by an ARN pattern with ``*``; then, for ``states:startExecution``, a registered StateMachine; otherwise
:class:`UnmockedTask` is raised out of ``execute``.
"""

from __future__ import annotations

import fnmatch
import inspect
import json
import os
import re
import traceback
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_serverless._ids import ACCOUNT_ID, REGION
from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.errors import InternalError, ServerlessError, TaskFailure, UsageError

from ._json import json_error_text
from .paths import copy_json
from .states_errors import StatesError, StatesErrorName

__all__ = [
    "CheckedTasks",
    "MockCursor",
    "Resource",
    "TaskCallOutcome",
    "accepts",
    "check_task_handlers",
    "json_problem",
    "lambda_error",
    "normalize_mock",
    "parse_resource",
    "task_failure",
    "wrap_lambda_invoke",
]


@dataclass(frozen=True)
class Resource:
    """A parsed ``Resource``: ``kind`` is ``lambda`` (plain function ARN), ``activity`` or ``service``."""

    arn: str
    kind: str
    resource_type: str  # "lambda", "aws-sdk:dynamodb", "sqs", ...
    action: str  # "invoke", "sendMessage.waitForTaskToken", "getItem"
    pattern: str  # "", "sync", "sync2", "token"

    @property
    def is_lambda_invoke(self) -> bool:
        return self.kind == "service" and self.resource_type == "lambda" and self.action.startswith("invoke")

    @property
    def base_action(self) -> str:
        return self.action.split(".", 1)[0]


def parse_resource(arn: str) -> Resource:
    if ":function:" in arn and arn.startswith("arn:") and ":lambda:" in arn:
        return Resource(arn, "lambda", "lambda", arn, "")
    if ":activity:" in arn:
        return Resource(arn, "activity", "activity", arn, "")
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "states":
        return Resource(arn, "service", "unknown", arn, "")
    rest = parts[5]
    if rest.startswith("aws-sdk:"):
        sdk = rest.split(":", 2)
        if len(sdk) < 3:
            return Resource(arn, "service", "unknown", arn, "")
        service, action = f"aws-sdk:{sdk[1]}", sdk[2]
    elif ":" in rest:
        service, action = rest.split(":", 1)
    else:
        return Resource(arn, "service", "unknown", arn, "")
    pattern = ""
    if action.endswith(".sync:2"):
        pattern = "sync2"
    elif action.endswith(".sync"):
        pattern = "sync"
    elif action.endswith(".waitForTaskToken"):
        pattern = "token"
    return Resource(arn, "service", service, action, pattern)


# ---------------------------------------------------------------- mocks


@dataclass(frozen=True)
class TaskCallOutcome:
    """What a mock step says: a return value or an error; ``duration`` in virtual seconds."""

    value: Any = None
    error: str | None = None
    cause: str | None = None
    failed: bool = False
    duration: float = 0.0
    heartbeat: bool = False  # a States.Timeout from a missed heartbeat (States.HeartbeatTimeout matches it)


# what a Task answers itself when a mock or handler raises it: our errors (misuse stays loud) and
# TaskFailure (the error name the user chose); anything else is the user's code failing (UserCodeFailed)
TASK_ANSWERS = (ServerlessError, TaskFailure)


class MockCursor:
    """One mock in one execution: hands out responses in invocation order (the last one repeats)."""

    __slots__ = ("_function", "_steps", "calls", "key")

    def __init__(self, key: str, mock: Any) -> None:
        self.key = key
        self.calls = 0
        self._function: Callable[[Any], Any] | None = None
        self._steps: list[TaskCallOutcome] = []
        if callable(mock):
            if not accepts(mock, 1):
                raise UsageError(
                    f"mock {key!r} must be a callable f(input) -> result taking one argument (the task input)"
                )
            self._function = mock
        else:
            self._steps = normalize_mock(mock, key)

    def next(self, payload: Any) -> TaskCallOutcome:
        index = self.calls
        self.calls += 1
        if self._function is not None:
            try:
                value = call_user(self._function, copy_json(payload), lets_through=TASK_ANSWERS)
            except TaskFailure as failure:
                error, cause = task_failure(failure, f"the mock {self.key!r}")
                return TaskCallOutcome(error=error, cause=cause, failed=True)
            except UserCodeFailed as failed:  # the mock's own exception: reported like a Lambda error
                name, cause = lambda_error(failed.error, "00000000-0000-0000-0000-000000000000")
                return TaskCallOutcome(error=name, cause=cause, failed=True)
            problem = json_problem(value)
            if problem is not None:
                raise UsageError(f"mock {self.key!r} returned a value that is not JSON: {problem}")
            return TaskCallOutcome(value=copy_json(value))
        steps = self._steps
        return steps[index] if index < len(steps) else steps[-1]


def _step(key: str, where: str, step: Any) -> TaskCallOutcome:
    if not isinstance(step, Mapping) or not (("Return" in step) ^ ("Throw" in step)):
        raise UsageError(
            f"mock {key!r} response {where}: expected {{'Return': value}} or "
            f"{{'Throw': {{'Error': ..., 'Cause': ...}}}}, got {step!r}"
        )
    duration = step.get("Duration", 0)
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0:
        raise UsageError(f"mock {key!r} response {where}: 'Duration' must be a number of seconds >= 0")
    if "Return" in step:
        problem = json_problem(step["Return"])
        if problem is not None:
            raise UsageError(f"mock {key!r} response {where}: 'Return' is not JSON: {problem}")
        return TaskCallOutcome(value=step["Return"], duration=float(duration))
    throw = step["Throw"]
    if not isinstance(throw, Mapping):
        raise UsageError(f"mock {key!r} response {where}: 'Throw' must be {{'Error': ..., 'Cause': ...}}")
    error = throw.get("Error")
    if error is not None and not isinstance(error, str):
        raise UsageError(f"mock {key!r} response {where}: 'Throw' 'Error' must be a string, got {error!r}")
    cause = throw.get("Cause")
    if cause is not None and not isinstance(cause, str):
        cause = json.dumps(cause, separators=(",", ":"))
    return TaskCallOutcome(
        error=str(error) if error is not None else None, cause=cause, failed=True, duration=float(duration)
    )


def normalize_mock(mock: Any, key: str) -> list[TaskCallOutcome]:
    """A list of responses, or a dict keyed ``"0"``, ``"1-2"``: the Step Functions Local shape."""
    if isinstance(mock, Mapping) and ("Return" in mock or "Throw" in mock):
        return [_step(key, "0", mock)]
    if isinstance(mock, Mapping):
        ranges: list[tuple[int, int, Any]] = []
        for text, step in mock.items():
            match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", str(text))
            if match is None:
                raise UsageError(f"mock {key!r}: key {text!r} is not an invocation number like '0' or '1-2'")
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) is not None else low
            if high < low:
                raise UsageError(f"mock {key!r}: range {text!r} ends before it starts")
            ranges.append((low, high, step))
        ranges.sort(key=lambda item: item[0])
        out: list[TaskCallOutcome] = []
        for low, high, step in ranges:
            if low != len(out):
                raise UsageError(
                    f"mock {key!r}: invocation keys must be consecutive from '0' (missing {len(out)})"
                )
            outcome = _step(key, repr(f"{low}" if low == high else f"{low}-{high}"), step)
            out.extend([outcome] * (high - low + 1))
        if not out:
            raise UsageError(f"mock {key!r} has no responses")
        return out
    if isinstance(mock, (list, tuple)):
        if not mock:
            raise UsageError(f"mock {key!r} has no responses")
        return [_step(key, str(index), step) for index, step in enumerate(mock)]
    raise UsageError(
        f"mock {key!r}: expected a list of {{'Return': ...}}/{{'Throw': ...}} responses, a dict keyed '0', "
        f"'1-2', ... or a callable, got {type(mock).__name__}"
    )


# ---------------------------------------------------------------- handlers


def find_handler(handlers: Mapping[str, Any], keys: Iterable[str]) -> Any:
    """The handler for the first key found exactly, else the first ``*`` pattern matching a key."""
    keys = [key for key in keys if key]
    for key in keys:
        handler = handlers.get(key)
        if handler is not None:
            return handler
    for pattern, handler in handlers.items():
        if "*" in pattern and any(fnmatch.fnmatchcase(key, pattern) for key in keys):
            return handler
    return None


def function_arn(name: Any) -> str | None:
    """A Lambda ``FunctionName`` (name, partial or full ARN, with qualifier) as a full function ARN."""
    if not isinstance(name, str) or not name:
        return None
    if name.startswith("arn:"):
        parts = name.split(":")
        return ":".join(parts[:7])
    if ":function:" in name:
        return f"arn:aws:lambda:{REGION}:{name.split(':function:')[0]}:function:{name.split(':function:')[1]}"
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name.split(':')[0]}"


def function_name(arn_or_name: str) -> str:
    if ":function:" in arn_or_name:
        return arn_or_name.split(":function:", 1)[1].split(":")[0]
    return arn_or_name.split(":")[0]


class CheckedTasks(dict[str, Callable[..., Any]]):
    """Task handlers checked once by ``check_task_handlers`` (made with ``CheckedTasks.of``): a template app
    builds several machines from one set of handlers, and each machine need not check them again."""

    @classmethod
    def of(cls, tasks: Mapping[str, Callable[..., Any]]) -> CheckedTasks:
        check_task_handlers(tasks)
        return cls(tasks)


def check_task_handlers(tasks: Mapping[str, Any] | None) -> None:
    """Raise ``UsageError`` for a key that is no string or a handler that cannot take (event, context); a
    ``CheckedTasks`` is not checked again, a handler given under several keys is checked once."""
    if not tasks or type(tasks) is CheckedTasks:
        return
    checked: set[int] = set()
    for key, handler in tasks.items():
        if not isinstance(key, str) or not callable(handler):
            raise UsageError(f"StateMachine(tasks=...): {key!r} must map a string to a callable handler")
        if id(handler) in checked:
            continue
        if not accepts(handler, 2):
            raise UsageError(
                f"StateMachine(tasks=...): the handler for {key!r} must take (event, context), "
                "as a Lambda handler does"
            )
        checked.add(id(handler))


def accepts(function: Callable[..., Any], count: int) -> bool:
    """Whether ``function`` can be called with ``count`` positional arguments (True when unknowable)."""
    plain = _plain_function(function)
    if plain is not None:  # a plain function: read its code object (inspect.signature is 30x slower)
        code = plain.__code__
        defaults = len(plain.__defaults__ or ())
        kwdefaults = len(plain.__kwdefaults__ or {})
        if code.co_kwonlyargcount > kwdefaults:
            return False
        varargs = bool(code.co_flags & inspect.CO_VARARGS)
        return code.co_argcount - defaults <= count and (varargs or count <= code.co_argcount)
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # builtins and C callables without a signature
        return True
    try:
        signature.bind(*([None] * count))
    except TypeError:
        return False
    return True


def _plain_function(function: Any) -> types.FunctionType | None:
    """The function whose signature ``inspect.signature`` would report for a plain Python function
    (following ``__wrapped__`` as it does), else None."""
    for _ in range(100):
        if type(function) is not types.FunctionType or "__signature__" in function.__dict__:
            return None
        if "__wrapped__" not in function.__dict__:
            return function
        function = function.__dict__["__wrapped__"]
    return None


def json_problem(value: Any) -> str | None:
    """Why ``value`` is not a JSON value (sets, NaN, objects, nesting too deep), or None."""
    try:
        json.dumps(value, allow_nan=False)
    except RecursionError:
        return "it is nested too deeply"
    except (TypeError, ValueError) as error:
        return json_error_text(error)
    return None


def task_failure(failure: TaskFailure, where: str) -> tuple[str | None, str | None]:
    """``(error, cause)`` of a TaskFailure raised by a mock or handler: strings or None."""
    error, cause = failure.error, failure.cause
    if (error is not None and not isinstance(error, str)) or (
        cause is not None and not isinstance(cause, str)
    ):
        raise UsageError(
            f"TaskFailure(error, cause) raised by {where} takes strings, got error={error!r}, cause={cause!r}"
        )
    return error, cause


def lambda_error(error: BaseException, request_id: str) -> tuple[str, str]:
    """(error, cause) as Lambda reports an unhandled Python exception."""
    error_type = type(error).__name__
    try:
        message = call_user(str, error, lets_through=InternalError)
    except UserCodeFailed:  # an exception whose __str__ fails: Lambda's runtime would print its repr
        message = f"<unprintable {error_type} object>"
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [
        frame for frame in traceback.extract_tb(error.__traceback__) if not frame.filename.startswith(package)
    ]
    stack = traceback.format_list(frames)
    cause = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack,
    }
    return error_type, json.dumps(cause, separators=(",", ":"))


def wrap_lambda_invoke(payload: Any, request_id: str) -> dict[str, Any]:
    """The ``lambda:invoke`` integration's result around a function's return value."""
    length = str(len(json.dumps(payload, separators=(",", ":"))))
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [length],
                "Date": ["Mon, 01 Jan 2024 00:00:00 GMT"],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": length,
                "Content-Type": "application/json",
                "Date": "Mon, 01 Jan 2024 00:00:00 GMT",
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


def states_error(outcome: TaskCallOutcome) -> StatesError:
    return StatesError(outcome.error or StatesErrorName.TASK_FAILED, outcome.cause)
