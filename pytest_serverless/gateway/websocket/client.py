"""``stage.connect()``: a WebSocket client bound to a stage (no network).

``ws.status_code`` is 101 when ``$connect`` accepted the connection, else the refusal's status (401, 403,
429, 500, 502, or the status the ``$connect`` integration answered). ``ws.send(json=..., text=...)`` sends one
message (in one frame, as browsers do; ``frame_size=`` splits it), ``ws.receive()`` reads the next message
pushed to the client, ``ws.messages`` lists them all, ``ws.close()`` closes the connection.
"""

from __future__ import annotations

import json as _json
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import UsageError

if TYPE_CHECKING:
    from pytest_serverless.gateway.request import Response

    from .connection import Connection
    from .stage import WebSocketStage

__all__ = ["WebSocketClient"]


class WebSocketClient:
    """One client connection (made by ``stage.connect``; exported for annotations)."""

    __slots__ = (
        "_connection",
        "_read",
        "_stage",
        "close_code",
        "close_reason",
        "connection_id",
        "messages",
        "response",
        "status_code",
    )

    def __init__(self, stage: WebSocketStage) -> None:
        self._stage = stage
        self._connection: Connection | None = None
        self._read = 0
        self.messages: list[str] = []
        self.connection_id: str | None = None
        self.status_code = 0
        self.response: Response | None = None  # the handshake's answer (headers, body of a refusal)
        self.close_code: int | None = None
        self.close_reason: str | None = None

    @property
    def open(self) -> bool:
        """Whether the connection is open (accepted and not closed since)."""
        return self._connection is not None and self._connection.state == "OPEN"

    @property
    def closed(self) -> bool:
        """Whether the connection is not open (refused, or closed by either side or a limit)."""
        return not self.open

    @property
    def headers(self) -> Any:
        """The handshake answer's headers."""
        return None if self.response is None else self.response.headers

    def send(self, json: Any = None, text: str | None = None, *, frame_size: int | None = None) -> None:  # noqa: A002 - API.md's keyword
        """Send one message: ``json`` (serialised) or ``text``.

        ``frame_size`` splits it into frames of at most that many bytes (API Gateway closes the connection
        with 1009 on a frame over 32 KB or a message over 128 KB).
        """
        if (json is None) == (text is None):
            raise UsageError("ws.send() takes exactly one of json= or text=")
        if text is not None and not isinstance(text, str):
            raise UsageError(
                f"ws.send(text=...) takes a str, got {type(text).__name__}; use json= for values"
            )
        if frame_size is not None and (
            isinstance(frame_size, bool) or not isinstance(frame_size, int) or frame_size < 1
        ):
            raise UsageError(f"ws.send(frame_size=...) takes a positive number of bytes, got {frame_size!r}")
        body = text if text is not None else _json.dumps(json)
        connection = self._connection
        if connection is None or connection.state != "OPEN":
            raise UsageError(f"ws.send(): {self._why_closed()}; open a new one with stage.connect()")
        self._stage._receive(connection, body, frame_size)

    def receive(self) -> str | None:
        """The next message pushed to this client that the test has not read yet, or ``None``."""
        if self._read < len(self.messages):
            message = self.messages[self._read]
            self._read += 1
            return message
        return None

    def receive_json(self) -> Any:
        """``json.loads(ws.receive())``; ``None`` when no message is waiting."""
        message = self.receive()
        return None if message is None else _json.loads(message)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection from the client (``$disconnect`` runs); closing twice does nothing."""
        connection = self._connection
        if connection is not None and connection.state == "OPEN":
            self._stage._close(connection, code, reason)

    def _why_closed(self) -> str:
        if self._connection is None:
            return f"the connection was refused ({self.status_code})"
        if self.close_code is not None:
            reason = f" {self.close_reason}" if self.close_reason else ""
            return f"the connection is closed ({self.close_code}{reason})"
        return "the connection is not open"

    def __enter__(self) -> WebSocketClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self.open else "closed"
        return f"<WebSocketClient {self.connection_id!r} [{self.status_code}] {state}>"
