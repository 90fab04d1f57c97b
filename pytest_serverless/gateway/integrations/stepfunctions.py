"""Step Functions integrations: StartExecution (``sync=False``) and StartSyncExecution (``sync=True``).

Both answer 200 with Step Functions' own response document, also when the execution failed (AWS docs).
"""

from __future__ import annotations

import json
from typing import Any

from pytest_serverless._ids import ACCOUNT_ID, REGION, deterministic_uuid

from .base import IntegrationCall, IntegrationResult

__all__ = ["StepFunctionsIntegration"]

_INVALID_INPUT = "com.amazonaws.swf.service.v2.model#InvalidExecutionInput"


def _number(epoch: float) -> float | int:
    """Step Functions' JSON dates are epoch seconds (a number, milliseconds as a fraction)."""
    rounded = round(epoch, 3)
    return int(rounded) if rounded.is_integer() else rounded


class StepFunctionsIntegration:
    """``api.route("POST /orders", state_machine=sm, sync=True)``: the request body is the execution input."""

    def __init__(self, state_machine: Any, *, sync: bool) -> None:
        if not callable(getattr(state_machine, "execute", None)):
            raise TypeError(f"state_machine= takes a pytest_serverless.StateMachine, got {state_machine!r}")
        self.state_machine = state_machine
        self.sync = bool(sync)

    def _arns(self, name: str) -> tuple[str, str]:
        sm_name = str(getattr(self.state_machine, "name", "StateMachine"))
        sm_arn = (
            getattr(self.state_machine, "arn", None)
            or f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{sm_name}"
        )
        if self.sync:
            run = deterministic_uuid("sync-execution", name)
            return str(sm_arn), f"arn:aws:states:{REGION}:{ACCOUNT_ID}:express:{sm_name}:{name}:{run}"
        return str(sm_arn), f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{sm_name}:{name}"

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        text = call.request.body.decode("utf-8", "replace")
        try:
            execution_input = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            body = {"__type": _INVALID_INPUT, "message": f"Invalid State Machine Execution Input: '{exc}'"}
            return IntegrationResult(
                400, [("Content-Type", "application/x-amz-json-1.0")], json.dumps(body).encode()
            )
        name = deterministic_uuid("execution", call.request_id)
        started = call.clock.time()
        execution = self.state_machine.execute(execution_input, name=name)
        sm_arn, execution_arn = self._arns(name)
        execution_arn = str(
            getattr(execution, "arn", None) or getattr(execution, "execution_arn", None) or execution_arn
        )
        if not self.sync:
            document: dict[str, Any] = {"executionArn": execution_arn, "startDate": _number(started)}
            # StartExecution returns at once; the execution runs on without holding the request.
            return _ok(document, latency=0.0)
        duration = float(getattr(execution, "duration", 0.0) or 0.0)
        status = str(execution.status)
        document = {
            "billingDetails": {
                "billedDurationInMilliseconds": max(100, int(round(duration * 1000))),
                "billedMemoryUsedInMB": 64,
            },
            "executionArn": execution_arn,
            "input": json.dumps(execution_input),
            "inputDetails": {"included": True},
            "name": name,
            "startDate": _number(started),
            "stateMachineArn": sm_arn,
            "status": status,
            "stopDate": _number(started + duration),
        }
        if status == "SUCCEEDED":
            document["output"] = json.dumps(execution.output)
            document["outputDetails"] = {"included": True}
        else:
            if getattr(execution, "error", None) is not None:
                document["error"] = execution.error
            if getattr(execution, "cause", None) is not None:
                document["cause"] = execution.cause
        return _ok(document, latency=None)


def _ok(document: dict[str, Any], *, latency: float | None) -> IntegrationResult:
    result = IntegrationResult(200, [("Content-Type", "application/json")], json.dumps(document).encode())
    result.latency = latency
    return result
