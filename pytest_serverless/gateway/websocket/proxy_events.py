"""The Lambda proxy events of WebSocket APIs: CONNECT, MESSAGE and DISCONNECT, shaped as AWS sends them.

Every event has ``requestContext`` with ``routeKey``, ``eventType``, ``extendedRequestId``, ``requestTime``,
``messageDirection`` (``IN``), ``stage``, ``connectedAt`` (epoch milliseconds), ``requestTimeEpoch``,
``identity`` (``sourceIp``, ``userAgent``), ``requestId``, ``domainName``, ``connectionId`` and ``apiId``
(plus ``authorizer`` when ``$connect`` was authorized); ``isBase64Encoded`` is false. Only CONNECT carries the
handshake's headers and query string; MESSAGE has ``messageId`` and ``body``; DISCONNECT has
``disconnectStatusCode`` and ``disconnectReason``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_serverless.gateway.proxy_events import format_request_time

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["authorizer_context", "connect_event", "disconnect_event", "message_event"]


def _text(value: Any) -> str:
    """Authorizer context values reach integrations as strings (``$context.authorizer.key``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def authorizer_context(principal_id: str | None, context: dict[str, Any], latency: float) -> dict[str, Any]:
    """``requestContext.authorizer`` of a connection authorized by a Lambda authorizer."""
    result: dict[str, Any] = {"principalId": principal_id, "integrationLatency": int(latency * 1000)}
    result.update((key, _text(value)) for key, value in context.items())
    return result


def _context(
    connection: Connection, route_key: str, event_type: str, request_id: str, now: float
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": format_request_time(now),
        "messageDirection": "IN",
        "stage": connection.stage_name,
        "connectedAt": connection.connected_at_ms,
        "requestTimeEpoch": int(now * 1000),
        "identity": dict(connection.identity),
        "requestId": request_id,
        "domainName": connection.domain_name,
        "connectionId": connection.id,
        "apiId": connection.api_id,
    }
    if connection.authorizer is not None:
        context["authorizer"] = dict(connection.authorizer)
    return context


def _single_and_multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Name/value pairs as an event's two maps: the last value of each name, and all of them in order."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def connect_event(
    connection: Connection, request_id: str, now: float, stage_variables: dict[str, str]
) -> dict[str, Any]:
    headers, multi_headers = _single_and_multi(connection.headers)
    event: dict[str, Any] = {"headers": headers, "multiValueHeaders": multi_headers}
    if connection.query:
        query, multi_query = _single_and_multi(connection.query)
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = multi_query
    event["requestContext"] = _context(connection, "$connect", "CONNECT", request_id, now)
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    event["isBase64Encoded"] = False
    return event


def message_event(
    connection: Connection,
    route_key: str,
    body: str,
    request_id: str,
    message_id: str,
    now: float,
    stage_variables: dict[str, str],
) -> dict[str, Any]:
    context = _context(connection, route_key, "MESSAGE", request_id, now)
    context["messageId"] = message_id
    event: dict[str, Any] = {"requestContext": context, "body": body, "isBase64Encoded": False}
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event


def disconnect_event(
    connection: Connection,
    request_id: str,
    now: float,
    status_code: int,
    reason: str,
    stage_variables: dict[str, str],
) -> dict[str, Any]:
    context = _context(connection, "$disconnect", "DISCONNECT", request_id, now)
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    return event
