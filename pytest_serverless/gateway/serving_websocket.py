"""WebSocket upgrades on ``serve_http``'s port (API.md 8 and 9), for WebSocket stages.

The handshake and the frames of RFC 6455 are the ``websockets`` package's (its sans-I/O protocol parses and
writes them; this module owns the socket), and every message goes through the stage's own client, by the names
of API.md section 8: ``stage.connect(headers=, params=)`` (``ws.status_code`` 101 or the refusal's),
``ws.send(text=, frame_size=)`` (the largest frame of the message: API Gateway limits frames to 32 KB),
``ws.receive()`` for what the stage pushed, ``ws.close()``, ``ws.closed`` / ``ws.close_code``. The only
module importing ``websockets`` (an optional dependency: the ``test`` extra).

``WebSocketStage.serve_http()`` serves itself with ``serving.serve_http(stage, port,
upgrade=websocket_upgrade(stage))``.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

from .request import parse_query, split_target
from .serving import STAGE_LOCK

__all__ = ["POLL", "websocket_upgrade"]

POLL = 0.02  # seconds between looks for messages the stage pushed to the client (post_to_connection)
_HOP = frozenset(
    {"connection", "upgrade", "sec-websocket-accept", "content-length", "content-type", "transfer-encoding"}
)


def _send(sock: Any, protocol: Any) -> bool:
    """Write what the protocol has to send; False once it asked for the end of the stream."""
    for data in protocol.data_to_send():
        if not data:  # websockets' signal: half-close the connection
            return False
        sock.sendall(data)
    return True


def _close(ws: Any) -> None:
    """Close the stage's connection ($disconnect) unless the stage closed it already."""
    with STAGE_LOCK:
        if not getattr(ws, "closed", False):
            ws.close()


def _read_handshake(protocol: Any, path: str, pairs: list[tuple[str, str]]) -> Any:
    """The 101 answer to the handshake request the server parsed, or None once refused (400, or 426)."""
    from websockets.http11 import Request

    # the protocol reads the handshake request before frames: hand it the request the server parsed
    head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n"
    protocol.receive_data(head.encode("latin-1"))
    received = protocol.events_received()
    request = received[0] if received and isinstance(received[0], Request) else None
    if request is None:  # websockets could not read it: 400
        protocol.send_response(protocol.reject(400, "Failed to open a WebSocket connection.\n"))
        return None
    handshake = protocol.accept(request)
    if handshake.status_code != 101:  # not a WebSocket handshake (websockets says why, 400 or 426)
        protocol.send_response(handshake)
        return None
    return handshake


def _connect(stage: Any, path: str, pairs: list[tuple[str, str]]) -> Any:
    """``stage.connect`` with the handshake's headers (Host: the stage's domain) and query ($connect runs)."""
    _, query = split_target(path)
    domain = stage.domain_name
    headers = {name: (domain if name.lower() == "host" else value) for name, value in pairs}
    with STAGE_LOCK:
        return stage.connect(headers=headers, params=dict(parse_query(query)))


def _answer_connect(protocol: Any, handshake: Any, ws: Any) -> bool:
    """Answer the handshake as $connect did: 101 with its headers (True), or its refusal's status (False)."""
    if ws.status_code != 101:  # $connect refused: that status, and no connection
        protocol.send_response(protocol.reject(ws.status_code, f"connection refused ({ws.status_code})\n"))
        return False
    for name, value in (getattr(ws, "headers", None) or {}).items():  # what $connect answered
        if name.lower() not in _HOP:
            handshake.headers[name] = value
    protocol.send_response(handshake)
    return True


class _Incoming:
    """The client's frames, joined into messages for the stage; a close frame closes the connection."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.fragments: list[bytes] = []
        self.largest = 0  # the largest frame of the message being read: API Gateway limits frames too

    def take(self, event: Any) -> None:
        from websockets.frames import Frame, Opcode

        if not isinstance(event, Frame):
            return
        if event.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
            self.fragments.append(bytes(event.data))
            self.largest = max(self.largest, len(event.data))
            if event.fin:
                self._deliver()
        elif event.opcode is Opcode.CLOSE:  # the client said goodbye: $disconnect
            _close(self.ws)

    def _deliver(self) -> None:
        text = b"".join(self.fragments).decode("utf-8", "replace")
        self.fragments.clear()
        with STAGE_LOCK:
            if not getattr(self.ws, "closed", False):  # frames sent after the stage closed
                self.ws.send(text=text, frame_size=self.largest)
        self.largest = 0


def _receive(sock: Any, protocol: Any) -> bool:
    """Hand the protocol what the client sent within a poll; True once the stream ended."""
    readable, _, _ = select.select([sock], [], [], POLL)
    if not readable:
        return False
    data = sock.recv(65536)
    if data:
        protocol.receive_data(data)
        return False
    protocol.receive_eof()  # the client (or the server's shutdown) ended the stream
    return True


def _forward_pushed(protocol: Any, ws: Any) -> None:
    """Queue what the stage pushed to the client (post_to_connection), and its close if the stage closed."""
    from websockets.protocol import State

    with STAGE_LOCK:
        pushed = []
        while (message := ws.receive()) is not None:
            pushed.append(message)
        closed = getattr(ws, "closed", False)
    if protocol.state is State.OPEN:
        for message in pushed:
            protocol.send_text(message.encode("utf-8"))
        if closed:  # the stage closed it (a limit, delete_connection)
            code = getattr(ws, "close_code", None) or 1000
            protocol.send_close(code, getattr(ws, "close_reason", None) or "")


def _relay(sock: Any, protocol: Any, ws: Any) -> None:
    """Carry messages both ways until either side closes; the stage's connection is closed at the end."""
    from websockets.protocol import State

    incoming = _Incoming(ws)
    ended = False
    try:
        while protocol.state is not State.CLOSED and not ended:
            ended = _receive(sock, protocol)
            for event in protocol.events_received():
                incoming.take(event)
            _forward_pushed(protocol, ws)
            if not _send(sock, protocol):
                break
    except OSError:  # the client went away, or the server is closing
        pass
    finally:
        _close(ws)


def websocket_upgrade(stage: Any) -> Callable[[Any], None]:
    """The ``upgrade`` of ``serve_http`` for a WebSocket stage (see the module's docstring)."""

    def upgrade(handler: Any) -> None:
        from websockets.server import ServerProtocol

        sock = handler.connection
        protocol = ServerProtocol(max_size=None)  # the stage applies AWS's limits (and closes with 1009)
        pairs = list(handler.headers.items())
        handshake = _read_handshake(protocol, handler.path, pairs)
        if handshake is None:
            _send(sock, protocol)
            return
        ws = _connect(stage, handler.path, pairs)
        opened = _answer_connect(protocol, handshake, ws)
        _send(sock, protocol)
        if opened:
            _relay(sock, protocol, ws)

    return upgrade
