"""One WebSocket connection as the stage keeps it: identity, authorizer context, timers, state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pytest_serverless.gateway.request import GatewayRequest

if TYPE_CHECKING:
    from .client import WebSocketClient

__all__ = ["Connection", "ConnectionState", "FrameRequest"]

ConnectionState = Literal["CONNECTING", "OPEN", "CLOSED"]


class Connection:
    """The server side of a connection: what ``$connect`` learned, kept for every later route and callback."""

    __slots__ = (
        "api_id",
        "api_key",
        "authorizer",
        "client",
        "close_code",
        "close_reason",
        "connected_at",
        "connected_at_ms",
        "domain_name",
        "headers",
        "id",
        "identity",
        "last_active",
        "query",
        "source_ip",
        "stage_name",
        "state",
        "user_agent",
    )

    def __init__(
        self,
        connection_id: str,
        *,
        api_id: str,
        stage_name: str,
        domain_name: str,
        headers: list[tuple[str, str]],
        query: list[tuple[str, str]],
        source_ip: str,
        now: float,
        client: WebSocketClient,
    ) -> None:
        self.id = connection_id
        self.api_id = api_id
        self.stage_name = stage_name
        self.domain_name = domain_name
        self.headers = headers
        self.query = query
        self.source_ip = source_ip
        self.user_agent: str | None = next(
            (value for name, value in reversed(headers) if name.lower() == "user-agent"), None
        )
        self.identity: dict[str, Any] = {"sourceIp": source_ip, "userAgent": self.user_agent}
        self.authorizer: dict[str, Any] | None = None
        self.api_key: str | None = None
        self.connected_at = now
        self.connected_at_ms = int(now * 1000)
        self.last_active = now
        self.state: ConnectionState = "CONNECTING"
        self.client = client
        self.close_code: int | None = None
        self.close_reason: str | None = None

    def __repr__(self) -> str:
        return f"Connection({self.id!r}, {self.state})"


@dataclass(slots=True)
class FrameRequest(GatewayRequest):
    """What one WebSocket route invocation reports to ``on_response`` listeners: ``method`` is the event type
    (``CONNECT``, ``MESSAGE``, ``DISCONNECT``), ``path`` the route key."""

    event_type: str = "MESSAGE"
