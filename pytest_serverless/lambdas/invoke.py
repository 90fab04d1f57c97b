"""Calling a Python handler the way the Lambda runtime does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_serverless.clock import VirtualClock

from .context import LambdaContext

__all__ = ["Handler", "invoke_handler"]

Handler = Callable[[Any, Any], Any]


def invoke_handler(
    handler: Handler,
    event: Any,
    *,
    function_name: str,
    request_id: str,
    clock: VirtualClock,
    timeout_seconds: float = 3.0,
) -> tuple[Any, float]:
    """Call ``handler(event, context)``; return ``(result, virtual_seconds_elapsed)``.

    Exceptions from the handler propagate unchanged: callers map them to their own failure shape
    (a Task's ``TaskFailed``, a gateway's 502).
    """
    context = LambdaContext(
        function_name=function_name, aws_request_id=request_id, clock=clock, timeout_seconds=timeout_seconds
    )
    started = clock.time()
    result = handler(event, context)
    return result, clock.time() - started
