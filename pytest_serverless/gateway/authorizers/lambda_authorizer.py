"""Lambda authorizers (REST TOKEN and REQUEST, HTTP API payload 1.0 and 2.0), with result caching.

What API Gateway does, in order:

1. read the identity sources; a missing or empty one answers 401 without calling the function
   (TOKEN authorizers also check ``validation_regex`` here);
2. look the identity values up in the authorizer cache (TTL on the virtual clock; ``ttl=0`` disables it);
3. otherwise build AWS's event, call the function with a Lambda context and validate its answer;
   raising ``Exception("Unauthorized")`` answers 401, any other exception or a malformed answer 500
   ``AUTHORIZER_CONFIGURATION_ERROR``;
4. evaluate the answer for *this* request: an IAM policy is matched against this method ARN even when it
   comes from the cache (so a policy that allowed one ``{proxy+}`` path denies the others, as on AWS);
   HTTP API simple responses ``{"isAuthorized": bool}`` apply to every route sharing the cache entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pytest_serverless._ids import deterministic_uuid, execute_api_domain
from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.errors import ServerlessError, UsageError
from pytest_serverless.lambdas import invoke_handler

from .base import AuthDecision, AuthorizationCall
from .policy import PolicyError, evaluate_policy

__all__ = ["LambdaAuthorizer"]

AuthorizerType = Literal["TOKEN", "REQUEST"]
_EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"
_IMPLICIT_DENY = "User is not authorized to access this resource"
_MAX_TTL = 3600
_HTTP_API_TIMEOUT = 10.0  # HTTP API Lambda authorizers must answer within 10 seconds (API Gateway quotas)


@dataclass(frozen=True)
class _Source:
    """One identity source: ``kind`` is header, querystring, path, stage or context."""

    kind: str
    name: str
    spelling: str


_PREFIXES = (
    ("method.request.header.", "header"),
    ("method.request.querystring.", "querystring"),
    ("method.request.path.", "path"),
    ("$request.header.", "header"),
    ("$request.querystring.", "querystring"),
    ("$request.path.", "path"),
    ("stageVariables.", "stage"),
    ("$stageVariables.", "stage"),
    ("context.", "context"),
    ("$context.", "context"),
    ("route.request.header.", "header"),  # WebSocket APIs
    ("route.request.querystring.", "querystring"),
)


def _parse_sources(identity_source: str | None, type_: str) -> tuple[_Source, ...]:
    if identity_source is None or not identity_source.strip():
        return ()
    sources: list[_Source] = []
    for raw in identity_source.split(","):
        spelling = raw.strip()
        if not spelling:
            continue
        for prefix, kind in _PREFIXES:
            if spelling.startswith(prefix) and len(spelling) > len(prefix):
                sources.append(_Source(kind, spelling[len(prefix) :], spelling))
                break
        else:
            if spelling.startswith(("$", "method.")):
                raise UsageError(
                    f"LambdaAuthorizer(identity_source=...): cannot read {spelling!r}; use "
                    '"method.request.header.NAME", "method.request.querystring.NAME", "stageVariables.NAME", '
                    '"context.NAME" (REST) or "$request.header.NAME", "$request.querystring.NAME", '
                    '"$stageVariables.NAME", "$context.NAME" (HTTP API) or "route.request.header.NAME", '
                    '"route.request.querystring.NAME" (WebSocket API)'
                )
            sources.append(_Source("header", spelling, spelling))
    if type_ == "TOKEN" and (len(sources) != 1 or sources[0].kind != "header"):
        raise UsageError(
            f"LambdaAuthorizer(type='TOKEN', identity_source={identity_source!r}): a TOKEN authorizer reads "
            'exactly one header, e.g. "Authorization" or "method.request.header.Authorization"'
        )
    return tuple(sources)


@dataclass(frozen=True)
class _Answer:
    """A validated function answer, as cached: re-evaluated against each request's ARN."""

    principal_id: str | None
    policy: Any = None
    is_authorized: bool | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    usage_identifier_key: str | None = None


class _ConfigError(Exception):
    pass


def _aws_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


class LambdaAuthorizer:
    """A Lambda authorizer backed by a Python function ``fn(event, context)``.

    ``LambdaAuthorizer(fn, type="TOKEN", identity_source="Authorization", ttl=300, payload_format="1.0",
    simple_responses=False, validation_regex=None, *, name=None, timeout=None)``

    - ``type``: ``"TOKEN"`` (REST; one header) or ``"REQUEST"``. On an HTTP API every Lambda authorizer is a
      REQUEST authorizer and ``payload_format`` ("1.0" or "2.0") picks the event and answer formats.
    - ``identity_source``: TOKEN: a header name; REQUEST: comma-separated sources in REST spelling
      (``method.request.header.Auth, method.request.querystring.q, stageVariables.v, context.x``) or HTTP API
      spelling (``$request.header.Authorization, $context.routeKey``). Empty: no identity needed, no caching.
    - ``ttl``: seconds a result is cached per identity values (0 disables, at most 3600).
    - ``timeout``: the function's Lambda timeout in seconds; running longer on the virtual clock is an
      authorizer configuration error (500). ``None``: no limit on REST APIs; HTTP APIs always stop waiting
      after 10 seconds (an API Gateway quota).

    Cached results belong to the API the authorizer is attached to: one authorizer object shared by several
    gateways (a module-level constant used by many tests) never answers one from another's cache.
    """

    def __init__(
        self,
        fn: Callable[[Any, Any], Any],
        type: AuthorizerType = "TOKEN",  # noqa: A002 - the API.md spelling
        identity_source: str | None = "Authorization",
        ttl: float = 300,
        payload_format: Literal["1.0", "2.0"] = "1.0",
        simple_responses: bool = False,
        validation_regex: str | None = None,
        *,
        name: str | None = None,
        timeout: float | None = None,
    ) -> None:
        if not callable(fn):
            raise UsageError(f"LambdaAuthorizer(fn) takes a handler function fn(event, context), got {fn!r}")
        if type not in ("TOKEN", "REQUEST"):
            raise UsageError(f'LambdaAuthorizer(type=...) must be "TOKEN" or "REQUEST", got {type!r}')
        if payload_format not in ("1.0", "2.0"):
            raise UsageError(
                f'LambdaAuthorizer(payload_format=...) must be "1.0" or "2.0", got {payload_format!r}'
            )
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 <= ttl <= _MAX_TTL:
            raise UsageError(f"LambdaAuthorizer(ttl=...) takes 0 to {_MAX_TTL} seconds, got {ttl!r}")
        if simple_responses and payload_format != "2.0":
            raise UsageError(
                'LambdaAuthorizer(simple_responses=True) needs payload_format="2.0" (HTTP APIs only)'
            )
        if validation_regex is not None and type != "TOKEN":
            raise UsageError("LambdaAuthorizer(validation_regex=...) applies to TOKEN authorizers only")
        self.fn = fn
        self.type: AuthorizerType = type
        self.identity_source = identity_source
        self.sources = _parse_sources(identity_source, type)
        if ttl > 0 and not self.sources:
            raise UsageError(
                "LambdaAuthorizer: caching (ttl > 0) needs at least one identity source; pass ttl=0 to call "
                "the function on every request"
            )
        self.ttl = float(ttl)
        self.payload_format = payload_format
        self.simple_responses = simple_responses
        self.validation_regex = re.compile(validation_regex) if validation_regex else None
        self.name: str = name or str(getattr(fn, "__name__", "authorizer"))
        self.timeout = timeout
        # results of calls built by hand; a gateway hands each call its API's own cache (``call.cache``)
        self._cache: dict[Any, Any] = {}
        self._generation = 0
        self.invocations = 0

    def clear_cache(self) -> None:
        """Forget every cached result (as redeploying the stage does), on every API this authorizer serves."""
        self._cache.clear()
        self._generation += 1

    # -- identity sources ------------------------------------------------------------------------------

    def _value(self, source: _Source, call: AuthorizationCall) -> str | None:
        request = call.request
        joined = call.api_kind == "HTTP"
        if source.kind == "header":
            values = request.headers.get_all(source.name)
        elif source.kind == "querystring":
            values = request.query_values(source.name)
        elif source.kind == "path":
            value = call.path_parameters.get(source.name)
            values = [] if value is None else [value]
        elif source.kind == "stage":
            value = call.stage_variables.get(source.name)
            values = [] if value is None else [value]
        else:
            value = self._context_variable(source.name, call)
            values = [] if value is None else [value]
        if not values:
            return None
        return ",".join(values) if joined else values[-1]

    @staticmethod
    def _context_variable(name: str, call: AuthorizationCall) -> str | None:
        request = call.request
        table = {
            "routeKey": call.route_key,
            "httpMethod": request.method,
            "stage": call.stage,
            "apiId": call.api_id,
            "requestId": call.request_id,
            "resourcePath": call.resource_path,
            "path": request.path,
            "accountId": call.account_id,
            "domainName": request.domain_name or None,
            "identity.sourceIp": request.source_ip,
            "sourceIp": request.source_ip,
            "identity.userAgent": request.headers.get("User-Agent"),
            "protocol": request.protocol,
        }
        return table.get(name)

    # -- the pipeline --------------------------------------------------------------------------------

    def authorize(self, call: AuthorizationCall) -> AuthDecision:
        """Call the authorizer function with the identity sources (cached per TTL) and apply its answer."""
        values = self._identity(call)
        if isinstance(values, AuthDecision):
            return values
        if self.validation_regex is not None and not self.validation_regex.fullmatch(values[0]):
            return AuthDecision(
                response_type="UNAUTHORIZED", reason="the token does not match validation_regex"
            )
        key = (self._generation, call.api_id, call.stage, tuple(values))
        cache = self._cache if call.cache is None else call.cache
        now = call.clock.time()
        if self.ttl > 0:
            cached = cache.get(key)
            if cached is not None and now < cached[0]:
                return self._evaluate(cached[1], call, cached=True, latency=0.0)
            cache.pop(key, None)
        event = self._event(call, values)
        self.invocations += 1
        timeout = self.timeout
        if call.api_kind == "HTTP":
            timeout = _HTTP_API_TIMEOUT if timeout is None else min(timeout, _HTTP_API_TIMEOUT)
        limit = "the HTTP API limit of" if timeout == _HTTP_API_TIMEOUT else "its"
        ran = self._answer(event, call, timeout, now, limit=limit)
        if isinstance(ran, AuthDecision):
            return ran
        answer, latency = ran
        if self.ttl > 0:
            cache[key] = (call.clock.time() + self.ttl, answer)
        return self._evaluate(answer, call, cached=False, latency=latency)

    def _identity(self, call: AuthorizationCall) -> list[str] | AuthDecision:
        """The identity sources' values, or the UNAUTHORIZED decision naming the first one missing."""
        values: list[str] = []
        for source in self.sources:
            value = self._value(source, call)
            if value is None or value == "":
                return AuthDecision(
                    response_type="UNAUTHORIZED", reason=f"missing identity source {source.spelling}"
                )
            values.append(value)
        return values

    def _answer(
        self,
        event: dict[str, Any],
        call: AuthorizationCall,
        timeout: float | None,
        started: float,
        *,
        limit: str = "its",
        raise_misuse: bool = False,
        malformed: tuple[type[Exception], ...] = (_ConfigError,),
    ) -> tuple[_Answer, float] | AuthDecision:
        """Call the function and read its answer: ``(answer, latency)``, or the decision when it raised, ran
        past ``timeout`` (``limit`` names whose: ``"its"``) or answered something ``malformed``."""
        ran = self._invoke(event, call, timeout, started, raise_misuse=raise_misuse)
        if isinstance(ran, AuthDecision):
            return ran
        result, latency = ran
        if timeout is not None and latency > timeout:
            return AuthDecision(
                response_type="AUTHORIZER_CONFIGURATION_ERROR",
                latency=latency,
                reason=f"the authorizer ran {latency:g} s, past {limit} {timeout:g} s timeout",
            )
        try:
            return self._parse(result, call), latency
        except malformed as exc:
            return AuthDecision(
                response_type="AUTHORIZER_CONFIGURATION_ERROR", latency=latency, reason=str(exc)
            )

    def _invoke(
        self,
        event: dict[str, Any],
        call: AuthorizationCall,
        timeout: float | None,
        started: float,
        *,
        raise_misuse: bool = False,
    ) -> tuple[Any, float] | AuthDecision:
        """Call the function as Lambda would: ``(result, latency)``, or the gateway's decision when it raised
        or ran past ``timeout``. With ``raise_misuse``, our own errors (``ServerlessError``: an unmocked task,
        an unemulated call) go to the test instead of becoming an answer."""
        try:
            return invoke_handler(
                self.fn,
                event,
                function_name=self.name,
                request_id=deterministic_uuid(call.request_id, "authorizer", self.name),
                clock=call.clock,
                timeout_seconds=timeout if timeout is not None else 900.0,
                lets_through=ServerlessError if raise_misuse else (),
            )
        except UserCodeFailed as failed:  # the function's own failure becomes a gateway answer, as on AWS
            exc = failed.error
            latency = call.clock.time() - started
            if str(exc) == "Unauthorized":
                return AuthDecision(
                    response_type="UNAUTHORIZED", latency=latency, reason="the authorizer raised Unauthorized"
                )
            return AuthDecision(
                response_type="AUTHORIZER_CONFIGURATION_ERROR",
                latency=latency,
                reason=f"the authorizer raised {type(exc).__name__}: {exc}",
            )

    def _parse(self, result: Any, call: AuthorizationCall) -> _Answer:
        try:
            json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise _ConfigError(f"the authorizer's answer is not JSON: {exc}") from None
        if not isinstance(result, dict):
            raise _ConfigError(f"the authorizer answered {type(result).__name__}, not a JSON object")
        any_context = call.api_kind == "HTTP" and self.payload_format == "2.0"
        context = result.get("context")
        if context is None:
            context = {}
        if not isinstance(context, dict):
            raise _ConfigError("the authorizer's context must be a JSON object")
        if not any_context:
            for name, value in context.items():
                if isinstance(value, (dict, list)):
                    raise _ConfigError(
                        f"the authorizer's context value {name!r} is a {type(value).__name__}: "
                        "only strings, numbers and booleans are allowed"
                    )
        if self.simple_responses and call.api_kind == "HTTP":
            authorized = result.get("isAuthorized")
            if not isinstance(authorized, bool):
                raise _ConfigError('a simple response needs "isAuthorized": true or false')
            return _Answer(principal_id=None, is_authorized=authorized, context=context)
        principal = result.get("principalId")
        if principal is None or isinstance(principal, (dict, list)):
            raise _ConfigError("the authorizer's answer has no principalId")
        policy = result.get("policyDocument")
        try:
            evaluate_policy(policy, call.method_arn)
        except PolicyError as exc:
            raise _ConfigError(str(exc)) from None
        usage_key = result.get("usageIdentifierKey")
        if usage_key is not None and not isinstance(usage_key, str):
            raise _ConfigError("usageIdentifierKey must be a string")
        return _Answer(str(principal), policy=policy, context=context, usage_identifier_key=usage_key)

    def _evaluate(
        self, answer: _Answer, call: AuthorizationCall, *, cached: bool, latency: float
    ) -> AuthDecision:
        common: dict[str, Any] = {
            "principal_id": answer.principal_id,
            "context": dict(answer.context),
            "usage_identifier_key": answer.usage_identifier_key,
            "cached": cached,
            "latency": latency,
        }
        if answer.is_authorized is not None:
            if answer.is_authorized:
                return AuthDecision(**common)
            return AuthDecision(response_type="FORBIDDEN", reason="isAuthorized is false", **common)
        verdict = evaluate_policy(answer.policy, call.method_arn)
        if verdict == "ALLOW":
            return AuthDecision(**common)
        message = _EXPLICIT_DENY if verdict == "DENY" else _IMPLICIT_DENY
        reason = f"{message} ({call.method_arn})"
        if call.api_kind == "HTTP":
            return AuthDecision(response_type="FORBIDDEN", reason=reason, **common)
        return AuthDecision(response_type="ACCESS_DENIED", message=message, reason=reason, **common)

    # -- events ------------------------------------------------------------------------------------------

    def _event(self, call: AuthorizationCall, values: list[str]) -> dict[str, Any]:
        if call.api_kind == "HTTP":
            if self.payload_format == "2.0":
                return self._event_v2(call, values)
            event = {"version": "1.0", **self._event_v1(call)}
            event["identitySource"] = ",".join(values)
            event["authorizationToken"] = ",".join(values)
            return event
        if self.type == "TOKEN":
            return {"type": "TOKEN", "authorizationToken": values[0], "methodArn": call.method_arn}
        return self._event_v1(call)

    @staticmethod
    def _domain(call: AuthorizationCall) -> str:
        return call.request.domain_name or execute_api_domain(call.api_id, call.region)

    def _event_v1(self, call: AuthorizationCall) -> dict[str, Any]:
        request = call.request
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers.items_all():
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in request.query:
            query[name] = value
            multi_query.setdefault(name, []).append(value)
        now = call.clock.time()
        stage_path = request.raw_path.split("?")[0] if request.raw_path else f"/{call.stage}{request.path}"
        return {
            "type": "REQUEST",
            "methodArn": call.method_arn,
            "resource": call.resource_path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": query or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": dict(call.path_parameters) or None,
            "stageVariables": dict(call.stage_variables) or None,
            "requestContext": {
                "path": stage_path,
                "accountId": call.account_id,
                "resourceId": deterministic_uuid(call.api_id, call.resource_path)[:6],
                "stage": call.stage,
                "domainPrefix": call.api_id,
                "requestId": call.request_id,
                "extendedRequestId": deterministic_uuid(call.request_id, "extended")[:16],
                "identity": {
                    "apiKey": request.headers.get("x-api-key"),
                    "sourceIp": request.source_ip,
                    "userAgent": request.headers.get("User-Agent"),
                },
                "resourcePath": call.resource_path,
                "httpMethod": request.method,
                "domainName": self._domain(call),
                "protocol": request.protocol,
                "requestTime": _aws_time(now),
                "requestTimeEpoch": int(now * 1000),
                "apiId": call.api_id,
            },
        }

    def _event_v2(self, call: AuthorizationCall, values: list[str]) -> dict[str, Any]:
        request = call.request
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for name, value in request.headers.items_all():
            lowered = name.lower()
            if lowered == "cookie":
                cookies.extend(part.strip() for part in value.split(";") if part.strip())
                continue
            headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
        query: dict[str, str] = {}
        for name, value in request.query:
            query[name] = f"{query[name]},{value}" if name in query else value
        now = call.clock.time()
        if request.raw_path:
            raw_path = request.raw_path.split("?")[0]
        else:
            raw_path = request.path if call.stage == "$default" else f"/{call.stage}{request.path}"
        event: dict[str, Any] = {
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": call.method_arn,
            "identitySource": list(values),
            "routeKey": call.route_key,
            "rawPath": raw_path,
            "rawQueryString": request.raw_query_string,
        }
        if cookies:
            event["cookies"] = cookies
        event["headers"] = headers
        if query:
            event["queryStringParameters"] = query
        event["requestContext"] = {
            "accountId": call.account_id,
            "apiId": call.api_id,
            "domainName": self._domain(call),
            "domainPrefix": call.api_id,
            "http": {
                "method": request.method,
                "path": raw_path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "requestId": call.request_id,
            "routeKey": call.route_key,
            "stage": call.stage,
            "time": _aws_time(now),
            "timeEpoch": int(now * 1000),
        }
        if call.path_parameters:
            event["pathParameters"] = dict(call.path_parameters)
        if call.stage_variables:
            event["stageVariables"] = dict(call.stage_variables)
        return event

    def __repr__(self) -> str:
        return (
            f"LambdaAuthorizer({self.name!r}, type={self.type!r}, identity_source={self.identity_source!r})"
        )
