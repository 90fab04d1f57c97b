"""The ``@connections`` API of a WebSocket stage: PostToConnection, GetConnection, DeleteConnection.

``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/@connections/{connection_id}`` (POST, GET,
DELETE), as boto3's ``apigatewaymanagementapi`` calls it. Errors are ``AwsError`` with AWS's codes and HTTP
statuses (from the service model): ``GoneException`` 410 for a connection that is not open (closed, unknown,
or still running its ``$connect`` route), ``PayloadTooLargeException`` 413 over 131,072 bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import AwsError, UsageError

if TYPE_CHECKING:
    from pytest_serverless.gateway.model import Gateway

    from .connection import Connection
    from .stage import WebSocketStage

__all__ = ["MAX_DATA", "delete_connection", "get_connection", "post_to_connection", "stage_for_endpoint"]

MAX_DATA = 131_072  # bytes: the Data member's maximum in AWS's service model


def stage_for_endpoint(gateway: Gateway, endpoint: str) -> WebSocketStage | None:
    """The WebSocket stage a callback endpoint names (``https://{api-id}.execute-api.{region}.amazonaws.com/
    {stage}``, as boto3's ``endpoint_url`` gives it), or ``None``."""
    rest = endpoint.split("://", 1)[-1].rstrip("/")
    host, _, stage_name = rest.partition("/")
    api_id = host.split(".", 1)[0]
    for api in gateway.apis.values():
        if getattr(api, "kind", None) == "WEBSOCKET" and api.id == api_id:
            stage: WebSocketStage | None = api.stages.get(stage_name.split("/", 1)[0])
            return stage
    return None


def _open(stage: WebSocketStage, connection_id: Any, operation: str) -> Connection:
    if not isinstance(connection_id, str) or not connection_id:
        raise UsageError(f"{operation}: connection_id must be a non-empty string, got {connection_id!r}")
    connection = stage.connections.get(connection_id)
    if connection is None or connection.state != "OPEN":
        raise AwsError("GoneException", "", 410)
    return connection


def post_to_connection(stage: WebSocketStage, connection_id: str, data: str | bytes) -> None:
    """Send ``data`` (text, or UTF-8 bytes) to the client of ``connection_id``."""
    if isinstance(data, str):
        size = len(data.encode("utf-8"))
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        size = len(raw)
        text = raw.decode("utf-8", "replace")
    else:
        raise UsageError(
            f"post_to_connection(connection_id, data): data must be str or bytes, got {type(data).__name__} "
            "(json.dumps it first)"
        )
    connection = _open(stage, connection_id, "post_to_connection")
    if size > MAX_DATA:
        raise AwsError("PayloadTooLargeException", "Message too long", 413)
    stage._deliver(connection, text)


def get_connection(stage: WebSocketStage, connection_id: str) -> dict[str, Any]:
    """GetConnection's answer: ``ConnectedAt``, ``Identity`` (``SourceIp``, ``UserAgent``),
    ``LastActiveAt``."""
    connection = _open(stage, connection_id, "get_connection")
    return {
        "ConnectedAt": datetime.fromtimestamp(connection.connected_at, UTC),
        "Identity": {"SourceIp": connection.source_ip, "UserAgent": connection.user_agent or ""},
        "LastActiveAt": datetime.fromtimestamp(connection.last_active, UTC),
    }


def delete_connection(stage: WebSocketStage, connection_id: str) -> None:
    """Close the connection from the server side (its ``$disconnect`` route runs)."""
    connection = _open(stage, connection_id, "delete_connection")
    stage._close(connection, 1000, "Connection closed by server")
