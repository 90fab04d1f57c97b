"""``stage.serve(base_url)``: the stage answers ``requests`` calls to ``base_url`` (via ``responses``).

The only module that imports ``responses``. Other URLs go on to whatever ``requests`` would have done before
(a test's own ``responses`` mock, or the network), so nested mocks keep working.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from pytest_serverless.errors import UsageError

from .request import GatewayRequest, Headers, parse_query

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
        response = stage.handle(_to_request(stage, prepared, base_path))
        headers = [(k, v) for k, v in response.headers.items_all() if k.lower() != "content-length"]
        return response.status_code, headers, response.content

    # Unmatched URLs go to the send method in place now (the network, or an enclosing responses mock).
    mock = responses.RequestsMock(
        assert_all_requests_are_fired=False,
        passthru_prefixes=cast(Any, (re.compile(r".*"),)),
        real_adapter_send=HTTPAdapter.send,
    )
    for method in _METHODS:
        mock.add_callback(method, pattern, callback=cast(Any, answer))
    with mock:
        yield
