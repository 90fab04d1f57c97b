"""Access logs in the stage's ``AccessLogSetting.Format`` and metrics per route and minute.

Both are computed when read, from the pipeline's log rows, so requests pay nothing for them. A format is a
text with ``$context.name`` variables (JSON, CLF, XML or CSV as the user writes it); a variable with no
value prints ``-`` as CloudWatch shows it, a JSON-quoted one ``"-"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import ACCOUNT_ID, execute_api_domain

from .proxy_events import format_request_time

if TYPE_CHECKING:
    from .request import Response
    from .stages import Stage

__all__ = ["CONTEXT_VARIABLES", "metrics_by", "render"]

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])")
# the $context variables rendered (others print "-"), per AWS's "$context variables for access logging"
CONTEXT_VARIABLES = (
    "accountId",
    "apiId",
    "authorizer.principalId",
    "authorizer.status",
    "domainName",
    "domainPrefix",
    "error.message",
    "error.messageString",
    "error.responseType",
    "extendedRequestId",
    "httpMethod",
    "identity.sourceIp",
    "identity.userAgent",
    "integration.latency",
    "integration.status",
    "integrationLatency",
    "integrationStatus",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourcePath",
    "responseLatency",
    "responseLength",
    "routeKey",
    "stage",
    "status",
)


def _values(
    stage: Stage, record: Mapping[str, Any], response: Response | None, started: float
) -> dict[str, Any]:
    if response is None:  # a success logged before the stage had a format: what the record holds
        return _record_values(stage, record, started)
    request = response.request
    error = response.reason is not None and response.status_code >= 400
    message = None
    error_type = None
    if error:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            message = body.get("message", body.get("Message"))
        error_type = response.headers.get("x-amzn-ErrorType")
    domain = (request.domain_name if request is not None else "") or execute_api_domain(stage.api.id)
    values = _record_values(stage, record, started)
    answered = response.status_code if response.answered_by == "integration" else None
    values.update(
        {
            "domainName": domain,
            "domainPrefix": domain.partition(".")[0],
            "error.message": message,
            "error.messageString": None if message is None else f'"{message}"',
            "error.responseType": error_type,
            "extendedRequestId": response.headers.get("x-amz-apigw-id")
            or response.headers.get("apigw-requestid"),
            "identity.sourceIp": request.source_ip if request is not None else None,
            "identity.userAgent": request.headers.get("User-Agent") if request is not None else None,
            "integration.status": answered,
            "integrationStatus": answered,
            "protocol": request.protocol if request is not None else "HTTP/1.1",
            "responseLength": len(response.content)
            if response.content
            else response.headers.get("Content-Length"),
        }
    )
    return values


def _record_values(stage: Stage, record: Mapping[str, Any], started: float) -> dict[str, Any]:
    route_key = record.get("routeKey")
    return {
        "accountId": ACCOUNT_ID,
        "apiId": stage.api.id,
        "authorizer.status": record.get("authorizerStatus"),
        "httpMethod": record.get("httpMethod"),
        "integration.latency": record.get("integrationLatency"),
        "integrationLatency": record.get("integrationLatency"),
        "path": f"/{stage.name}{record.get('path')}" if stage.api.kind == "REST" else record.get("path"),
        "requestId": record.get("requestId"),
        "requestTime": format_request_time(started),
        "requestTimeEpoch": int(started * 1000) if stage.api.kind == "REST" else int(started),
        "resourcePath": route_key.partition(" ")[2] if route_key and " " in route_key else route_key,
        "responseLatency": record.get("latency"),
        "routeKey": route_key,
        "stage": stage.name,
        "status": record.get("status"),
    }


def render(fmt: str, stage: Stage, record: Mapping[str, Any], extra: Sequence[Any]) -> str:
    """One access-log line: ``fmt`` with each ``$context.x`` replaced by its value (``-`` for none)."""
    response, started = extra[0], extra[1]
    values = _values(stage, record, response, started)

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        if found is None or found == "":
            return "-"
        if isinstance(found, bool):
            return "true" if found else "false"
        return str(found)

    return _VARIABLE.sub(value, fmt)


def metrics_by(
    kind: str,
    records: Sequence[Mapping[str, Any]],
    extras: Sequence[Sequence[Any]],
    *,
    route: str | None,
    minute: bool,
) -> dict[Any, dict[str, float]]:
    client, server = ("4XXError", "5XXError") if kind == "REST" else ("4xx", "5xx")
    found: dict[Any, dict[str, float]] = {}
    for record, extra in zip(records, extras, strict=False):
        key_route = record.get("routeKey") or "-"
        if route is not None and key_route != route:
            continue
        key: Any = key_route
        if minute and extra:
            key = (key_route, int(extra[1] // 60 * 60))
        metrics = found.get(key)
        if metrics is None:
            metrics = found[key] = {
                "Count": 0,
                client: 0,
                server: 0,
                "Latency": 0.0,
                "IntegrationLatency": 0.0,
            }
            if kind == "HTTP":
                metrics["DataProcessed"] = 0
        metrics["Count"] += 1
        status = record.get("status") or 0
        if 400 <= status < 500:
            metrics[client] += 1
        elif status >= 500:
            metrics[server] += 1
        metrics["Latency"] += record.get("latency") or 0
        metrics["IntegrationLatency"] += record.get("integrationLatency") or 0
        if kind == "HTTP" and extra:
            metrics["DataProcessed"] += extra[2]
    return found


def execution_log_lines(record: Mapping[str, Any], response: Response | None) -> list[str]:
    """The execution-log lines (REST, ``LoggingLevel: ERROR``) AWS writes for a failed request."""
    if response is None:  # a success
        return []
    status = response.status_code
    if status < 500 and response.answered_by != "integration":
        return []
    request_id = record.get("requestId")
    error = response.error
    reason = response.reason or ""
    name = type(error).__name__ if error is not None else ""
    lines: list[str] = []
    if name == "MalformedProxyResponse":
        lines.append("Execution failed due to configuration error: Malformed Lambda proxy response")
    elif response.answered_by == "timeout":
        lines.append("Execution failed due to a timeout error")
    elif "No match for output mapping" in reason:
        lines.append(
            "Execution failed due to configuration error: No match for output mapping and no default output "
            "mapping configured"
        )
    elif status >= 500 and error is not None and response.answered_by == "integration":
        lines.append(f"Lambda execution failed with status 200 due to customer function error: {error}")
    elif response.answered_by == "authorizer" and status >= 500:
        lines.append("Execution failed due to configuration error: Authorizer error")
    if not lines and status < 500:
        return []
    return [f"({request_id}) {line}" for line in [*lines, f"Method completed with status: {status}"]]
