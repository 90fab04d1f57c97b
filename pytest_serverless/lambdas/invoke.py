"""Calling a Python handler the way the Lambda runtime does."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pytest_serverless._user_code import Through, call_user
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import ServerlessError, TaskFailure

from .context import LambdaContext

__all__ = ["FunctionTimedOut", "Handler", "invoke_handler"]

Handler = Callable[[Any, Any], Any]


class FunctionTimedOut(TaskFailure):
    """A function ran past its own ``Timeout``: Lambda stopped it (a ``TaskFailure``, so a Task sees it).

    Step Functions reports ``Lambda.Unknown`` with Lambda's timeout payload as the cause; API Gateway answers
    502 (REST) / 500 (HTTP). ``timeout`` is the function's Timeout in seconds: how long the call lasted.
    """

    def __init__(self, *, request_id: str, timeout: float, stopped_at: datetime) -> None:
        stamp = stopped_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        self.error_message = f"{stamp} {request_id} Task timed out after {timeout:.2f} seconds"
        payload = json.dumps({"errorMessage": self.error_message}, separators=(",", ":"))
        super().__init__(
            "Lambda.Unknown",
            "The cause could not be determined because Lambda did not return an error type. "
            f"Returned payload: {payload}",
        )
        self.timeout = timeout

    def __str__(self) -> str:
        return self.error_message


def invoke_handler(
    handler: Handler,
    event: Any,
    function_name: str,
    request_id: str,
    clock: VirtualClock,
    timeout_seconds: float = 3.0,
    *,
    lets_through: Through = ServerlessError,
) -> tuple[Any, float]:
    """Call ``handler(event, context)``; return ``(result, virtual_seconds_elapsed)``.

    What the handler raised comes as ``UserCodeFailed`` (``call_user``): callers map ``.error`` to their own
    failure shape (a Task's ``TaskFailed``, a gateway's 502). ``InternalError`` and ``lets_through`` (the
    exceptions the caller answers itself) propagate unchanged.
    """
    context = LambdaContext(function_name, request_id, clock, timeout_seconds)
    started = clock.time()
    result = call_user(handler, event, context, lets_through=lets_through)
    return result, clock.time() - started
