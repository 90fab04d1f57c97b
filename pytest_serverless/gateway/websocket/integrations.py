"""Backends of WebSocket routes: Lambda proxy (a Python handler), MOCK and HTTP.

Each returns an ``Outcome``: the integration's status and body (what a two-way route sends back), or a
failure (the handler raised, answered something Lambda cannot serialise, or ran past the route's timeout).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UnemulatedCall, UsageError
from pytest_serverless.gateway.integrations.builders import IntegrationObject
from pytest_serverless.gateway.integrations.lambda_proxy import MalformedProxyResponse as _Malformed
from pytest_serverless.gateway.integrations.lambda_proxy import proxy_status
from pytest_serverless.lambdas import FunctionTimedOut, invoke_handler

__all__ = ["HttpRoute", "LambdaRoute", "MockRoute", "Outcome", "RouteIntegration", "build"]


@dataclass(slots=True)
class Outcome:
    """``failure``: ``None``, ``"EXECUTION"`` (raised or malformed) or ``"TIMEOUT"``."""

    status: int = 200
    body: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    failure: str | None = None
    error: BaseException | None = None
    latency: float = 0.0


class RouteIntegration:
    """What every WebSocket integration offers (``kind`` names it in logs and reports)."""

    kind = "custom"
    wants_event = False

    def invoke(
        self, event: dict[str, Any] | None, body: str, headers: list[tuple[str, str]], call: InvokeCall
    ) -> Outcome:
        raise NotImplementedError


@dataclass(slots=True)
class InvokeCall:
    """The invocation's ids and limits."""

    invocation_id: str
    clock: VirtualClock
    timeout: float
    event_type: str


_SIMPLE = frozenset({"statusCode", "body"})


def _status(value: Any) -> int:
    return 200 if value is None else proxy_status(value)


def proxy_answer(result: Any) -> tuple[int, str | None, list[tuple[str, str]]]:
    """(status, body, headers) of a Lambda proxy answer on a WebSocket route."""
    if result is None:
        return 200, None, []
    if type(result) is dict and ("statusCode" in result or "body" in result or "headers" in result):
        status = _status(result.get("statusCode"))
        body = result.get("body")
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
        headers = result.get("headers") or {}
        if not isinstance(headers, dict):
            raise _Malformed("headers must be an object")
        return (
            status,
            body,
            [(str(k), v if isinstance(v, str) else json.dumps(v)) for k, v in headers.items()],
        )
    return 200, result if isinstance(result, str) else json.dumps(result), []


class LambdaRoute(RouteIntegration):
    """AWS_PROXY: the handler gets AWS's WebSocket event; its answer's ``body`` is the route's response."""

    kind = "lambda_proxy"
    wants_event = True

    def __init__(self, handler: Callable[[Any, Any], Any], function_name: str | None = None) -> None:
        self.handler = handler
        self.function_name = function_name or getattr(handler, "__name__", None) or type(handler).__name__

    def invoke(
        self, event: dict[str, Any] | None, body: str, headers: list[tuple[str, str]], call: InvokeCall
    ) -> Outcome:
        clock = call.clock
        started = clock.time()
        try:
            result, latency = invoke_handler(
                self.handler, event, self.function_name, call.invocation_id, clock, call.timeout
            )
        except UnemulatedCall as exc:  # an AWS call nothing answers: the function fails (the test fails too)
            return Outcome(failure="EXECUTION", error=exc, latency=clock.time() - started)
        except UserCodeFailed as failed:  # the function raised: AWS answers with its error frame
            error = failed.error
            if isinstance(error, FunctionTimedOut):
                return Outcome(failure="EXECUTION", error=error, latency=error.timeout)
            return Outcome(failure="EXECUTION", error=error, latency=clock.time() - started)
        if latency > call.timeout:
            return Outcome(failure="TIMEOUT", latency=latency)
        if type(result) is dict and _SIMPLE.issuperset(result):
            code = result.get("statusCode")
            text = result.get("body")
            if type(code) is int and 100 <= code <= 599 and (text is None or type(text) is str):
                return Outcome(code, text, [], None, None, latency)  # the usual answer, as Lambda sends it
        try:
            status, text, answer_headers = proxy_answer(json.loads(json.dumps(result, allow_nan=False)))
        except (TypeError, ValueError, _Malformed) as exc:
            return Outcome(failure="EXECUTION", error=exc, latency=latency)
        return Outcome(status, text, answer_headers, None, None, latency)


class MockRoute(RouteIntegration):
    """MOCK: ``mock={"statusCode": 200, "body": "..."}`` answered in place."""

    kind = "mock"

    def __init__(self, spec: Mapping[str, Any], where: str) -> None:
        if not isinstance(spec, Mapping) or set(spec) - {"statusCode", "body", "headers"}:
            raise UsageError(
                f"{where}: mock= takes a dict like {{'statusCode': 200, 'body': 'ok'}}, got {spec!r}"
            )
        try:
            self.status = _status(spec.get("statusCode", 200))
        except _Malformed as exc:
            raise UsageError(f"{where}: mock {exc}") from None
        body = spec.get("body")
        self.body = body if body is None or isinstance(body, str) else json.dumps(body)
        self.headers = [(str(k), str(v)) for k, v in dict(spec.get("headers") or {}).items()]

    def invoke(
        self, event: dict[str, Any] | None, body: str, headers: list[tuple[str, str]], call: InvokeCall
    ) -> Outcome:
        return Outcome(self.status, self.body, list(self.headers))


class HttpRoute(RouteIntegration):
    """HTTP_PROXY: the message is POSTed to ``url`` (``$connect``: a GET with the handshake's headers)."""

    kind = "http_proxy"

    def __init__(self, url: str, where: str) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UsageError(f"{where}: http= takes an http:// or https:// URL, got {url!r}")
        self.url = url
        self._session: Any = None

    def invoke(
        self, event: dict[str, Any] | None, body: str, headers: list[tuple[str, str]], call: InvokeCall
    ) -> Outcome:
        import requests  # only HTTP integrations need it

        if self._session is None:
            self._session = requests.Session()
        method = "GET" if call.event_type == "CONNECT" else "POST"
        sent = {k: v for k, v in headers if k.lower() not in ("host", "content-length")}
        try:
            answer = self._session.request(
                method, self.url, headers=sent, data=body.encode("utf-8") or None, timeout=call.timeout
            )
        except requests.Timeout as exc:
            return Outcome(failure="TIMEOUT", error=exc)
        except requests.RequestException as exc:
            return Outcome(failure="EXECUTION", error=exc)
        return Outcome(answer.status_code, answer.text or None, [])


def build(
    where: str,
    handler: Callable[[Any, Any], Any] | None,
    mock: Mapping[str, Any] | None,
    http: str | None,
    integration: RouteIntegration | IntegrationObject | None,
) -> RouteIntegration:
    """The route's integration, from the one of ``handler``, ``mock``, ``http`` and ``integration`` given."""
    given = [
        name
        for name, value in (
            ("handler", handler),
            ("mock", mock),
            ("http", http),
            ("integration", integration),
        )
        if value is not None
    ]
    if len(given) != 1:
        raise UsageError(
            f"{where}: give exactly one integration: a handler, mock=, http= or integration= "
            f"(got {', '.join(given) or 'none'})"
        )
    if handler is not None:
        if not callable(handler):
            raise UsageError(
                f"{where}: the handler must be a function handler(event, context), got {handler!r}"
            )
        return LambdaRoute(handler)
    if mock is not None:
        return MockRoute(mock, where)
    if http is not None:
        return HttpRoute(http, where)
    if isinstance(integration, IntegrationObject):
        return integration._websocket_route(where)
    if not callable(getattr(integration, "invoke", None)):
        raise UsageError(f"{where}: integration= takes an object with invoke(event, body, headers, call)")
    assert integration is not None
    return integration
