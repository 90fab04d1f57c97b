"""``stage.client()``: a small in-process HTTP client (no network, no dependency on ``requests``)."""

from __future__ import annotations

import json as _json
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, Union, cast, overload
from urllib.parse import quote, quote_plus

from pytest_serverless._cache import BoundedCache
from pytest_serverless.errors import UsageError

from .request import GatewayRequest, Headers, Response, parse_query, split_target

if TYPE_CHECKING:
    from .model import Stage

__all__ = ["Client", "Verb"]

HeadersArg = Union[Mapping[str, Any], Iterable[tuple[str, Any]], None]  # noqa: UP007 (runtime alias)
Params = Union[Mapping[str, Any], Iterable[tuple[str, Any]], str, None]  # noqa: UP007 (runtime alias, py3.10)
# Characters a client leaves as they are in a path (requests' "requote" set, plus '%' for existing escapes).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_NO_NAMES: frozenset[str] = frozenset()
_DEFAULT_HEADERS = (("Accept-Encoding", "gzip, deflate"), ("Accept", "*/*"))  # after Host and User-Agent
_UNSAFE = re.compile(r"[^A-Za-z0-9/%:@!$&'()*+,;=._~-]")


def _pairs(params: Params) -> list[tuple[str, str]]:
    if params is None or isinstance(params, str):
        return []
    items = params.items() if type(params) is dict or isinstance(params, Mapping) else params
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if type(value) is str and type(key) is str:
            pairs.append((key, value))
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((str(key), _text(item)) for item in values)
    return pairs


_QUERY_SAFE = re.compile(r"^[A-Za-z0-9._~-]*$")


def _urlencode(pairs: list[tuple[str, str]]) -> str:
    """``urlencode`` with a fast path for the common plain names and values (same output)."""
    parts = []
    encoded = _ENCODED
    put = encoded.put
    for pair in pairs:
        part = encoded.get(pair)
        if part is None:
            key, value = pair
            if not _QUERY_SAFE.match(key):
                key = quote_plus(key)
            if not _QUERY_SAFE.match(value):
                value = quote_plus(value)
            part = put(pair, f"{key}={value}")
        parts.append(part)
    return "&".join(parts)


# (name, value) -> "name=value", URL-encoded (seen before): a pure function of its key, so process-wide
_ENCODED: BoundedCache[tuple[str, str], str] = BoundedCache(2048)


# dict params of strings seen before -> (query pairs, URL encoding): pure, so process-wide
_PARAMS: BoundedCache[tuple[tuple[Any, Any], ...], tuple[list[tuple[str, str]], str]] = BoundedCache(1024)


def _params(params: Params) -> tuple[list[tuple[str, str]], str]:
    """``params`` as query pairs and their URL encoding (remembered for plain dicts: tests repeat them)."""
    key = None
    if type(params) is dict:
        key = tuple(params.items())
        try:
            known = _PARAMS.get(key)
        except TypeError:  # a list value: not hashable
            known = key = None
        if known is not None:
            return known
    extra = parse_query(params) if isinstance(params, str) else _pairs(params)
    found = extra, _urlencode(extra)
    if key is not None and all(type(k) is str and type(v) is str for k, v in key):  # 1 == True: str only
        _PARAMS.put(key, found)
    return found


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class Verb(Protocol):
    """``client.get`` and the other verbs: ``request`` with the method filled in."""

    def __call__(
        self,
        path: str,
        *,
        headers: HeadersArg = None,
        params: Params = None,
        json: Any = None,
        data: Any = None,
        cookies: Mapping[str, str] | None = None,
    ) -> Response: ...


class _VerbMethod:
    """The descriptor behind ``Client.get``...: one typed signature (``Verb``) for every verb; bound once per
    client (kept in the instance's ``__dict__``), so later calls cost what a method call does."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.name = method.lower()
        self.__doc__ = f"Send a {method} request: ``request({method!r}, path, headers=..., params=...)``."

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, client: None, owner: type | None = None) -> _VerbMethod: ...
    @overload
    def __get__(self, client: Client, owner: type | None = None) -> Verb: ...
    def __get__(self, client: Client | None, owner: type | None = None) -> _VerbMethod | Verb:
        if client is None:
            return self
        bound = cast(Verb, partial(client.request, self.method))
        client.__dict__[self.name] = bound
        return bound


class Client:
    """A stage's HTTP client: ``request`` and ``get``, ``post``, ``put``, ``patch``, ``delete``, ``head``...

    ``path`` is relative to the stage (``/orders/1``); answers are ``Response`` objects.
    """

    get = _VerbMethod("GET")
    post = _VerbMethod("POST")
    put = _VerbMethod("PUT")
    patch = _VerbMethod("PATCH")
    delete = _VerbMethod("DELETE")
    options = _VerbMethod("OPTIONS")
    head = _VerbMethod("HEAD")

    def __init__(
        self, stage: Stage, *, source_ip: str = "198.51.100.1", user_agent: str | None = None
    ) -> None:
        self.stage = stage
        self._domain = stage.domain_name
        self._prefix = "" if stage.name == "$default" else f"/{stage.name}"
        self.source_ip = source_ip
        self.user_agent = user_agent or "pytest-serverless-client"
        self.last_response: Response | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: HeadersArg = None,
        params: Params = None,
        json: Any = None,
        data: Any = None,
        cookies: Mapping[str, str] | None = None,
    ) -> Response:
        """Send ``method`` ``path`` (relative to the stage, with or without a query) through the stage."""
        return self._send(method, path, headers, params, json, data, cookies)

    def _send(
        self,
        method: str,
        path: str,
        headers: HeadersArg,
        params: Params,
        json: Any,
        data: Any,
        cookies: Mapping[str, str] | None,
    ) -> Response:
        if not isinstance(method, str) or not isinstance(path, str):
            raise UsageError(f"client.request(method, path): both must be strings, got {method!r}, {path!r}")
        if json is not None and data is not None:
            raise UsageError("client.request: pass json= or data=, not both")
        raw_path, raw_query, query = _target(path, params)
        domain = self._domain
        body, content_type = _body(json, data)
        pairs = _header_pairs(
            [("Host", domain), ("User-Agent", self.user_agent), *_DEFAULT_HEADERS],
            headers,
            body,
            content_type,
            cookies,
        )
        request = GatewayRequest(  # by position (a request per call: keywords cost more than the rest)
            method.upper(),  # method
            raw_path,  # path
            Headers.trusted(pairs),  # headers
            query,  # query
            body,  # body
            self._prefix + raw_path,  # raw_path
            raw_query,  # raw_query_string
            self.source_ip,  # source_ip
            "HTTP/1.1",  # protocol
            domain,  # domain_name
        )
        response = self.stage.handle(request)
        self.last_response = response
        return response


def _target(path: str, params: Params) -> tuple[str, str, list[tuple[str, str]]]:
    """The request's path (escaped as a client does), its query string and query pairs (``params`` added)."""
    target = path if path.startswith("/") else "/" + path
    if "?" in target or "#" in target:
        raw_path, raw_query = split_target(target)
    else:
        raw_path, raw_query = target, ""
    if _UNSAFE.search(raw_path):
        raw_path = quote(raw_path, safe=_PATH_SAFE)
    query = parse_query(raw_query) if raw_query else []
    if params:
        extra, encoded = _params(params)
        if extra:
            raw_query = f"{raw_query}&{encoded}" if raw_query else encoded
            query.extend(extra)
    return raw_path, raw_query, query


def _body(json: Any, data: Any) -> tuple[bytes, str | None]:
    """The body ``json=`` or ``data=`` make, and the content type it implies (None: none)."""
    if json is not None:
        return _json.dumps(json).encode("utf-8"), "application/json"
    if data is None:
        return b"", None
    if isinstance(data, bytes):
        return data, None
    if isinstance(data, str):
        return data.encode("utf-8"), None
    if isinstance(data, (Mapping, list, tuple)):
        return _urlencode(_pairs(data)).encode("ascii"), "application/x-www-form-urlencoded"
    raise UsageError(f"client.request: data= takes bytes, str or a dict, got {type(data).__name__}")


def _header_pairs(
    pairs: list[tuple[str, str]],
    headers: HeadersArg,
    body: bytes,
    content_type: str | None,
    cookies: Mapping[str, str] | None,
) -> list[tuple[str, str]]:
    """The default ``pairs`` with the caller's ``headers`` over them, then Content-Type, Content-Length and
    Cookie where the caller did not set them."""
    names: AbstractSet[str] = _NO_NAMES
    if headers:
        mapping = type(headers) is dict or isinstance(headers, Mapping)
        given = list(headers.items() if mapping else headers)  # type: ignore[union-attr]
        names = {str(name).lower() for name, _ in given}
        pairs = [(n, v) for n, v in pairs if n.lower() not in names]
        pairs.extend((str(name), _text(value)) for name, value in given if value is not None)
    if content_type is not None and "content-type" not in names:
        pairs.append(("Content-Type", content_type))
    if body and "content-length" not in names:
        pairs.append(("Content-Length", str(len(body))))
    if cookies:
        pairs.append(("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())))
    return pairs
