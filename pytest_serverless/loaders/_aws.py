"""The answerers of a template app (API.md section 7): ``events`` (``PutEvents`` to the app's rules),
``lambda`` (``Invoke`` of the app's functions), ``stepfunctions`` (the app's service) and
``apigatewaymanagementapi`` (the app's WebSocket stages). The botocore bridge answers boto3 calls with
them, and ``aws_answers.py`` answers the app's API Gateway AWS service integrations with the same ones
(``events`` and ``stepfunctions``): one answerer an operation, whichever path asks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.errors import AwsError, TaskFailure, UnemulatedCall

if TYPE_CHECKING:
    from .app import ServerlessApp

__all__ = ["app_answerers"]

Answer = Callable[[str, dict[str, Any]], "dict[str, Any] | None"]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _events_answerer(app: ServerlessApp) -> Answer:
    def answer(operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if operation != "PutEvents":
            return None
        entries = params.get("Entries")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise AwsError(
                "ValidationException",
                "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must "
                "be a list of entries and have length greater than or equal to 1",
            )
        buses = {"default"} | {rule.event_bus for rule in app.rules}
        results: list[dict[str, Any]] = []
        failed = 0
        for entry in entries:
            bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
            if bus not in buses:
                raise UnemulatedCall(
                    "events",
                    "PutEvents",
                    f"event bus {bus!r} is not a bus of {app.source.name} (buses with rules: "
                    f"{', '.join(sorted(buses))})",
                )
            missing = next((key for key in ("Source", "DetailType") if not _text(entry.get(key))), None)
            detail = entry.get("Detail")  # an HTTP API subtype may map an object of the body to it
            if missing is None and not isinstance(detail, dict):
                try:
                    detail = json.loads(detail) if _text(detail) else None
                except ValueError:
                    detail = None
                if not isinstance(detail, dict):
                    missing = "Detail"
            if missing is not None:
                failed += 1
                results.append(
                    {"ErrorCode": "InvalidArgument", "ErrorMessage": f"Parameter {missing} is not valid."}
                )
                continue
            event_id, _ = app._put_event({**entry, "Detail": detail})
            results.append({"EventId": event_id})
        return {"FailedEntryCount": failed, "Entries": results}

    return answer


def _function_id(app: ServerlessApp, name: str) -> str | None:
    """The logical id of the function ``name`` (name, ARN, partial ARN, ``name:qualifier``) names."""
    short = name
    if name.startswith("arn:"):
        parts = name.split(":")
        short = parts[6] if len(parts) > 6 else name
    elif ":" in name:
        head, _, rest = name.partition(":")
        short = rest.split(":")[1] if head.isdigit() and ":" in rest else head
    for logical_id, spec in app.model.functions.items():
        if name in (spec.arn, spec.name, logical_id) or short in (spec.name, logical_id):
            return logical_id
    return None


def _lambda_answerer(app: ServerlessApp) -> Answer:
    from pytest_serverless.lambdas import invoke_handler

    def answer(operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if operation != "Invoke":
            return None
        name = params["FunctionName"]
        logical_id = _function_id(app, name)
        if logical_id is None:
            known = ", ".join(sorted(spec.name for spec in app.model.functions.values())) or "none"
            raise UnemulatedCall(
                "lambda",
                "Invoke",
                f"function {name!r} is not a function of {app.source.name} (functions: {known})",
            )
        invocation = params.get("InvocationType") or "RequestResponse"
        if invocation == "DryRun":
            return {"StatusCode": 204, "Payload": b""}
        raw = params.get("Payload", b"{}")
        if hasattr(raw, "read"):
            raw = raw.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        try:
            event = json.loads(raw or b"{}")
        except ValueError:
            raise AwsError(
                "InvalidRequestContentException", "Could not parse request body into json", 400
            ) from None
        status = 202 if invocation == "Event" else 200
        out: dict[str, Any] = {"StatusCode": status, "ExecutedVersion": "$LATEST"}
        try:
            result, _ = invoke_handler(
                app.functions[logical_id],
                event,
                function_name=app.function_name(logical_id) or logical_id,
                request_id=app._ids.next("invoke"),
                clock=app.clock,
                lets_through=(),  # a bug of ours under the function (InternalError) is not its failure
            )
        except UserCodeFailed as failed:  # the function's own failure, as Lambda reports it
            error = failed.error
            if invocation == "Event":
                return {"StatusCode": 202, "Payload": b""}
            error_type = error.error if isinstance(error, TaskFailure) else type(error).__name__
            payload = {"errorMessage": str(error), "errorType": error_type, "stackTrace": []}
            out.update(FunctionError="Unhandled", Payload=json.dumps(payload).encode())
            return out
        out["Payload"] = b"" if invocation == "Event" else json.dumps(result).encode()
        return out

    return answer


def app_answerers(app: ServerlessApp) -> dict[str, Answer]:
    """Every answerer of ``app``."""
    from pytest_serverless.asl._aws import stepfunctions_answerer
    from pytest_serverless.gateway.websocket._aws import connections_answerer

    return {
        "stepfunctions": stepfunctions_answerer(app.stepfunctions),
        "events": _events_answerer(app),
        "lambda": _lambda_answerer(app),
        "apigatewaymanagementapi": connections_answerer(lambda: app.gateway),
    }
