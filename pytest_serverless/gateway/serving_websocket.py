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


def websocket_upgrade(stage: Any) -> Callable[[Any], None]:
    """The ``upgrade`` of ``serve_http`` for a WebSocket stage (see the module's docstring)."""

    def upgrade(handler: Any) -> None:
        from websockets.frames import Frame, Opcode
        from websockets.http11 import Request
        from websockets.protocol import State
        from websockets.server import ServerProtocol

        sock = handler.connection
        protocol = ServerProtocol(max_size=None)  # the stage applies AWS's limits (and closes with 1009)
        pairs = list(handler.headers.items())
        # the protocol reads the handshake request before frames: hand it the request the server parsed
        head = f"GET {handler.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n"
        protocol.receive_data(head.encode("latin-1"))
        received = protocol.events_received()
        request = received[0] if received and isinstance(received[0], Request) else None
        if request is None:  # websockets could not read it: 400
            protocol.send_response(protocol.reject(400, "Failed to open a WebSocket connection.\n"))
            _send(sock, protocol)
            return
        handshake = protocol.accept(request)
        if handshake.status_code != 101:  # not a WebSocket handshake (websockets says why, 400 or 426)
            protocol.send_response(handshake)
            _send(sock, protocol)
            return
        _, query = split_target(handler.path)
        domain = stage.domain_name
        headers = {name: (domain if name.lower() == "host" else value) for name, value in pairs}
        with STAGE_LOCK:
            ws = stage.connect(headers=headers, params=dict(parse_query(query)))
        if ws.status_code != 101:  # $connect refused: that status, and no connection
            refusal = protocol.reject(ws.status_code, f"connection refused ({ws.status_code})\n")
            protocol.send_response(refusal)
            _send(sock, protocol)
            return
        for name, value in (getattr(ws, "headers", None) or {}).items():  # what $connect answered
            if name.lower() not in _HOP:
                handshake.headers[name] = value
        protocol.send_response(handshake)
        _send(sock, protocol)
        fragments: list[bytes] = []
        largest = 0  # the largest frame of the message being read: API Gateway limits frames too
        ended = False
        try:
            while protocol.state is not State.CLOSED and not ended:
                readable, _, _ = select.select([sock], [], [], POLL)
                if readable:
                    data = sock.recv(65536)
                    if data:
                        protocol.receive_data(data)
                    else:  # the client (or the server's shutdown) ended the stream
                        protocol.receive_eof()
                        ended = True
                for frame in protocol.events_received():
                    if not isinstance(frame, Frame):
                        continue
                    if frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                        fragments.append(bytes(frame.data))
                        largest = max(largest, len(frame.data))
                        if frame.fin:
                            text = b"".join(fragments).decode("utf-8", "replace")
                            fragments.clear()
                            with STAGE_LOCK:
                                if not getattr(ws, "closed", False):  # frames sent after the stage closed
                                    ws.send(text=text, frame_size=largest)
                            largest = 0
                    elif frame.opcode is Opcode.CLOSE:  # the client said goodbye: $disconnect
                        with STAGE_LOCK:
                            if not getattr(ws, "closed", False):
                                ws.close()
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
                if not _send(sock, protocol):
                    break
        except OSError:  # the client went away, or the server is closing
            pass
        finally:
            with STAGE_LOCK:
                if not getattr(ws, "closed", False):
                    ws.close()

    return upgrade
