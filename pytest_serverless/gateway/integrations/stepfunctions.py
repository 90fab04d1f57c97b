"""Step Functions integrations: StartExecution (``sync=False``) and StartSyncExecution (``sync=True``).

Both answer 200 with Step Functions' own response document, also when the execution failed (AWS docs).
A REST route may shape both sides with mapping templates, as CDK's ``StepFunctionsRestApi`` and hand-written
``AWS`` integrations do: ``request_templates`` render StartExecution's request (``{"input": "<JSON text>",
"stateMachineArn": ..., "name": ...}``) and ``integration_responses`` map its response (selected by status).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_serverless._ids import ACCOUNT_ID, REGION, deterministic_uuid
from pytest_serverless._nesting import MAX_JSON_DEPTH, too_deep
from pytest_serverless.errors import UsageError

from . import vtl
from .base import IntegrationCall, IntegrationResult

__all__ = ["StepFunctionsIntegration"]

_INVALID_INPUT = "com.amazonaws.swf.service.v2.model#InvalidExecutionInput"
_SERIALIZATION = "com.amazon.coral.service#SerializationException"


def _number(epoch: float) -> float | int:
    """Step Functions' JSON dates are epoch seconds (a number, milliseconds as a fraction)."""
    rounded = round(epoch, 3)
    return int(rounded) if rounded.is_integer() else rounded


class StepFunctionsIntegration:
    """``api.route("POST /orders", state_machine=sm, sync=True)``: the request body is the execution input."""

    def __init__(
        self,
        state_machine: Any,
        *,
        sync: bool,
        request_templates: Mapping[str, str] | None = None,
        integration_responses: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        if not callable(getattr(state_machine, "execute", None)):
            raise TypeError(f"state_machine= takes a pytest_serverless.StateMachine, got {state_machine!r}")
        self.state_machine = state_machine
        self.sync = bool(sync)
        self.request_templates = {
            media: vtl.compile_template(str(text), f"request template {media!r}")
            for media, text in (request_templates or {}).items()
        }
        self.responses = vtl.IntegrationResponses(integration_responses) if integration_responses else None

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
        if not self.request_templates and self.responses is None:
            return self._start(call, call.request.body.decode("utf-8", "replace"), None)
        try:
            rendered, context = vtl.render_request(self.request_templates, call)
        except vtl.TemplateFailure as exc:
            return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        request: Any = {"input": rendered}
        if self.request_templates:  # the template wrote StartExecution's request document
            try:
                request = json.loads(rendered)
            except ValueError:
                request = None
        if not isinstance(request, dict) or not isinstance(request.get("input", "{}"), str):
            result = _answer(400, {"__type": _SERIALIZATION}, "application/x-amz-json-1.0")
        else:
            name = request["name"] if isinstance(request.get("name"), str) else None
            result = self._start(call, request.get("input", "{}"), name)
        if self.responses is None:
            return result
        body = result.body.decode("utf-8", "replace")
        shaped = self.responses.respond(call, body, str(result.status), context)
        shaped.latency = result.latency
        return shaped

    def _start(self, call: IntegrationCall, text: str, name: str | None) -> IntegrationResult:
        if too_deep(text):  # before parsing: the parser and the engine recurse once per level
            return _invalid_input(ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep"))
        try:
            execution_input = json.loads(text) if text.strip() else {}
        except (ValueError, RecursionError) as exc:
            return _invalid_input(exc)
        started = call.clock.time()
        try:
            service = getattr(self.state_machine, "service", None)
            if not self.sync and service is not None:  # StartExecution through the machine's service:
                # returns at once, runs on the clock, and the service lists and describes it
                execution = service.start_execution(self.state_machine.arn, execution_input, name=name)
            else:
                execution = self.state_machine.execute(execution_input, name=name)
        except UsageError as exc:  # input StartExecution refuses: over 256 KiB, NaN, nested too deep
            return _invalid_input(exc)
        # no "name" in the request: the execution's own (unique per machine, as AWS makes one per start;
        # a name from the request id would repeat across gateways sharing a machine)
        name = name or str(getattr(execution, "name", "") or deterministic_uuid("execution", call.request_id))
        sm_arn, execution_arn = self._arns(name)
        if not self.sync:  # a sync (express) execution keeps arn:...:express:<machine>:<name>:<id>
            execution_arn = str(
                getattr(execution, "arn", None) or getattr(execution, "execution_arn", None) or execution_arn
            )
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


def _answer(status: int, document: dict[str, Any], content_type: str) -> IntegrationResult:
    return IntegrationResult(status, [("Content-Type", content_type)], json.dumps(document).encode())


def _ok(document: dict[str, Any], *, latency: float | None) -> IntegrationResult:
    result = IntegrationResult(200, [("Content-Type", "application/json")], json.dumps(document).encode())
    result.latency = latency
    return result


def _invalid_input(problem: Exception) -> IntegrationResult:
    """Step Functions' 400 for an execution input it refuses, passed through as AWS integrations do."""
    body = {"__type": _INVALID_INPUT, "message": f"Invalid State Machine Execution Input: '{problem}'"}
    return IntegrationResult(400, [("Content-Type", "application/x-amz-json-1.0")], json.dumps(body).encode())
