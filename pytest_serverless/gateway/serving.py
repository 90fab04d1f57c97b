"""Real clients (API.md 9): ``stage.serve_http()``, a real HTTP/1.1 server, and ``stage.wsgi_app()``.

The server is the standard library's (``http.server.ThreadingHTTPServer``, HTTP/1.1 with keep-alive): it
parses request lines and headers; this module adds what it lacks for a gateway (chunked request bodies, every
method token, a clean shutdown that closes kept-alive connections) and turns each request into the
``GatewayRequest`` that ``stage.client()`` would have built, so the answer is the one the client gets: status,
every header (repeated ones too), body bytes.

Concurrent clients are served by a thread each, but requests reach stages one at a time: the virtual clock,
the token buckets and the caches are not thread-safe, so every served request (and every ``stage.serve``
answer) runs under one re-entrant lock, ``STAGE_LOCK``. A handler that calls another *served* stage over the
socket while being served would wait for itself: calls between stages go through ``stage.serve(url)`` (in
process, the same thread). Waiting for the lock gives up after ``LOCK_WAIT`` seconds with a 503 that says so.

Malformed HTTP (a bad request line or HTTP version, oversize or too many headers, bad chunking, a bad
``Content-Length``) is answered 400 by the server layer (413 for a body over ``BODY_LIMIT``) and never
reaches the stage.

WebSocket seam (API.md 8): ``serve_http(stage, port, upgrade=...)`` takes a callable that is handed the
request handler (``headers``, ``rfile``, ``wfile``, ``connection``, ``client_address``) when a request asks
``Upgrade: websocket``; it owns the connection from then on. ``serving_websocket.websocket_upgrade(stage)`` is
that callable for a WebSocket stage (``stage.connect``/``ws.send``/``ws.receive`` over RFC 6455 frames); a
stage without ``handle`` (WebSocket only) answers other requests 426. Without an ``upgrade``, an upgrade
request is answered as any other (REST and HTTP APIs do not upgrade).
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote, urlsplit

from pytest_serverless.errors import UsageError

from .client import _PATH_SAFE, _UNSAFE
from .pipeline import MAX_PAYLOAD
from .request import GatewayRequest, Headers, Response, parse_query, split_target

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from .model import Stage

__all__ = ["LOCK_WAIT", "STAGE_LOCK", "Served", "StageBusy", "serve_http", "wsgi_app"]

STAGE_LOCK = threading.RLock()  # every answer from a stage to a real client is computed under it
LOCK_WAIT = 60.0  # seconds a served request waits for the stage before answering 503
BODY_LIMIT = MAX_PAYLOAD + 1024 * 1024  # bodies past this are refused by the server layer (413) unread
IDLE_TIMEOUT = 60.0  # a kept-alive connection idle this long is closed
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,20}")
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers"}
    | {"transfer-encoding", "upgrade"}
)
_NO_BODY = frozenset({204, 304})

Upgrade = Callable[[BaseHTTPRequestHandler], None]


class Served(Protocol):
    """What ``serve_http`` serves: a ``Stage`` (``handle``), or a WebSocket stage (an ``upgrade`` only)."""

    @property
    def name(self) -> str: ...

    @property
    def domain_name(self) -> str: ...


class _BadRequest(Exception):
    """The request cannot be read: the server layer answers ``status`` and closes the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Gone(Exception):
    """The client went away mid-request: nothing to answer."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _stage_request(
    stage: Stage,
    method: str,
    target: str,
    pairs: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    protocol: str,
) -> GatewayRequest:
    """The ``GatewayRequest`` ``stage.client()`` would build for this request (``Host`` is the stage's)."""
    domain = stage.domain_name
    headers = [("Host", domain) if name.lower() == "host" else (name, value) for name, value in pairs]
    if not any(name.lower() == "host" for name, _ in pairs):
        headers.insert(0, ("Host", domain))
    if body and not any(name.lower() == "content-length" for name, _ in headers):
        headers.append(("Content-Length", str(len(body))))  # a chunked body arrives whole, as AWS passes it
    raw_path, raw_query = split_target(target)
    if _UNSAFE.search(raw_path):  # raw bytes (curl sends them as typed): percent-encoded as the client does
        raw_path = quote(raw_path.encode("latin-1", "replace"), safe=_PATH_SAFE)
    prefix = "" if stage.name == "$default" else f"/{stage.name}"
    return GatewayRequest(
        method,
        raw_path,
        Headers.trusted(headers),
        parse_query(raw_query),
        body,
        prefix + raw_path,
        raw_query,
        source_ip,
        protocol,
        domain,
    )


class StageBusy(UsageError):
    """A served request waited ``LOCK_WAIT`` seconds for the stage (answered 503; raised when the block
    ends)."""


def _answer(stage: Stage, request: GatewayRequest) -> Response:
    if not STAGE_LOCK.acquire(timeout=LOCK_WAIT):
        raise StageBusy(
            f"the stage was busy for {LOCK_WAIT:g} s: is a served handler calling a served stage over the "
            "socket? Route calls between stages through stage.serve(url), which answers in the same thread"
        )
    try:
        return stage.handle(request)
    finally:
        STAGE_LOCK.release()


# --- the HTTP server ------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every connection's thread: none is left behind
    block_on_close = True

    def __init__(self, port: int, stage: Served, upgrade: Upgrade | None) -> None:
        self.stage = stage
        self.upgrade = upgrade
        self.errors: list[BaseException] = []  # what the stage raised (re-raised when the block ends)
        self._open: set[socket.socket] = set()
        self._guard = threading.Lock()
        self._closing = False
        super().__init__(("127.0.0.1", port), _Handler)

    def opened(self, connection: socket.socket) -> None:
        with self._guard:
            if self._closing:
                _shut(connection)
            self._open.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._guard:
            self._open.discard(connection)

    def close_connections(self) -> None:
        """End every open connection (kept-alive ones wait in a read): their threads finish at once."""
        with self._guard:
            self._closing = True
            for connection in self._open:
                _shut(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # the client went away: nothing to report
            return
        if error is not None:
            self.errors.append(error)


def _shut(connection: socket.socket) -> None:
    with suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class _Reader:
    """The connection's reader, remembering the last line read: the header section must end with an empty
    line, and the standard library takes the end of the stream for one (a client that left mid-headers)."""

    __slots__ = ("_stream", "last")

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.last = b"\r\n"

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._stream.readline(limit)
        self.last = line
        return line

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._stream.read(size)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Handler(BaseHTTPRequestHandler):
    """One connection: the standard library parses each request; ``_serve`` answers it from the stage."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # answers go out in one write: send them at once
    default_request_version = "HTTP/1.0"  # an unreadable request line still gets a status line (not HTTP/0.9)
    timeout = IDLE_TIMEOUT
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.rfile = cast(BufferedIOBase, _Reader(self.rfile))
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.closed(self.connection)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method token goes to the stage, which answers as AWS does
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP is a 400, whatever part is wrong: the standard library's 431 (a header line over
        64 KiB, over 100 headers) and 505 (an HTTP version it cannot speak) keep their words, not their
        codes."""
        if code in (HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, HTTPStatus.HTTP_VERSION_NOT_SUPPORTED):
            explain = f"{message or HTTPStatus(code).phrase} ({code})"
            code, message = 400, "Bad Request"
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the standard library's name)
        """Quiet: the stage keeps its own access log (``stage.logs``)."""

    def _serve(self) -> None:
        if cast(_Reader, self.rfile).last == b"":  # the headers never ended: the client left
            self.close_connection = True
            return
        try:
            body = self._read_body()
        except _BadRequest as bad:
            self.send_error(bad.status, bad.message)
            return
        except (_Gone, OSError):
            self.close_connection = True
            return
        if self.upgrade_requested() and self.server.upgrade is not None:
            self.close_connection = True
            self.server.upgrade(self)
            return
        if not hasattr(self.server.stage, "handle"):  # a WebSocket stage: handshakes only
            self.send_error(426, "Upgrade Required", "This stage answers WebSocket handshakes only.")
            return
        stage = cast("Stage", self.server.stage)
        target = self.path
        if not target.startswith("/") and "://" in target:  # absolute-form (as sent to a proxy)
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = _stage_request(
            stage,
            self.command,
            target,
            list(self.headers.items()),
            body,
            self.client_address[0],
            self.request_version,
        )
        try:
            response = _answer(stage, request)
        except Exception as exc:  # the test's error (UnmockedTask...): 500 now, raised when the block ends
            self.server.errors.append(exc)
            self._write_error(exc)
            return
        try:
            self._write(response)
        except OSError:
            self.close_connection = True

    def upgrade_requested(self) -> bool:
        return "websocket" in self.headers.get("Upgrade", "").lower()

    def _read_body(self) -> bytes:
        encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if encodings:
            if lengths:
                raise _BadRequest(400, "Both Transfer-Encoding and Content-Length")
            codings = [c.strip().lower() for value in encodings for c in value.split(",")]
            if codings != ["chunked"]:
                raise _BadRequest(400, f"Unsupported Transfer-Encoding {', '.join(encodings)!r}")
            return self._read_chunked()
        if not lengths:
            return b""
        values = {value.strip() for value in lengths}
        if len(values) != 1 or not _DIGITS.fullmatch(next(iter(values))):
            raise _BadRequest(400, f"Bad Content-Length {', '.join(lengths)!r}")
        size = int(next(iter(values)))
        if size > BODY_LIMIT:
            raise _BadRequest(413, f"Body of {size} bytes over the limit of {BODY_LIMIT}")
        body = self.rfile.read(size)
        if len(body) < size:
            raise _Gone
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1026)
            if not line:
                raise _Gone
            if not line.endswith(b"\n"):
                raise _BadRequest(400, "Chunk size line too long")
            size_text = line.split(b";", 1)[0].strip()
            if not _HEX.fullmatch(size_text):
                raise _BadRequest(400, f"Bad chunk size {size_text[:40]!r}")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > BODY_LIMIT:
                raise _BadRequest(413, f"Chunked body over the limit of {BODY_LIMIT} bytes")
            data = self.rfile.read(size)
            if len(data) < size:
                raise _Gone
            chunks.append(data)
            end = self.rfile.readline(3)
            if not end:
                raise _Gone
            if end not in (b"\r\n", b"\n"):
                raise _BadRequest(400, "Chunk data not followed by CRLF")
        for _ in range(101):  # the trailer section, up to its empty line (trailers are not passed on)
            line = self.rfile.readline(65537)
            if not line:
                raise _Gone
            if line in (b"\r\n", b"\n"):
                return b"".join(chunks)
        raise _BadRequest(400, "Too many trailer fields")

    def _write(self, response: Response) -> None:
        status = response.status_code
        head = [f"{self.protocol_version} {status} {_reason(status)}\r\n".encode("latin-1")]
        is_head = self.command == "HEAD"
        has_body = status >= 200 and status not in _NO_BODY
        content = response.content
        length_sent = False
        for name, value in response.headers.pairs():
            lowered = name.lower()
            if lowered in _HOP_BY_HOP:
                continue
            if lowered == "content-length":  # where the stage put it; the length of what is sent
                if not has_body or length_sent:
                    continue
                length_sent = True
                if not is_head:
                    value = str(len(content))
            head.append(_header_line(name, value))
        if has_body and not length_sent:
            head.append(_header_line("Content-Length", str(0 if is_head else len(content))))
        if self.close_connection:
            head.append(b"Connection: close\r\n")
        head.append(b"\r\n")
        if has_body and not is_head:
            head.append(content)
        self.wfile.write(b"".join(head))
        self.wfile.flush()

    def _write_error(self, exc: Exception) -> None:
        message = (
            f"pytest-serverless: the stage raised {type(exc).__name__}: {exc} "
            "(raised again in the test when the serve_http block ends)"
        )
        body = json.dumps({"message": message}).encode("utf-8")
        status = 503 if isinstance(exc, StageBusy) else 500
        self.close_connection = True
        with suppress(OSError):
            self.wfile.write(
                f"{self.protocol_version} {status} {_reason(status)}\r\n".encode("latin-1")
                + b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("latin-1")
                + body
            )


def _header_line(name: str, value: str) -> bytes:
    value = value.replace("\r", " ").replace("\n", " ")  # a value cannot span lines on the wire
    try:
        encoded = value.encode("latin-1")
    except UnicodeEncodeError:
        encoded = value.encode("utf-8")
    return name.encode("latin-1", "replace") + b": " + encoded + b"\r\n"


def _check_port(port: Any) -> int:
    if port is None:
        return 0
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"stage.serve_http(port=...): a port number 0-65535 or None, got {port!r}")
    return port


@contextmanager
def serve_http(stage: Served, port: int | None = None, *, upgrade: Upgrade | None = None) -> Iterator[str]:
    """Serve ``stage`` on ``http://127.0.0.1:<port>`` until the block ends; yields that base URL.

    Everything the stage raised while serving (an ``UnmockedTask``...) is raised again when the block ends.
    """
    number = _check_port(port)
    try:
        server = _Server(number, stage, upgrade)
    except OSError as exc:
        raise UsageError(
            f"stage.serve_http(port={port!r}): cannot listen on 127.0.0.1:{number}: {exc.strerror or exc}; "
            "leave port=None for a free port"
        ) from None
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.02},
        name=f"serve_http {stage!r} :{server.server_port}",
        daemon=True,
    )
    thread.start()
    failed = False
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    except BaseException:
        failed = True
        raise
    finally:
        server.shutdown()
        server.close_connections()
        server.server_close()  # joins the connections' threads
        thread.join()
        if server.errors and not failed:
            raise server.errors[0]


# --- WSGI --------------------------------------------------------------------------------------------------


def _environ_headers(environ: WSGIEnvironment) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = "-".join(part.capitalize() for part in key[5:].split("_"))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if not value:
                continue
            name = "Content-Type" if key == "CONTENT_TYPE" else "Content-Length"
        else:
            continue
        pairs.append((name, str(value)))
    return pairs


def _environ_body(environ: WSGIEnvironment) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = str(environ.get("CONTENT_LENGTH") or "").strip()
    if length.isdigit():
        return bytes(stream.read(int(length))) if int(length) else b""
    if environ.get("wsgi.input_terminated"):  # a chunked body: read to its end (PEP 3333 read takes a size)
        chunks = []
        while chunk := stream.read(65536):
            chunks.append(bytes(chunk))
        return b"".join(chunks)
    return b""


def _environ_target(environ: WSGIEnvironment) -> str:
    """The request target relative to the app's root, still percent-encoded as the client sent it."""
    script = str(environ.get("SCRIPT_NAME", ""))
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw.startswith("/"):
        path = raw.partition("?")[0]
        quoted_script = quote(script.encode("latin-1"), safe=_PATH_SAFE)
        if path.startswith(quoted_script):
            path = path[len(quoted_script) :] or "/"
    else:
        path_info = str(environ.get("PATH_INFO", "")) or "/"
        path = quote(path_info.encode("latin-1"), safe=_PATH_SAFE.replace("%", ""))
    query = str(environ.get("QUERY_STRING", ""))
    return f"{path}?{query}" if query else path


def wsgi_app(stage: Stage) -> WSGIApplication:
    """``stage`` as a PEP 3333 application: its root is the stage's root, answers are ``stage.client()``'s."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        request = _stage_request(
            stage,
            method,
            _environ_target(environ),
            _environ_headers(environ),
            _environ_body(environ),
            str(environ.get("REMOTE_ADDR") or "198.51.100.1"),
            str(environ.get("SERVER_PROTOCOL") or "HTTP/1.1"),
        )
        response = _answer(stage, request)
        status = response.status_code
        headers = [(k, v) for k, v in response.headers.pairs() if k.lower() not in _HOP_BY_HOP]
        start_response(f"{status} {_reason(status)}".rstrip(), headers)
        return [] if method == "HEAD" else [response.content]

    return app
