"""What a loaded template answers in process for its AWS service integrations: the Step Functions actions
of its own state machines (``app.stepfunctions``) and EventBridge ``PutEvents`` (its rules). Registered on
the app's gateway (``gateway.aws_service``); a test registers its own handlers for other services or runs
under moto's ``mock_aws``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import deterministic_uuid
from pytest_serverless.errors import AwsError, UsageError

if TYPE_CHECKING:
    from pytest_serverless.asl.machine import Execution
    from pytest_serverless.gateway.integrations.aws_service import AwsServiceRequest

    from .app import ServerlessApp

__all__ = ["register"]


def _epoch(execution: Execution, stop: bool = False) -> float:
    return round(execution.start_time + (execution.duration if stop else 0.0), 3)


def _described(execution: Execution) -> dict[str, Any]:
    document: dict[str, Any] = {
        "executionArn": execution.arn,
        "stateMachineArn": getattr(execution.state_machine, "arn", ""),
        "name": execution.name,
        "status": execution.status,
        "startDate": _epoch(execution),
        "input": json.dumps(execution.input),
        "inputDetails": {"included": True},
    }
    if execution.status != "RUNNING":
        document["stopDate"] = _epoch(execution, stop=True)
    if execution.status == "SUCCEEDED":
        document["output"] = json.dumps(execution.output)
        document["outputDetails"] = {"included": True}
    elif execution.error is not None or execution.cause is not None:
        document["error"] = execution.error
        document["cause"] = execution.cause
    return document


def _text(params: dict[str, Any], key: str) -> Any:
    value = params.get(key)
    if value is not None and not isinstance(value, str):
        raise AwsError("SerializationException", f"{key} must be a string")
    return value


def register(app: ServerlessApp) -> None:
    service = app.stepfunctions
    gateway = app._gateway

    def start(request: AwsServiceRequest) -> Any:
        params = request.params
        execution = service.start_execution(
            _text(params, "stateMachineArn"), _text(params, "input"), _text(params, "name")
        )
        return {"executionArn": execution.arn, "startDate": _epoch(execution)}

    def start_sync(request: AwsServiceRequest) -> Any:
        params = request.params
        execution = service.start_sync_execution(
            _text(params, "stateMachineArn"), _text(params, "input"), _text(params, "name")
        )
        return _described(execution)

    def stop(request: AwsServiceRequest) -> Any:
        params = request.params
        execution = service.stop_execution(
            _text(params, "executionArn"), _text(params, "error"), _text(params, "cause")
        )
        return {"stopDate": _epoch(execution, stop=True)}

    def describe(request: AwsServiceRequest) -> Any:
        return _described(service.describe_execution(_text(request.params, "executionArn")))

    def put_events(request: AwsServiceRequest) -> Any:
        entries = request.params.get("Entries")
        if not isinstance(entries, list) or not entries:
            raise AwsError("ValidationException", "1 validation error detected: Value null at 'entries'")
        answers = []
        for entry in entries:
            try:
                app.put_events([entry])
            except UsageError as exc:
                answers.append({"ErrorCode": "MalformedDetail", "ErrorMessage": str(exc)})
            else:
                answers.append({"EventId": deterministic_uuid("put-events", request.body, len(answers))})
        failed = sum(1 for answer in answers if "ErrorCode" in answer)
        return {"Entries": answers, "FailedEntryCount": failed}

    for action, handler in (
        ("StartExecution", start),
        ("StartSyncExecution", start_sync),
        ("StopExecution", stop),
        ("DescribeExecution", describe),
    ):
        gateway.aws_service("states", action, handler)
    gateway.aws_service("events", "PutEvents", put_events)
