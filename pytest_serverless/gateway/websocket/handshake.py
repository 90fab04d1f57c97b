"""The ``$connect`` handshake: ``stage.connect()`` opens a connection the way API Gateway does.

In AWS's order: throttling (route, stage, account), the ``$connect`` route's authorizer (``authorization``),
its API key and usage plan, then its integration; a 2XX answer opens the connection (101) and its headers go
into the handshake's answer; anything else refuses it with that status (401/403 authorization, 403 API key,
429 throttled or over quota, 502 a failing integration, 504 past the route's timeout).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.error_responses import REST_ERRORS
from pytest_serverless.gateway.request import Headers, Response, parse_query

from .authorization import authorize_connect
from .client import WebSocketClient
from .connection import Connection, FrameRequest
from .proxy_events import authorizer_context

if TYPE_CHECKING:
    from .model import WebSocketRoute
    from .stage import WebSocketStage

__all__ = ["REFUSALS", "open_connection"]


class _Handshake(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: str | None
    authorizer_status: int | None
    error: Any  # an exception or why, in words
    latency: float | None
    answered_by: str  # the step that answered: throttle, authorizer, api_key, quota, integration, websocket


#: a refusal for an API key, a usage plan or a throttle -> (status, message), on $connect and on messages
REFUSALS = {
    "INVALID_API_KEY": (403, "Forbidden"),
    "THROTTLED": (429, "Too Many Requests"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded"),
}


def open_connection(
    stage: WebSocketStage, headers: Mapping[str, str] | None, params: Mapping[str, Any] | str | None
) -> WebSocketClient:
    """Open a connection (the ``$connect`` route runs); ``ws.status_code`` is 101 when accepted."""
    if headers is not None and not isinstance(headers, Mapping):
        raise UsageError(f"stage.connect(headers=...) takes a dict, got {type(headers).__name__}")
    if params is not None and not isinstance(params, (Mapping, str)):
        raise UsageError(f"stage.connect(params=...) takes a dict, got {type(params).__name__}")
    gateway = stage.api.gateway
    clock = gateway.clock
    now = clock.time()
    client = WebSocketClient(stage)
    request_id = gateway._next_request_ids("HTTP")[0]
    connection_id = stage._short_id(stage._heads[0])
    domain = stage.domain_name
    given = [(str(k), str(v)) for k, v in (headers or {}).items()]
    given_names = {name.lower() for name, _ in given}
    pairs: list[tuple[str, str]] = [] if "host" in given_names else [("Host", domain)]
    pairs.extend(given)
    for name, value in (
        ("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
        (
            "Sec-WebSocket-Key",
            base64.b64encode(hashlib.sha256(connection_id.encode()).digest()[:16]).decode(),
        ),
        ("Sec-WebSocket-Version", "13"),
        ("X-Amzn-Trace-Id", f"Root=1-{int(now):08x}-{request_id[:12].encode().hex()}"),
        ("X-Forwarded-For", "198.51.100.1"),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
    ):
        if name.lower() not in given_names:
            pairs.append((name, value))
    query = _query(params)
    connection = Connection(
        connection_id,
        api_id=stage.api.id,
        stage_name=stage.name,
        domain_name=domain,
        headers=pairs,
        query=query,
        source_ip="198.51.100.1",
        now=now,
        client=client,
    )
    client._connection = connection
    client.connection_id = connection_id
    stage.connections[connection_id] = connection
    status, answer_headers, body, authorizer_status, error, latency, answered_by = _answer(
        stage, connection, request_id
    )
    client.status_code = status
    response_headers = Headers(
        [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id), *answer_headers]
    )
    if status == 101:
        connection.state = "OPEN"
        response_headers = Headers([*answer_headers, ("Connection", "upgrade"), ("Upgrade", "websocket")])
        stage._watch()
    else:
        connection.state = "CLOSED"
        del stage.connections[connection_id]
        client._connection = None
        client.connection_id = None
    reason = (
        None
        if error is None
        else f"{type(error).__name__}: {error}"
        if isinstance(error, BaseException)
        else str(error)
    )
    response = Response(
        status,
        response_headers,
        (body or "").encode("utf-8"),
        answered_by,
        request_id,
        "$connect",
        None,
        error if isinstance(error, BaseException) else None,
        reason,
    )
    client.response = response
    stage.metrics["ConnectCount"] += 1
    latency_ms = None if latency is None else round(latency * 1000)
    stage._log(
        request_id,
        connection_id,
        "CONNECT",
        "$connect",
        None,
        status,
        latency_ms,
        authorizer_status,
        reason,
    )
    listener = gateway.on_response
    if listener is not None:
        request = FrameRequest(
            "CONNECT",
            "$connect",
            Headers(list(pairs)),
            list(query),
            domain_name=domain,
            event_type="CONNECT",
        )
        response.request = request
        listener(request, response)
    return client


def _answer(stage: WebSocketStage, connection: Connection, request_id: str) -> _Handshake:
    """The handshake's answer, in AWS's order: throttling, authorizer, API key, integration."""
    route = stage.routes.get("$connect")
    refusal = stage._throttled(route)
    if refusal is not None:
        stage.metrics["ClientError"] += 1
        return _Handshake(429, [], '{"message":"Too Many Requests"}', None, refusal, None, "throttle")
    _take_header_api_key(connection)
    if route is None:
        return _Handshake(101, [], None, None, None, None, "websocket")
    authorizer_status = None
    if route.authorizer is not None:
        denied = _authorize(stage, connection, route.authorizer, request_id)
        if denied is not None:
            return denied
        authorizer_status = 200
    if route.api_key_required:
        problem = stage._key_problem(connection)
        if problem is not None:
            return _key_refusal(stage, problem, authorizer_status)
    return _run_connect(stage, route, connection, request_id, authorizer_status)


def _take_header_api_key(connection: Connection) -> None:
    """The ``x-api-key`` header (the last one) is the connection's API key and its identity's."""
    header_key = next((v for k, v in reversed(connection.headers) if k.lower() == "x-api-key"), None)
    connection.api_key = header_key
    if header_key is not None:
        connection.identity["apiKey"] = header_key


def _authorize(
    stage: WebSocketStage, connection: Connection, authorizer: Any, request_id: str
) -> _Handshake | None:
    """Run the ``$connect`` route's authorizer: its refusal, or None with what it allowed recorded on
    ``connection`` (identity, authorizer context, API key when the API takes it from the authorizer)."""
    api = stage.api
    if isinstance(authorizer, str):
        authorizer = (api.authorizers if stage.auto_deploy else stage._authorizers)[authorizer]
    decision = authorize_connect(stage, connection, authorizer, request_id)
    if decision.response_type is not None:
        status, _, default, _, _ = REST_ERRORS.get(
            decision.response_type, REST_ERRORS["API_CONFIGURATION_ERROR"]
        )
        message = decision.message or default
        stage.metrics["ClientError"] += 1
        body = '{"message": null}' if message is None else json.dumps({"message": message})
        why = decision.reason or decision.response_type
        return _Handshake(status, [], body, status, why, None, "authorizer")
    if decision.identity:
        connection.identity.update(decision.identity)
    if decision.principal_id is not None or decision.context:
        connection.authorizer = authorizer_context(
            decision.principal_id, dict(decision.context), decision.latency
        )
    if api.api_key_source == "AUTHORIZER":
        connection.api_key = decision.usage_identifier_key
    return None


def _key_refusal(
    stage: WebSocketStage, problem: tuple[str, str], authorizer_status: int | None
) -> _Handshake:
    """The handshake refused for its API key or usage plan (403, or 429 over a quota or throttle)."""
    stage.metrics["ClientError"] += 1
    status, text = REFUSALS[problem[0]]
    body = json.dumps({"message": text})
    step = "api_key" if status == 403 else "quota" if problem[0] == "QUOTA_EXCEEDED" else "throttle"
    return _Handshake(status, [], body, authorizer_status, problem[1], None, step)


def _run_connect(
    stage: WebSocketStage,
    route: WebSocketRoute,
    connection: Connection,
    request_id: str,
    authorizer_status: int | None,
) -> _Handshake:
    """Invoke the ``$connect`` integration: a 2XX answer accepts (101, its headers kept), anything else
    refuses with that status; a failure 502, past the route's timeout 504."""
    metrics = stage.metrics
    outcome = stage._invoke(route, connection, "CONNECT", "", request_id, stage.api.gateway.clock.time())
    latency = outcome.latency
    if outcome.failure is not None:
        metrics["ExecutionError"] += 1
        timed_out = outcome.failure == "TIMEOUT"
        body = json.dumps({"message": "Endpoint request timed out" if timed_out else "Internal server error"})
        failure: Any = outcome.error or f"the $connect integration ran past {route.timeout:g} s"
        status = 504 if timed_out else 502
        return _Handshake(status, [], body, authorizer_status, failure, latency, "integration")
    if not 200 <= outcome.status < 300:
        metrics["IntegrationError"] += 1
        why = f"the $connect integration answered {outcome.status}"
        return _Handshake(
            outcome.status, outcome.headers, outcome.body, authorizer_status, why, latency, "integration"
        )
    return _Handshake(101, outcome.headers, None, authorizer_status, None, latency, "integration")


def _query(params: Mapping[str, Any] | str | None) -> list[tuple[str, str]]:
    if params is None:
        return []
    if isinstance(params, str):
        return parse_query(params.lstrip("?"))
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs.extend((str(key), str(item)) for item in values if item is not None)
    return pairs
