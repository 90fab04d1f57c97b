"""The ``apigatewaymanagementapi`` answerer of the botocore bridge (API.md section 7): the @connections API
of the WebSocket stage the client's ``endpoint_url`` names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import UnemulatedCall

from . import connections

if TYPE_CHECKING:
    from pytest_serverless.gateway.model import Gateway

__all__ = ["connections_answerer"]


def connections_answerer(
    gateway: Callable[[], Gateway],
) -> Callable[[str, dict[str, Any]], dict[str, Any] | None]:
    """``answer(operation, params)`` for the WebSocket stages of ``gateway()`` (looked up at each call: stages
    deployed after the scope began are found)."""

    def answer(operation: str, params: dict[str, Any]) -> dict[str, Any] | None:
        if operation not in ("PostToConnection", "GetConnection", "DeleteConnection"):
            return None
        url = str(params.get("@url", ""))
        endpoint = url.split("/@connections", 1)[0]
        stage = connections.stage_for_endpoint(gateway(), endpoint)
        if stage is None:
            raise UnemulatedCall(
                "apigatewaymanagementapi",
                operation,
                f"endpoint_url {endpoint!r} names no WebSocket stage here (use the event's "
                "https://{requestContext.domainName}/{requestContext.stage})",
            )
        connection_id = params["ConnectionId"]
        if operation == "PostToConnection":
            data = params["Data"]
            if hasattr(data, "read"):
                data = data.read()
            connections.post_to_connection(stage, connection_id, data)
            return {}
        if operation == "GetConnection":
            return connections.get_connection(stage, connection_id)
        connections.delete_connection(stage, connection_id)
        return {}

    return answer
