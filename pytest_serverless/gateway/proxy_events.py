"""Lambda proxy events: payload format 1.0 (REST) and 2.0 (HTTP API), shaped as AWS delivers them.

As AWS documents them (API Gateway developer guide, "Create AWS Lambda proxy integrations for HTTP APIs")
and REST events recorded against AWS show: absent values are ``null`` in 1.0 and omitted in 2.0; the 1.0 path
stays percent-encoded; ``queryStringParameters`` keeps the last value (1.0) or joins values with commas (2.0).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any
from urllib.parse import unquote

from pytest_serverless._cache import BoundedCache
from pytest_serverless._ids import ACCOUNT_ID

from .integrations.base import IntegrationCall
from .request import GatewayRequest

__all__ = [
    "format_request_time",
    "forwarded_headers",
    "is_binary",
    "make_trace_id",
    "trace_id",
    "v1_event",
    "v2_event",
]

# Request headers API Gateway never passes on (recorded against AWS).
DROPPED_HEADERS = frozenset(
    {
        "connection",
        "expect",
        "te",
        "transfer-encoding",
        "upgrade",
        "proxy-authenticate",
        "max-forwards",
        "content-md5",
        "server",
        "trailer",
        "www-authenticate",
        "keep-alive",
        "proxy-connection",
    }
)
# Header names API Gateway canonicalises whatever the client's spelling (recorded: Authorization, User-Agent).
_CANONICAL = {"authorization": "Authorization", "user-agent": "User-Agent", "host": "Host"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNREAD: Any = object()  # ``trace_id``: the client's header is still to be read
_TEXT_SUFFIXES = ("+json", "+xml", "/json", "/xml", "/javascript", "/x-www-form-urlencoded", "/graphql")


def _resource_id(api_id: str, resource_path: str) -> str:
    """The resource id (six hex digits); no memo: the 1.0 requestContext templates keep it."""
    return hashlib.sha256(f"{api_id}{resource_path}".encode()).hexdigest()[:6]


def format_request_time(epoch: float) -> str:
    """``01/Jan/2024:00:00:00 +0000`` (English month names whatever the locale)."""
    second = int(epoch)
    last = _last_time
    if last[0] == second:
        known: str = last[1]
        return known
    text = _format_seconds(second)
    last[0], last[1] = second, text
    return text


_last_time: list[Any] = [None, ""]  # the last second formatted and its text (requests come in runs)


def _format_seconds(epoch: int) -> str:  # no memo: ``format_request_time`` keeps the last second's text
    t = time.gmtime(epoch)
    day = f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}"
    return f"{day}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def make_trace_id(request_time: float, extended_request_id: str, incoming: Any) -> str:
    """The client's ``X-Amzn-Trace-Id`` (``incoming``) if a ``Root=`` id, else ``Root=1-<time>-<id>``."""
    if isinstance(incoming, str) and incoming.startswith("Root="):
        return incoming
    return f"Root=1-{int(request_time):08x}-{extended_request_id[:12].encode().hex()}"


def trace_id(call: IntegrationCall, incoming: Any = _UNREAD) -> str:
    """The request's trace id: made once per call (the event and the answer carry the same), kept on it.

    ``incoming``: the client's ``X-Amzn-Trace-Id`` when the caller already knows it.
    """
    value = call.trace_id
    if not value:
        if incoming is _UNREAD:
            incoming = call.request.headers.get("X-Amzn-Trace-Id")
        value = call.trace_id = make_trace_id(call.request_time, call.extended_request_id, incoming)
    return value


def forwarded_headers(call: IntegrationCall) -> list[tuple[str, str]]:
    """The request headers as the backend sees them: hop-by-hop ones dropped, gateway ones added."""
    return [(name, value) for name, _, value in _forward(call)]


# What happens to a request header on its way to the backend (by the client's spelling of its name).
_KEEP, _DROP, _HOST, _XFF, _REPLACED = 0, 1, 2, 3, 4
_NAMES: BoundedCache[str, tuple[str, int, str]] = BoundedCache(
    4096
)  # spelling -> (lower-cased, action, name the backend sees)


def _name_info(name: str) -> tuple[str, int, str]:
    lowered = name.lower()
    if lowered in DROPPED_HEADERS:
        action = _DROP
    elif lowered == "host":
        action = _HOST
    elif lowered == "x-forwarded-for":
        action = _XFF
    elif lowered in ("x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id"):
        action = _REPLACED
    else:
        action = _KEEP
    info = (lowered, action, _CANONICAL.get(lowered, name))
    return _NAMES.put(name, info)


def _client_part(request: GatewayRequest, domain_name: str) -> tuple[list[tuple[str, str, str]], str | None]:
    """The client's headers as the backend sees them, (name, lower-cased name, value), with ``Host``; and
    the client's ``X-Forwarded-For`` (the gateway adds its own headers after these)."""
    triples: list[tuple[str, str, str]] = []
    has_host = False
    forwarded_for: str | None = None
    names = _NAMES
    for name, value in request.headers.pairs():
        info = names.get(name) or _name_info(name)
        action = info[1]
        if action:
            if action == _HOST:
                has_host = True
            elif action == _XFF:
                forwarded_for = value
                continue
            else:
                continue
        triples.append((info[2], info[0], value))
    if not has_host:
        triples.append(("Host", "host", domain_name))
    return triples, forwarded_for


def _forward(call: IntegrationCall) -> list[tuple[str, str, str]]:
    """``forwarded_headers`` as (name, lower-cased name, value) triples."""
    request = call.request
    triples, forwarded_for = _client_part(request, call.domain_name)
    triples.append(("X-Amzn-Trace-Id", "x-amzn-trace-id", trace_id(call)))
    source_ip = request.source_ip
    chain = f"{forwarded_for}, {source_ip}" if forwarded_for else source_ip
    triples.append(("X-Forwarded-For", "x-forwarded-for", chain))
    triples.append(("X-Forwarded-Port", "x-forwarded-port", "443"))
    triples.append(("X-Forwarded-Proto", "x-forwarded-proto", "https"))
    return triples


# Event header styles: REST 1.0 (client spelling), HTTP API 1.0 (lower case), 2.0 (lower case, joined)
_REST, _LOWER, _V2 = 0, 1, 2
_ADDED = (
    ("X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"),
    ("x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"),
    ("x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"),
)


class _Shape:
    """What an event takes from one set of request headers, worked out once per distinct set.

    ``headers`` / ``multi`` hold the client's part of the event's headers (the gateway's own four,
    never sent by a client as such, follow); ``single`` says every ``multi`` list has one value.
    """

    __slots__ = ("cookies", "forwarded_for", "headers", "incoming_trace", "multi", "single", "user_agent")

    def __init__(self, request: GatewayRequest, domain_name: str, style: int) -> None:
        triples, self.forwarded_for = _client_part(request, domain_name)
        headers: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        cookies: list[str] = []
        if style == _V2:
            for _, key, value in triples:
                if key == "cookie":
                    cookies.extend(part.strip() for part in value.split(";") if part.strip())
                    continue
                headers[key] = f"{headers[key]},{value}" if key in headers else value
        elif style == _LOWER:
            for _, lowered, value in triples:
                values = multi.get(lowered)
                if values is None:
                    multi[lowered] = [value]
                else:
                    values.append(value)
                headers[lowered] = value
        else:
            spelled: dict[str, str] = {}
            for name, lowered, value in triples:
                if lowered == "content-length":
                    continue  # REST never passes Content-Length on to the function (recorded against AWS)
                spelling = spelled.get(lowered)
                if spelling is None:
                    spelling = spelled[lowered] = name
                    multi[spelling] = [value]
                else:
                    multi[spelling].append(value)
                headers[spelling] = value
        self.headers = headers
        self.multi = multi
        self.single = all(len(values) == 1 for values in multi.values())
        self.cookies = cookies
        self.user_agent: str | None = request.headers.get("User-Agent")
        self.incoming_trace: str | None = request.headers.get("X-Amzn-Trace-Id")


_SHAPES: BoundedCache[tuple[Any, ...], _Shape] = BoundedCache(1024)


def _shape(call: IntegrationCall, style: int) -> _Shape:
    request = call.request
    key = (request.headers.frozen(), call.domain_name, style)
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _SHAPES.put(key, _Shape(request, call.domain_name, style))
    return shape


def _event_headers(call: IntegrationCall, shape: _Shape, style: int) -> dict[str, str]:
    """The event's ``headers``: the client's (from ``shape``), then the gateway's."""
    request = call.request
    trace = call.trace_id or trace_id(call, shape.incoming_trace)
    forwarded_for = shape.forwarded_for
    source_ip = request.source_ip
    trace_key, for_key, port_key, proto_key = _ADDED[style]
    headers = shape.headers.copy()
    headers[trace_key] = trace
    headers[for_key] = f"{forwarded_for}, {source_ip}" if forwarded_for else source_ip
    headers[port_key] = "443"
    headers[proto_key] = "https"
    return headers


def _media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def is_binary(content_type: str | None, binary_media_types: tuple[str, ...]) -> bool:
    """Whether ``content_type`` matches one of the API's ``binaryMediaTypes`` (``image/*``, ``*/*`` too)."""
    if not binary_media_types:
        return False
    media = _media_type(content_type)
    if not media:
        return "*/*" in binary_media_types
    kind = media.partition("/")[0]
    for pattern in binary_media_types:
        pattern = pattern.lower()
        if pattern in ("*/*", media) or pattern == f"{kind}/*":
            return True
    return False


def _is_text(content_type: str | None, body: bytes) -> bool:
    media = _media_type(content_type)
    if media.startswith("text/") or media.endswith(_TEXT_SUFFIXES):
        return True
    if media:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _rest_string(value: Any) -> str:
    """REST authorizer values reach the function as strings (lists comma-joined, as Cognito groups do)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_rest_string(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _http_string(value: Any) -> str:
    """HTTP API JWT claims are strings too; arrays are printed Go-style, ``[a b]`` *(observed)*."""
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_http_string(item) for item in value) + "]"
    return _rest_string(value)


_IDENTITY: dict[str, Any] = {
    "accessKey": None,
    "accountId": None,
    "caller": None,
    "cognitoAuthenticationProvider": None,
    "cognitoAuthenticationType": None,
    "cognitoIdentityId": None,
    "cognitoIdentityPoolId": None,
    "principalOrgId": None,
    "sourceIp": None,
    "user": None,
    "userAgent": None,
    "userArn": None,
}


def _identity(call: IntegrationCall, user_agent: str | None) -> dict[str, Any]:
    identity = _IDENTITY.copy()
    identity["sourceIp"] = call.request.source_ip
    identity["userAgent"] = user_agent
    if call.api_key is not None:
        identity["apiKey"] = call.api_key
        identity["apiKeyId"] = call.api_key_id
    if call.auth is not None and call.auth.identity:
        identity.update(call.auth.identity)
    return identity


def _v1_authorizer(call: IntegrationCall) -> dict[str, Any] | None:
    auth = call.auth
    if auth is None:
        return None
    if auth.claims is not None:
        return {"claims": {k: _rest_string(v) for k, v in auth.claims.items()}}
    if auth.identity and not auth.context and auth.principal_id is None:
        return None  # IAM: the caller is in requestContext.identity
    result: dict[str, Any] = {
        "principalId": auth.principal_id,
        "integrationLatency": int(auth.latency * 1000),
    }
    result.update((k, _rest_string(v)) for k, v in auth.context.items())
    return result


def _v2_authorizer(call: IntegrationCall) -> dict[str, Any] | None:
    auth = call.auth
    if auth is None:
        return None
    if auth.claims is not None:
        scopes = list(auth.scopes) if auth.scopes else None
        return {"jwt": {"claims": {k: _http_string(v) for k, v in auth.claims.items()}, "scopes": scopes}}
    if auth.identity and not auth.context and auth.principal_id is None:
        ident = auth.identity
        return {
            "iam": {
                "accessKey": ident.get("accessKey"),
                "accountId": ident.get("accountId"),
                "callerId": ident.get("caller"),
                "cognitoIdentity": None,
                "principalOrgId": ident.get("principalOrgId"),
                "userArn": ident.get("userArn"),
                "userId": ident.get("user"),
            }
        }
    return {"lambda": dict(auth.context)}


def _body_v1(call: IntegrationCall) -> tuple[str | None, bool]:
    body = call.request.body
    if not body:
        return None, False
    if is_binary(call.request.headers.get("Content-Type"), call.binary_media_types):
        return base64.b64encode(body).decode("ascii"), True
    return body.decode("utf-8", "replace"), False


# the requestContext templates: per API, deployment, domain, stage and resource (1.0) or route (2.0)
_V1_CONTEXTS: BoundedCache[tuple[str, ...], dict[str, Any]] = BoundedCache(1024)
_V2_CONTEXTS: BoundedCache[tuple[str, ...], dict[str, Any]] = BoundedCache(1024)


def _v1_context(call: IntegrationCall, key: tuple[str, ...]) -> dict[str, Any]:
    """The requestContext of a 1.0 event with this route's constant parts (``None`` where a request's go)."""
    template: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": call.api_id,
        "deploymentId": call.deployment_id,
        "domainName": call.domain_name,
        "domainPrefix": call.domain_name.partition(".")[0],
        "extendedRequestId": None,
        "httpMethod": None,
        "identity": None,
        "path": None,
        "protocol": None,
        "requestId": None,
        "requestTime": None,
        "requestTimeEpoch": None,
        "resourceId": _resource_id(call.api_id, call.resource_path),
        "resourcePath": call.resource_path,
        "stage": call.stage,
    }
    return _V1_CONTEXTS.put(key, template)


def _v2_context(call: IntegrationCall, key: tuple[str, ...]) -> dict[str, Any]:
    """The requestContext of a 2.0 event after ``authorizer``, with the route's constant parts."""
    template: dict[str, Any] = {
        "domainName": call.domain_name,
        "domainPrefix": call.domain_name.partition(".")[0],
        "http": None,
        "requestId": None,
        "routeKey": call.route_key,
        "stage": call.stage,
        "time": None,
        "timeEpoch": None,
    }
    return _V2_CONTEXTS.put(key, template)


def v1_event(call: IntegrationCall, *, lower_headers: bool = False) -> dict[str, Any]:
    """The payload format 1.0 event (REST AWS_PROXY; HTTP APIs send it with lower-case header names)."""
    request = call.request
    style = _LOWER if lower_headers else _REST
    shape = _shape(call, style)
    headers = _event_headers(call, shape, style)
    if shape.single:  # one value per name: the multi-value view is the single-value one, in lists
        multi = {key: [value] for key, value in headers.items()}
    else:
        multi = {key: values.copy() for key, values in shape.multi.items()}
        multi.update((key, [headers[key]]) for key in _ADDED[style])
    query: dict[str, str] | None = None
    multi_query: dict[str, list[str]] | None = None
    if request.query:
        query, multi_query = {}, {}
        for name, value in request.query:
            query[name] = value
            values = multi_query.get(name)
            if values is None:
                multi_query[name] = [value]
            else:
                values.append(value)
    path = request.path
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    body, encoded = _body_v1(call) if request.body else (None, False)
    where = (call.api_id, call.deployment_id, call.domain_name, call.stage, call.resource_path)
    template = _V1_CONTEXTS.get(where)
    if template is None:
        template = _v1_context(call, where)
    context = template.copy()  # the per-route parts are in place; fill in this request's
    context["extendedRequestId"] = call.extended_request_id
    context["httpMethod"] = request.method
    context["identity"] = _identity(call, shape.user_agent)
    context["path"] = f"/{call.stage}{request.path}"
    context["protocol"] = request.protocol
    context["requestId"] = call.request_id
    context["requestTime"] = format_request_time(call.request_time)
    context["requestTimeEpoch"] = int(call.request_time * 1000)
    if call.auth is not None:
        authorizer = _v1_authorizer(call)
        if authorizer is not None:
            context["authorizer"] = authorizer
    return {
        "resource": call.resource_path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": dict(call.path_parameters) or None,
        "stageVariables": dict(call.stage_variables) or None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }


def v2_event(call: IntegrationCall) -> dict[str, Any]:
    """The payload format 2.0 event (HTTP API)."""
    request = call.request
    shape = _shape(call, _V2)
    headers = _event_headers(call, shape, _V2)
    raw_path = request.path
    if "%" in raw_path:
        raw_path = unquote(raw_path)
    if call.stage != "$default":
        raw_path = f"/{call.stage}{raw_path}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": call.route_key,
        "rawPath": raw_path,
        "rawQueryString": request.raw_query_string,
    }
    if shape.cookies:
        event["cookies"] = shape.cookies.copy()
    event["headers"] = headers
    if request.query:
        query: dict[str, str] = {}
        for name, value in request.query:
            query[name] = f"{query[name]},{value}" if name in query else value
        event["queryStringParameters"] = query
    context: dict[str, Any] = {"accountId": ACCOUNT_ID, "apiId": call.api_id}
    if call.auth is not None:
        authorizer = _v2_authorizer(call)
        if authorizer is not None:
            context["authorizer"] = authorizer
    where = (call.domain_name, call.route_key, call.stage)
    template = _V2_CONTEXTS.get(where)
    if template is None:
        template = _v2_context(call, where)
    context.update(template)  # the per-route parts are in place; fill in this request's
    context["http"] = {
        "method": request.method,
        "path": raw_path,
        "protocol": request.protocol,
        "sourceIp": request.source_ip,
        "userAgent": shape.user_agent if shape.user_agent is not None else "",
    }
    context["requestId"] = call.extended_request_id
    context["time"] = format_request_time(call.request_time)
    context["timeEpoch"] = int(call.request_time * 1000)
    if call.path_parameters:
        event["pathParameters"] = dict(call.path_parameters)
    event["requestContext"] = context
    if call.stage_variables:
        event["stageVariables"] = dict(call.stage_variables)
    body = request.body
    if body:
        if _is_text(request.headers.get("Content-Type"), body):
            event["body"] = body.decode("utf-8", "replace")
            event["isBase64Encoded"] = False
        else:
            event["body"] = base64.b64encode(body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event
