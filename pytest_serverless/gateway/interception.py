"""``stage.serve(base_url)``: the stage answers ``requests`` and ``httpx`` calls to ``base_url``.

The only module that imports ``responses`` (for ``requests``) and ``httpx`` (optional: without it installed,
only ``requests`` is intercepted). Other URLs go on to whatever the client would have done before (a test's
own ``responses``/``respx``/``pytest_httpx`` mock, or the network), so nested mocks keep working. Answers are
computed under ``serving.STAGE_LOCK``, so code under test may call from several threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, cast
from unittest import mock
from urllib.parse import urlsplit

from pytest_serverless.errors import UsageError

from .request import GatewayRequest, Headers, Response, parse_query
from .serving import STAGE_LOCK

if TYPE_CHECKING:
    from .model import Stage

__all__ = ["serve"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _to_request(stage: Stage, prepared: Any, base_path: str) -> GatewayRequest:
    parts = urlsplit(prepared.url)
    path = parts.path or "/"
    relative = path[len(base_path) :] if base_path and path.startswith(base_path) else path
    if not relative.startswith("/"):
        relative = "/" + relative
    body = prepared.body
    if body is None:
        content = b""
    elif isinstance(body, str):
        content = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray)):
        content = bytes(body)
    else:  # a file-like or generator body
        read = getattr(body, "read", None)
        content = read() if callable(read) else b"".join(body)
    headers = Headers([(str(k), str(v)) for k, v in prepared.headers.items()])
    if "host" not in headers:
        headers.add("Host", parts.netloc)
    return GatewayRequest(
        method=str(prepared.method).upper(),
        path=relative,
        headers=headers,
        query=parse_query(parts.query),
        body=content,
        raw_path=path,
        raw_query_string=parts.query,
        domain_name=parts.hostname or stage.domain_name,
    )


def _answer(stage: Stage, request: GatewayRequest) -> Response:
    with STAGE_LOCK:
        return stage.handle(request)


def _from_httpx(stage: Stage, request: Any, base_path: str) -> GatewayRequest:
    url = request.url
    path = url.raw_path.decode("ascii").partition("?")[0] or "/"
    relative = path[len(base_path) :] if base_path and path.startswith(base_path) else path
    if not relative.startswith("/"):
        relative = "/" + relative
    query = url.query.decode("ascii")
    headers = Headers(
        [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw]
    )
    return GatewayRequest(
        method=str(request.method).upper(),
        path=relative,
        headers=headers,
        query=parse_query(query),
        body=bytes(request.content),
        raw_path=path,
        raw_query_string=query,
        domain_name=url.host or stage.domain_name,
    )


def _intercept_httpx(stage: Stage, base: str, base_path: str, stack: ExitStack) -> None:
    """Answer httpx's default transports (sync and async) for URLs under ``base``; others pass through."""
    try:
        import httpx
    except ImportError:  # httpx is optional: nothing to intercept
        return
    prefix = str(httpx.URL(base)).rstrip("/")
    pattern = re.compile(re.escape(prefix) + r"(?:[/?#].*)?$")
    sync_send = httpx.HTTPTransport.handle_request
    async_send = httpx.AsyncHTTPTransport.handle_async_request

    def respond(request: Any) -> Any:
        response = _answer(stage, _from_httpx(stage, request, base_path))
        return httpx.Response(
            response.status_code,
            headers=response.headers.items_all(),
            content=response.content,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    def handle_request(self: Any, request: Any) -> Any:
        if not pattern.match(str(request.url)):
            return sync_send(self, request)
        request.read()
        return respond(request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        if not pattern.match(str(request.url)):
            return await async_send(self, request)
        await request.aread()
        return respond(request)

    stack.enter_context(mock.patch.object(httpx.HTTPTransport, "handle_request", handle_request))
    stack.enter_context(
        mock.patch.object(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    )


@contextmanager
def serve(stage: Stage, base_url: str) -> Iterator[None]:
    import responses
    from requests.adapters import HTTPAdapter

    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise UsageError(f"stage.serve(base_url): base_url must be an http(s) URL, got {base_url!r}")
    base = base_url.rstrip("/")
    base_path = urlsplit(base).path
    pattern = re.compile(re.escape(base) + r"(?:[/?#].*)?$")

    def answer(prepared: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        response = _answer(stage, _to_request(stage, prepared, base_path))
        headers = [(k, v) for k, v in response.headers.items_all() if k.lower() != "content-length"]
        return response.status_code, headers, response.content

    # Unmatched URLs go to the send method in place now (the network, or an enclosing responses mock).
    mocked = responses.RequestsMock(
        assert_all_requests_are_fired=False,
        passthru_prefixes=cast(Any, (re.compile(r".*"),)),
        real_adapter_send=HTTPAdapter.send,
    )
    for method in _METHODS:
        mocked.add_callback(method, pattern, callback=cast(Any, answer))
    with ExitStack() as stack:
        stack.enter_context(mocked)
        _intercept_httpx(stage, base, base_path, stack)
        yield
