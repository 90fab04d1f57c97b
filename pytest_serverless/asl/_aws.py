"""The Step Functions answerer (API.md section 7): SDK operations (botocore's names and members) mapped onto
a ``StepFunctions`` service. One answerer for both paths that reach the service: boto3 calls (the bridge in
``pytest_serverless.aws`` puts the outputs, Python values with datetimes, on the wire and lets botocore parse
them) and API Gateway's AWS service integrations ``states:action/...`` (``loaders/aws_answers.py``: the same
operation and members, on API Gateway's wire). Parameters are checked here as the service checks them,
since an integration's request template is not validated by botocore."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import AwsError, UsageError

if TYPE_CHECKING:
    from .machine import Execution, StateMachine
    from .service import Service

__all__ = ["stepfunctions_answerer"]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_Operation = Callable[["Service", dict[str, Any]], dict[str, Any]]


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _name(params: Mapping[str, Any]) -> str | None:
    name = params.get("name")
    if name is not None and not _NAME.match(name):
        raise AwsError("InvalidName", f"Invalid Name: '{name}'")
    return name


def _input(params: Mapping[str, Any]) -> str:
    text = params.get("input")
    if text is None:
        return "{}"
    try:
        json.loads(text)
    except ValueError:
        raise AwsError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{text}'") from None
    return text  # type: ignore[no-any-return]


def _started(service: Service, params: Mapping[str, Any], sync: bool) -> Execution:
    arn = params["stateMachineArn"]
    try:
        if sync:
            return service.start_sync_execution(arn, _input(params), name=_name(params))
        return service.start_execution(arn, _input(params), name=_name(params))
    except UsageError as error:  # what the engine refuses of an input (size, depth), AWS refuses too
        raise AwsError("InvalidExecutionInput", str(error)) from None


def _start_execution(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    execution = _started(service, params, sync=False)
    return {"executionArn": execution.arn, "startDate": execution.start_date}


def _described(execution: Execution) -> dict[str, Any]:
    machine: StateMachine | None = execution.state_machine
    out: dict[str, Any] = {
        "executionArn": execution.arn,
        "stateMachineArn": machine.arn if machine is not None else None,
        "name": execution.name,
        "status": execution.status,
        "startDate": execution.start_date,
        "input": _json_text(execution.input),
        "inputDetails": {"included": True},
    }
    if execution.status != "RUNNING":
        out["stopDate"] = execution.stop_date
    if execution.status == "SUCCEEDED":
        out["output"] = _json_text(execution.output)
        out["outputDetails"] = {"included": True}
    if execution.error is not None:
        out["error"] = execution.error
    if execution.cause is not None:
        out["cause"] = execution.cause
    if execution.redrive_count:
        out["redriveCount"] = execution.redrive_count
    return out


def _start_sync_execution(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    execution = _started(service, params, sync=True)
    out = _described(execution)
    out.pop("redriveCount", None)
    out["billingDetails"] = {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": max(100, int(execution.duration * 1000)),
    }
    return out


def _describe_execution(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    return _described(service.describe_execution(params["executionArn"]))


def _list_executions(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    found = service.list_executions(params["stateMachineArn"], status_filter=params.get("statusFilter"))
    items = []
    for execution in found:
        item = {key: value for key, value in _described(execution).items() if key in _LIST_KEYS}
        items.append(item)
    return {"executions": items}


_LIST_KEYS = frozenset({"executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate"})


def _stop_execution(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    execution = service.stop_execution(params["executionArn"], params.get("error"), params.get("cause"))
    return {"stopDate": execution.stop_date}


def _redrive_execution(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    service.redrive_execution(params["executionArn"])
    return {"redriveDate": _now(service)}


def _now(service: Service) -> datetime:
    return datetime.fromtimestamp(service.clock.time(), tz=UTC)


def _send_task_success(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    service.send_task_success(params["taskToken"], params["output"])
    return {}


def _send_task_failure(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    service.send_task_failure(params["taskToken"], params.get("error"), params.get("cause"))
    return {}


def _send_task_heartbeat(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    service.send_task_heartbeat(params["taskToken"])
    return {}


def _create_activity(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    return {"activityArn": service.create_activity(params["name"]), "creationDate": _now(service)}


def _get_activity_task(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    task = service.get_activity_task(params["activityArn"])
    return dict(task) if task is not None else {}


def _get_execution_history(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    events = list(service.describe_execution(params["executionArn"]).history)
    if params.get("reverseOrder"):
        events.reverse()
    return {"events": events}


def _describe_state_machine(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    machine = service._machine(params["stateMachineArn"])
    return {
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "status": "ACTIVE",
        "definition": json.dumps(machine.definition),
        "roleArn": f"arn:aws:iam::{machine.arn.split(':')[4]}:role/{machine.name}-role",
        "type": machine.type,
        "creationDate": datetime.fromtimestamp(0, tz=UTC),
    }


def _list_state_machines(service: Service, params: dict[str, Any]) -> dict[str, Any]:
    machines = sorted(service._machines.values(), key=lambda machine: machine.name)
    return {
        "stateMachines": [
            {
                "stateMachineArn": machine.arn,
                "name": machine.name,
                "type": machine.type,
                "creationDate": datetime.fromtimestamp(0, tz=UTC),
            }
            for machine in machines
        ]
    }


_OPERATIONS: dict[str, _Operation] = {
    "StartExecution": _start_execution,
    "StartSyncExecution": _start_sync_execution,
    "DescribeExecution": _describe_execution,
    "ListExecutions": _list_executions,
    "StopExecution": _stop_execution,
    "RedriveExecution": _redrive_execution,
    "SendTaskSuccess": _send_task_success,
    "SendTaskFailure": _send_task_failure,
    "SendTaskHeartbeat": _send_task_heartbeat,
    "CreateActivity": _create_activity,
    "GetActivityTask": _get_activity_task,
    "GetExecutionHistory": _get_execution_history,
    "DescribeStateMachine": _describe_state_machine,
    "ListStateMachines": _list_state_machines,
}

#: the SDK operations answered in process
OPERATIONS = frozenset(_OPERATIONS)


# the members each operation needs, and the text members: what the service refuses before anything runs
_REQUIRED: dict[str, tuple[str, ...]] = {
    "StartExecution": ("stateMachineArn",),
    "StartSyncExecution": ("stateMachineArn",),
    "DescribeExecution": ("executionArn",),
    "ListExecutions": ("stateMachineArn",),
    "StopExecution": ("executionArn",),
    "RedriveExecution": ("executionArn",),
    "SendTaskSuccess": ("taskToken", "output"),
    "SendTaskFailure": ("taskToken",),
    "SendTaskHeartbeat": ("taskToken",),
    "CreateActivity": ("name",),
    "GetActivityTask": ("activityArn",),
    "GetExecutionHistory": ("executionArn",),
    "DescribeStateMachine": ("stateMachineArn",),
}
_TEXT = frozenset(
    {
        "stateMachineArn",
        "executionArn",
        "activityArn",
        "taskToken",
        "input",
        "output",
        "name",
        "error",
        "cause",
        "statusFilter",
    }
)


def _checked(operation: str, params: Mapping[str, Any]) -> None:
    for key in _REQUIRED.get(operation, ()):
        if params.get(key) is None:
            raise AwsError(
                "ValidationException",
                f"1 validation error detected: Value null at '{key}' failed to satisfy constraint: "
                "Member must not be null",
            )
    for key, value in params.items():
        if key in _TEXT and value is not None and not isinstance(value, str):
            raise AwsError("SerializationException", f"{key} must be a string, got {type(value).__name__}")


def stepfunctions_answerer(service: Service) -> Callable[[str, dict[str, Any]], dict[str, Any] | None]:
    """``answer(operation, params)`` for ``service``: ``None`` for an operation not emulated."""

    def answer(operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        found = _OPERATIONS.get(operation)
        if found is None:
            return None
        _checked(operation, params)
        return found(service, params)

    answer.service = service  # type: ignore[attr-defined]
    return answer
