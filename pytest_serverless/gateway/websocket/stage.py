"""A deployed WebSocket stage: connections, route selection, integrations, limits, logs and metrics.

What API Gateway does, in order:

* ``$connect`` (``stage.connect``): throttling, API key, authorizer (``authorization``), the ``$connect``
  integration; a 2XX answer opens the connection (101), anything else refuses it with that status;
* each message: size limits (a frame over 32 KB or a message over 128 KB closes the connection with 1009),
  route selection (``$default`` when the expression cannot be evaluated or no route matches; without
  ``$default`` AWS's ``Forbidden`` error frame), throttling, API key, the integration; a failing integration
  gets AWS's ``Internal server error`` frame and the connection stays open; a two-way route sends the
  integration's answer back;
* ``$disconnect`` when the client or the server closes, or a limit is reached on the virtual clock (10 minutes
  idle, 2 hours in all).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import execute_api_domain
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.request import Headers, Response
from pytest_serverless.gateway.stages import RouteBuckets, check_route_throttles, check_variables
from pytest_serverless.gateway.throttling import TokenBucket, check_throttle

from . import connections
from .client import WebSocketClient
from .connection import Connection, FrameRequest
from .handshake import REFUSALS, open_connection
from .integrations import InvokeCall, Outcome
from .proxy_events import connect_event, disconnect_event, message_event

if TYPE_CHECKING:
    from .model import WebSocketApi, WebSocketRoute

__all__ = ["MAX_FRAME", "MAX_MESSAGE", "WebSocketStage"]

MAX_FRAME = 32 * 1024  # bytes (AWS quota: WebSocket frame size)
MAX_MESSAGE = 128 * 1024  # bytes (AWS quota: message payload size)
IDLE_TIMEOUT = 600.0  # seconds without traffic
MAX_DURATION = 7200.0  # seconds a connection may last
TOO_BIG = 1009  # close code for a frame or message over the limits
GOING_AWAY = 1001

LOG_FIELDS = (
    "requestId",
    "connectionId",
    "eventType",
    "routeKey",
    "messageId",
    "status",
    "integrationLatency",
    "authorizerStatus",
    "reason",  # why: a refusal, a failure, or what closed the connection (never sent to the client)
)


def _metrics() -> dict[str, float]:
    return {
        "ConnectCount": 0,
        "MessageCount": 0,
        "IntegrationError": 0,
        "ClientError": 0,
        "ExecutionError": 0,
        "IntegrationLatency": 0.0,
    }


def _error_frame(message: str, connection_id: str, request_id: str) -> str:
    """AWS's error frame (spacing as AWS sends it)."""
    return f'{{"message": "{message}", "connectionId":"{connection_id}", "requestId":"{request_id}"}}'


class WebSocketStage:
    """A stage of a WebSocket API: ``connect()``, ``post_to_connection()``, ``get_connection()``,
    ``delete_connection()``, ``logs``, ``metrics``, ``connection_ids``."""

    def __init__(self, api: WebSocketApi, name: str, settings: Mapping[str, Any] | None = None) -> None:
        """A stage of ``api`` with its current routes and ``settings`` (``configure``'s keywords; AWS's
        defaults for those not given)."""
        self.api = api
        self.name = name
        self.connections: dict[str, Connection] = {}  # connecting and open connections by id
        self._log_rows: list[tuple[Any, ...]] = []
        self._logs: list[dict[str, Any]] = []
        self.metrics: dict[str, float] = _metrics()
        self._unsubscribe: Any = None
        self._checking = False
        seed = hashlib.sha256(f"{api.id}/{name}".encode()).digest()
        self._heads = (seed[:7], seed[7:14])
        self._numbers = itertools.count(1)
        self.configure(**(settings or {}))

    # configuration --------------------------------------------------------------------------------------
    def configure(
        self,
        *,
        throttle: tuple[float, int] | None = None,
        variables: Mapping[str, str] | None = None,
        route_throttles: Mapping[str, tuple[float, int]] | None = None,
        auto_deploy: bool = False,
    ) -> None:
        """Replace the stage's settings and publish the API's current routes and authorizers to it
        (``api.deploy`` passes its own); ``auto_deploy=True``: the stage follows later changes."""
        where = f"stage {self.name!r}"
        clock = self.api.gateway.clock
        self.throttle = check_throttle(throttle, where) if throttle is not None else None
        self._bucket = TokenBucket(*self.throttle, clock.time()) if self.throttle else None
        self.route_throttles = check_route_throttles(route_throttles, where)
        self._route_buckets = RouteBuckets(self.route_throttles, clock)
        self.variables = check_variables(variables, where)
        self.auto_deploy = bool(auto_deploy)
        self._routes = dict(self.api.routes)
        self._custom_keys = any(key[:1] != "$" for key in self._routes)
        self._authorizers = dict(self.api.authorizers)

    @property
    def routes(self) -> Mapping[str, WebSocketRoute]:
        """The routes the stage serves: those deployed, or the API's current ones with ``auto_deploy``."""
        return self.api.routes if self.auto_deploy else self._routes

    @property
    def domain_name(self) -> str:
        """``{api-id}.execute-api.us-east-1.amazonaws.com``: the host the stage's events name."""
        return execute_api_domain(self.api.id)

    @property
    def url(self) -> str:
        """``wss://{api-id}.execute-api.us-east-1.amazonaws.com/{stage}``"""
        return f"wss://{self.domain_name}/{self.name}"

    @property
    def callback_url(self) -> str:
        """The @connections endpoint: ``https://{api-id}.execute-api.us-east-1.amazonaws.com/{stage}``."""
        return f"https://{self.domain_name}/{self.name}"

    @property
    def connection_ids(self) -> list[str]:
        """The ids of the open connections, oldest first."""
        return [cid for cid, connection in self.connections.items() if connection.state == "OPEN"]

    @property
    def logs(self) -> list[dict[str, Any]]:
        """One dict per route invocation: ``requestId``, ``connectionId``, ``eventType``, ``routeKey``,
        ``messageId``, ``status``, ``integrationLatency`` (ms), ``authorizerStatus``, ``reason``."""
        rows = self._log_rows
        if rows:
            self._logs.extend(dict(zip(LOG_FIELDS, row, strict=True)) for row in rows)
            rows.clear()
        return self._logs

    @contextmanager
    def serve_http(self, port: int | None = None) -> Iterator[str]:
        """A real server on 127.0.0.1 (a free port, or ``port``): WebSocket clients connect to the
        ``ws://`` URL it yields (the stage's root); closed, with every connection, when the block ends."""
        from pytest_serverless.gateway.serving import serve_http
        from pytest_serverless.gateway.serving_websocket import websocket_upgrade

        with serve_http(self, port, upgrade=websocket_upgrade(self)) as base_url:
            yield "ws://" + base_url.removeprefix("http://")

    def client(self) -> None:
        """WebSocket stages have no HTTP client: ``stage.connect()`` opens a connection."""
        raise UsageError(
            f"stage {self.name!r} of WebSocket API {self.api.name!r} has no HTTP client; open a connection "
            "with stage.connect(headers=..., params=...) and use ws.send() / ws.receive()"
        )

    # the @connections API ------------------------------------------------------------------------------
    def post_to_connection(self, connection_id: str, data: str | bytes) -> None:
        """Send ``data`` to a client: ``AwsError`` GoneException (410) when the connection is not open,
        PayloadTooLargeException (413) over 131,072 bytes."""
        connections.post_to_connection(self, connection_id, data)

    def get_connection(self, connection_id: str) -> dict[str, Any]:
        """``{"ConnectedAt", "Identity": {"SourceIp", "UserAgent"}, "LastActiveAt"}``; GoneException if
        gone."""
        return connections.get_connection(self, connection_id)

    def delete_connection(self, connection_id: str) -> None:
        """Disconnect a client (its ``$disconnect`` route runs); GoneException when gone."""
        connections.delete_connection(self, connection_id)

    # ids ------------------------------------------------------------------------------------------------
    def _short_id(self, head: bytes) -> str:
        """A 16-character id shaped like AWS's connection and message ids (``L0SM9cOFvHcCIhw=``)."""
        number = (next(self._numbers) * 0x9E3779B1) & 0xFFFFFFFF
        return base64.b64encode(head + number.to_bytes(4, "big")).decode()

    # $connect -------------------------------------------------------------------------------------------
    def connect(
        self, headers: Mapping[str, str] | None = None, params: Mapping[str, Any] | None = None
    ) -> WebSocketClient:
        """Open a connection (the ``$connect`` route runs); ``ws.status_code`` is 101 when accepted."""
        return open_connection(self, headers, params)

    def _key_problem(self, connection: Connection) -> tuple[str, str] | None:
        key = connection.api_key
        plan = self.api._plan_for_key(key, self.name) if key else None
        if plan is None or key is None:
            source = "x-api-key header" if self.api.api_key_source == "HEADER" else "usageIdentifierKey"
            why = (
                f"the route requires an API key and there is no {source}"
                if not key
                else (f"API key {key!r} is not an enabled key of a usage plan of stage {self.name!r}")
            )
            return "INVALID_API_KEY", why
        verdict = plan.take(key)
        if verdict is not None:
            return verdict, f"usage plan {plan.name!r}: {verdict.lower().replace('_', ' ')}"
        return None

    def _throttled(self, route: WebSocketRoute | None) -> str | None:
        now = self.api.gateway.clock.time()
        if route is not None and (route.throttle is not None or self.route_throttles):
            bucket = self._route_buckets.bucket(route.route_key, route.throttle)
            if bucket is not None and not bucket.take(now):
                return f"route {route.route_key!r}: throttle ({bucket.rate:g}/s, burst {bucket.burst})"
        bucket = self._bucket
        if bucket is not None and not bucket.take(now):
            return f"stage {self.name!r}: throttle ({bucket.rate:g}/s, burst {bucket.burst})"
        bucket = self.api.gateway._account_bucket()
        if not bucket.take(now):
            return f"account limit: throttle ({bucket.rate:g}/s, burst {bucket.burst})"
        return None

    def _invoke(
        self,
        route: WebSocketRoute,
        connection: Connection,
        event_type: str,
        body: str,
        request_id: str,
        now: float,
        message_id: str | None = None,
        close: tuple[int, str] | None = None,
    ) -> Outcome:
        integration = route.integration
        event = None
        if integration.wants_event:
            if event_type == "MESSAGE":
                event = message_event(
                    connection, route.route_key, body, request_id, message_id or "", now, self.variables
                )
            elif event_type == "CONNECT":
                event = connect_event(connection, request_id, now, self.variables)
            else:
                code, reason = close or (1000, "")
                event = disconnect_event(connection, request_id, now, code, reason, self.variables)
        invocation = self.api.gateway._next_request_ids("HTTP")[2]
        headers = connection.headers if event_type == "CONNECT" else []
        outcome = integration.invoke(
            event, body, headers, InvokeCall(invocation, self.api.gateway.clock, route.timeout, event_type)
        )
        if outcome.latency > route.timeout and outcome.failure is None:
            outcome = Outcome(failure="TIMEOUT", latency=outcome.latency)
        self.metrics["IntegrationLatency"] += round(outcome.latency * 1000)
        return outcome

    # messages -------------------------------------------------------------------------------------------
    def _receive(self, connection: Connection, body: str, frame_size: int | None) -> None:
        """A message from the client of ``connection`` (called by ``ws.send``): size limits, route selection,
        throttling and API key, the integration, the answer of a two-way route."""
        now = self.api.gateway.clock.time()
        connection.last_active = now
        self.metrics["MessageCount"] += 1
        if self._closed_for_size(connection, body, frame_size):
            return
        key, route = self._select_route(body)
        request_id = self.api.gateway._next_request_ids("HTTP")[0]
        message_id = self._short_id(self._heads[1])
        if route is None:
            self._refuse_unrouted(connection, key, request_id, message_id)
        elif not self._refused(route, connection, request_id, message_id):
            self._run_message(route, connection, body, request_id, message_id, now)

    def _closed_for_size(self, connection: Connection, body: str, frame_size: int | None) -> bool:
        """Close ``connection`` (1009) when the message or its frame is over AWS's limits; whether it was."""
        size = len(body) if body.isascii() else len(body.encode("utf-8"))
        frame = size if frame_size is None else min(size, frame_size)
        if frame <= MAX_FRAME and size <= MAX_MESSAGE:
            return False
        what = f"a frame of {frame} bytes" if frame > MAX_FRAME else f"a message of {size} bytes"
        self._close(
            connection,
            TOO_BIG,
            "Message too big",
            why=f"{what} (limits: {MAX_FRAME} per frame, {MAX_MESSAGE} per message)",
        )
        return True

    def _select_route(self, body: str) -> tuple[str | None, WebSocketRoute | None]:
        """The key the route selection expression gives (None: not evaluated or not evaluable) and the
        route that answers: that key's route, else ``$default``, else None."""
        routes = self.routes
        if self.auto_deploy or self._custom_keys:  # with $default alone, nothing needs the body read
            key = self.api.selector.select(body)
            route = routes.get(key) if key is not None and key[:1] != "$" else None
        else:
            key, route = None, None
        return key, route if route is not None else routes.get("$default")

    def _refuse_unrouted(
        self, connection: Connection, key: str | None, request_id: str, message_id: str
    ) -> None:
        """No route for the message: AWS's ``Forbidden`` error frame (the connection stays open)."""
        self.metrics["ClientError"] += 1
        if key is not None:
            why = f"no route matches {key!r} and the API has no $default route"
        elif self.auto_deploy or self._custom_keys:
            why = "the route selection expression cannot be evaluated on this message and the API has no "
            why += "$default route"
        else:
            why = "the API has no route for messages (no $default and no custom route)"
        cid = connection.id
        self._deliver(connection, _error_frame("Forbidden", cid, request_id))
        self._log(request_id, cid, "MESSAGE", key, message_id, 403, None, None, why)
        self._report("MESSAGE", key or "(unselected)", 403, request_id, why, matched=False)

    def _refused(
        self, route: WebSocketRoute, connection: Connection, request_id: str, message_id: str
    ) -> bool:
        """Throttling, then the route's API key and usage plan: send the refusal's error frame; whether the
        message was refused."""
        refusal = self._throttled(route)
        if refusal is None and not route.api_key_required:
            return False
        problem = ("THROTTLED", refusal) if refusal is not None else self._key_problem(connection)
        if problem is None:
            return False
        self.metrics["ClientError"] += 1
        status, text = REFUSALS.get(problem[0], REFUSALS["THROTTLED"])
        cid, route_key = connection.id, route.route_key
        self._deliver(connection, _error_frame(text, cid, request_id))
        self._log(request_id, cid, "MESSAGE", route_key, message_id, status, None, None, problem[1])
        self._report("MESSAGE", route_key, status, request_id, problem[1])
        return True

    def _run_message(
        self,
        route: WebSocketRoute,
        connection: Connection,
        body: str,
        request_id: str,
        message_id: str,
        now: float,
    ) -> None:
        """Invoke the route's integration; send its answer (two-way routes) or AWS's error frame."""
        outcome = self._invoke(route, connection, "MESSAGE", body, request_id, now, message_id)
        latency = round(outcome.latency * 1000)
        cid, route_key = connection.id, route.route_key
        if outcome.failure is not None:
            self.metrics["ExecutionError"] += 1
            status = 504 if outcome.failure == "TIMEOUT" else 500
            text = "Endpoint request timed out" if status == 504 else "Internal server error"
            error = outcome.error
            why = (
                f"{type(error).__name__}: {error}"
                if error is not None
                else f"the integration ran past {route.timeout:g} s"
            )
            if connection.state == "OPEN":
                self._deliver(connection, _error_frame(text, cid, request_id))
            self._log(request_id, cid, "MESSAGE", route_key, message_id, status, latency, None, why)
            self._report("MESSAGE", route_key, status, request_id, why, error)
            return
        status = outcome.status
        if status >= 400:
            self.metrics["IntegrationError"] += 1
        if route.route_response is not None and outcome.body is not None and connection.state == "OPEN":
            self._deliver(connection, outcome.body)
        self._log(request_id, cid, "MESSAGE", route_key, message_id, status, latency, None, None)
        if self.api.gateway.on_response is not None:
            self._report("MESSAGE", route_key, status, request_id, None)

    def _deliver(self, connection: Connection, text: str) -> None:
        """Push one message to the client (route responses, error frames, @connections posts)."""
        connection.client.messages.append(text)
        connection.last_active = self.api.gateway.clock.time()
        self.metrics["MessageCount"] += 1

    # closing --------------------------------------------------------------------------------------------
    def _close(self, connection: Connection, code: int, reason: str, *, why: str | None = None) -> None:
        """Close ``connection`` (client, server or limit) and run ``$disconnect``."""
        if connection.state == "CLOSED":
            return
        connection.state = "CLOSED"
        connection.close_code = code
        connection.close_reason = reason
        client = connection.client
        client.close_code = code
        client.close_reason = reason
        gateway = self.api.gateway
        request_id = gateway._next_request_ids("HTTP")[0]
        route = self.routes.get("$disconnect")
        status, latency, error = 200, None, why
        failure: BaseException | None = None
        if route is not None:
            outcome = self._invoke(
                route, connection, "DISCONNECT", "", request_id, gateway.clock.time(), close=(code, reason)
            )
            latency = round(outcome.latency * 1000)
            if outcome.failure is not None:
                self.metrics["ExecutionError"] += 1
                status = 504 if outcome.failure == "TIMEOUT" else 500
                failure = outcome.error
                error = (
                    f"{type(failure).__name__}: {failure}"
                    if failure is not None
                    else "the $disconnect integration timed out"
                )
            else:
                status = outcome.status
        self.connections.pop(connection.id, None)
        self._log(request_id, connection.id, "DISCONNECT", "$disconnect", None, status, latency, None, error)
        self._report("DISCONNECT", "$disconnect", status, request_id, error, failure)
        if not self.connections and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _watch(self) -> None:
        """Check the idle and duration limits whenever the virtual clock moves."""
        if self._unsubscribe is None:
            self._unsubscribe = self.api.gateway.clock.subscribe(self._check_limits)

    def _check_limits(self, epoch: float) -> None:
        if self._checking:
            return
        self._checking = True
        try:
            for connection in list(self.connections.values()):
                if connection.state != "OPEN":
                    continue
                if epoch - connection.connected_at >= MAX_DURATION:
                    self._close(connection, GOING_AWAY, "Going away", why="the connection reached 2 hours")
                elif epoch - connection.last_active >= IDLE_TIMEOUT:
                    self._close(
                        connection, GOING_AWAY, "Going away", why="the connection was idle for 10 minutes"
                    )
        finally:
            self._checking = False

    # records --------------------------------------------------------------------------------------------
    def _log(
        self,
        request_id: str,
        connection_id: str,
        event_type: str,
        route_key: str | None,
        message_id: str | None,
        status: int,
        latency: float | None,
        authorizer_status: int | None,
        error: str | None,
    ) -> None:
        self._log_rows.append(
            (
                request_id,
                connection_id,
                event_type,
                route_key,
                message_id,
                status,
                latency,
                authorizer_status,
                error,
            )
        )

    def _report(
        self,
        event_type: str,
        route_key: str,
        status: int,
        request_id: str,
        reason: str | None,
        error: BaseException | None = None,
        *,
        matched: bool = True,
    ) -> None:
        """Tell the gateway's ``on_response`` listener (coverage, contracts, hooks) about one invocation."""
        listener = self.api.gateway.on_response
        if listener is None:
            return
        request = FrameRequest(event_type, route_key, domain_name=self.domain_name, event_type=event_type)
        answered = route_key if matched else None
        response = Response(status, Headers(), b"", "websocket", request_id, answered, request, error, reason)
        listener(request, response)

    def __repr__(self) -> str:
        return f"WebSocketStage({self.api.name!r}, {self.name!r})"
