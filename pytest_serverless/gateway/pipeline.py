"""The request pipeline, in AWS's order.

route match -> API key and usage plan -> authorizer -> request validation -> throttling -> cache (REST)
-> integration (-> timeout, response mapping) -> access log and metrics.

Every refusal is an AWS-shaped answer (``error_responses.error_response``); nothing a client sends makes this
module raise. Only misuse (``ServerlessError``: an unmocked Task, a bad argument) propagates to the test.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_serverless._cache import BoundedCache
from pytest_serverless._ids import ACCOUNT_ID, REGION, deterministic_uuid, execute_api_domain
from pytest_serverless._nesting import MAX_JSON_DEPTH, too_deep
from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.errors import InternalError, ServerlessError, is_ours

from .authorizers.base import AuthDecision, AuthorizationCall, Authorizer
from .caching import INVALIDATE_CACHE, UNAUTHORIZED_WARNING, StageCache, cache_key
from .error_responses import HTTP_ERRORS, REST_ERRORS, error_response, identity_headers
from .integrations.base import IntegrationCall, IntegrationResult
from .proxy_events import trace_id
from .request import GatewayRequest, Headers, Response
from .throttling import TokenBucket

if TYPE_CHECKING:
    from .model import Api, ApiKind, Deployment, Route, Stage
    from .usage_plans import UsagePlan

__all__ = ["run"]

KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
MAX_PAYLOAD = 10 * 1024 * 1024  # 10 MB, both API kinds
MAX_URL = 10240  # REST (regional): characters of the URL
MAX_REQUEST_HEAD = 10240  # HTTP API: bytes of the request line and header values together
MAX_METHOD_ARN = 1600  # bytes of the method ARN of a method with an authorizer (414 when longer)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_BAD_PATH = re.compile(r"[\x00-\x20\x7f]")
_BAD_VALUE = re.compile(r"[\r\n\x00]")
_NO_CACHE = re.compile(r"max-age\s*=\s*0(?!\d)")
# what was found well-formed before (pure: a function of the text alone, so shared by every gateway)
_GOOD_HEADERS: BoundedCache[tuple[str, str], bool] = BoundedCache(4096)  # (name, value) pairs
_GOOD_PATHS: BoundedCache[str, bool] = BoundedCache(4096)  # request paths
_GOOD_HEADER_SETS: BoundedCache[tuple[tuple[str, str], ...], bool] = BoundedCache(1024)  # whole header lists


class _Exchange:
    """One request on its way through the pipeline: what its steps share, and what the access log records.

    The steps fill it in order: ``_match_route`` the route fields, ``_admit`` the authorizer decision and
    the API key's usage plan, ``_cache_lookup`` the cache fields, ``_integrate`` the integration latency.
    """

    __slots__ = (
        "api",
        "api_key",
        "authorizer_status",
        "cache_hit",
        "cache_key",
        "cache_ttl",
        "decision",
        "deployment",
        "extended_id",
        "integration_latency",
        "invocation_id",
        "kind",
        "path_parameters",
        "plan",
        "request",
        "request_id",
        "resource_path",
        "route",
        "route_key",
        "stage",
        "started",
        "variables",
        "warn",
    )
    route: Route  # _match_route
    resource_path: str  # _match_route
    cache_ttl: int | None  # _cache_lookup

    def __init__(
        self,
        stage: Stage,
        deployment: Deployment,
        variables: Mapping[str, str],
        request: GatewayRequest,
        ids: tuple[str, str, str],
        started: float,
    ) -> None:
        self.stage = stage
        self.api: Api = stage.api
        self.kind: ApiKind = stage.api.kind
        self.deployment = deployment
        self.variables = variables
        self.request = request
        self.request_id, self.extended_id, self.invocation_id = ids
        self.started = started
        # what the access log records (set by the steps that learn it)
        self.path_parameters: Mapping[str, str] = {}
        self.route_key: str | None = None
        self.authorizer_status: int | None = None
        self.integration_latency: float | None = None
        self.cache_hit = False
        # _admit: the authorizer's decision, the API key and its usage plan (guarded routes only)
        self.decision: AuthDecision | None = None
        self.plan: UsagePlan | None = None
        self.api_key: str | None = None
        # _cache_lookup: the key to store the answer under (None: not cached), its TTL, and the warning
        # (None: the caller invalidates the cached answer; True: add AWS's warning header)
        self.cache_key: tuple[object, ...] | None = None
        self.warn: bool | None = False


class _Refused(Exception):
    """The pipeline refuses the request: ``run`` answers with the gateway response ``response_type``."""

    def __init__(self, response_type: str, answered_by: str, **extra: Any) -> None:
        super().__init__(response_type)
        self.response_type = response_type
        self.answered_by = answered_by
        self.extra = extra


_FAILURES = {
    "LAMBDA_PROXY_FAILURE": "the Lambda function failed",
    "INTEGRATION_FAILURE": "the integration failed",
    "API_CONFIGURATION_ERROR": "a mapping template or integration setting failed",
}


def _malformed(request: GatewayRequest) -> tuple[str, str] | None:
    """(gateway response type, reason) for a request no real client could get through, else ``None``."""
    path = request.path
    if type(path) is not str or path not in _GOOD_PATHS:
        if not isinstance(path, str) or not path.startswith("/") or _BAD_PATH.search(path):
            return "BAD_REQUEST", f"malformed request path {path!r}"
        _GOOD_PATHS.put(path, True)
    headers = request.headers.frozen()
    if headers not in _GOOD_HEADER_SETS:
        problem = _malformed_header(headers)
        if problem is not None:
            return "BAD_REQUEST", problem
        _GOOD_HEADER_SETS.put(headers, True)
    size = len(request.body)
    if size > MAX_PAYLOAD:
        return "REQUEST_TOO_LARGE", f"the body has {size} bytes; the limit is {MAX_PAYLOAD}"
    return None


def _malformed_header(headers: tuple[tuple[str, str], ...]) -> str | None:
    """What is wrong with the first malformed header (a name that is no token, a value with CR, LF or NUL)."""
    good = _GOOD_HEADERS
    for pair in headers:
        if pair in good:
            continue
        name, value = pair
        if not _TOKEN.match(name):
            return f"malformed header name {name!r}"
        if _BAD_VALUE.search(value):
            return f"malformed value of header {name!r}"
        good.put(pair, True)
    return None


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _too_long(request: GatewayRequest, kind: str, api_id: str) -> tuple[str, str] | None:
    """(gateway response type, reason) for a URL (REST) or request head (HTTP API) over AWS's quota."""
    path = request.raw_path or request.path
    raw_query = request.raw_query_string
    if raw_query:
        query = [raw_query]
    else:  # a request built by hand: its query as a client would encode it, give or take escapes
        query = [f"{name}={value}" for name, value in request.query]
    if kind == "REST":
        domain = request.domain_name or execute_api_domain(api_id)
        length = len("https://") + len(domain) + len(path) + sum(len(part) + 1 for part in query)
        if length > MAX_URL:
            return "REQUEST_URI_TOO_LONG", f"the URL has {length} characters; the limit is {MAX_URL}"
        return None
    values = [value for _, value in request.headers.frozen()]
    parts = [request.method, path, *query, request.protocol]
    characters = sum(map(len, parts)) + len(parts) + sum(map(len, values))
    if characters * 4 <= MAX_REQUEST_HEAD:  # a UTF-8 character is at most 4 bytes: clearly within
        return None
    line = sum(map(_utf8_length, parts)) + len(parts)
    if line > MAX_REQUEST_HEAD:
        return "REQUEST_URI_TOO_LONG", f"the request line has {line} bytes; the limit is {MAX_REQUEST_HEAD}"
    size = line + sum(map(_utf8_length, values))
    if size > MAX_REQUEST_HEAD:
        return (
            "REQUEST_HEADERS_TOO_LARGE",
            f"the request line and header values have {size} bytes; the limit is {MAX_REQUEST_HEAD}",
        )
    return None


def _key_problem(api_key: str | None, stage: str, source: str) -> str:
    if not api_key:
        return f"the route requires an API key and there is no {source}"
    return f"API key {api_key!r} is not an enabled key of a usage plan of stage {stage!r}"


def _limits(bucket: TokenBucket) -> str:
    return f"({bucket.rate:g}/s, burst {bucket.burst})"


def _no_route(deployment: Deployment, method: str, path: str, resource_path: str | None) -> str:
    """Why nothing answered: the resource's methods, or every route of the deployment."""
    if resource_path is not None:
        methods = sorted(r.key.method for r in deployment.routes if r.key.path == resource_path)
        return f"resource {resource_path} has no {method} method (methods: {', '.join(methods)})"
    keys = [r.route_key for r in deployment.routes]
    shown = ", ".join(keys[:20]) + (f" and {len(keys) - 20} more" if len(keys) > 20 else "")
    return f"no route matches {method} {path} (routes: {shown or 'none'})"


def run(
    stage: Stage,
    deployment: Deployment,
    variables: Mapping[str, str],
    request: GatewayRequest,
    *,
    canary: bool,
) -> Response:
    """Answer ``request`` on ``stage`` (its ``deployment`` and stage ``variables``): the whole pipeline, then
    the access log row, the stage metrics and the gateway's ``on_response`` listener."""
    api = stage.api
    gateway = api.gateway
    clock = gateway.clock
    started = clock.time()
    exchange = _Exchange(stage, deployment, variables, request, gateway._next_request_ids(api.kind), started)
    try:
        response = _process(exchange)
    except _Refused as refused:
        response = _refusal(exchange, refused)
    except ServerlessError:  # misuse stays loud
        raise
    except Exception as error:  # a gateway bug (routing, events...), not the user's: never an answer
        doing = f"answering {request.method} {request.path} on stage {stage.name!r} of the API {api.name!r}"
        raise InternalError(doing, error) from error
    if api.edge:
        _through_cloudfront(response, exchange.request_id)
    if request.method == "HEAD":
        response.content = b""  # a HEAD answer has headers only (Content-Length still counts the body)
    _record(exchange, response, round((clock.time() - started) * 1000), canary)
    listener = gateway.on_response
    if listener is not None:
        listener(request, response)
    return response


def _process(exchange: _Exchange) -> Response:
    """The steps of a request, in AWS's order; a step that refuses the request raises ``_Refused``."""
    _screen(exchange)
    preflight = _match_route(exchange)
    if preflight is not None:
        return preflight
    api = exchange.api
    if api.restricted:
        _restrict(api, exchange.stage, exchange.request)
    if exchange.route._guarded:
        _admit(exchange)
    now = _throttle(exchange)
    if exchange.stage.cache is not None:
        cached = _cache_lookup(exchange, now)
        if cached is not None:
            return cached
    result, call = _integrate(exchange, now)
    return _answer(exchange, result, call)


def _refusal(exchange: _Exchange, refused: _Refused) -> Response:
    """The gateway response of a refused request: AWS's default, customised, with the API's CORS headers."""
    api = exchange.api
    request = exchange.request
    response = error_response(
        api.kind,
        refused.response_type,
        request_id=exchange.request_id,
        extended_request_id=exchange.extended_id,
        answered_by=refused.answered_by,
        route_key=exchange.route_key,
        request=request,
        **refused.extra,
    )
    if api.gateway_responses:
        response = _customised(exchange, refused, response)
    cors = api.cors
    if cors is not None:
        for name, value in cors.response_headers(request):
            response.headers.set(name, value)
    return response


def _record(exchange: _Exchange, response: Response, latency_ms: int, canary: bool) -> None:
    """The access log row and the stage's metrics of one answered request."""
    stage = exchange.stage
    request = exchange.request
    integration_latency = exchange.integration_latency
    integration_ms = None if integration_latency is None else round(integration_latency * 1000)
    status = response.status_code
    route_key = response.route_key = exchange.route_key
    stage._log_rows.append(  # in the order of stages.LOG_FIELDS; ``stage.logs`` makes them dicts
        (
            response.request_id,
            route_key,
            request.method,
            request.path,
            status,
            latency_ms,
            integration_ms,
            exchange.authorizer_status,
            exchange.cache_hit,
            response.answered_by,
            canary,
            # kept for ``stage.access_logs`` (when the stage has a format) and ``execution_logs`` (failures):
            # keeping every answer alive would cost memory and garbage-collector time
            response if status >= 400 or stage.access_log_format else None,
            exchange.started,
            len(response.content) + len(request.body),  # HTTP API DataProcessed
        )
    )
    metrics = stage.metrics
    metrics["Count"] += 1
    if 400 <= status < 500:
        metrics["4XXError"] += 1
    elif status >= 500:
        metrics["5XXError"] += 1
    metrics["Latency"] += latency_ms
    if integration_ms is not None:
        metrics["IntegrationLatency"] += integration_ms


def _screen(exchange: _Exchange) -> None:
    """Step 0: refuse what no real client could send (malformed, too long, not an HTTP method)."""
    request = exchange.request
    kind = exchange.kind
    problem = _malformed(request) or _too_long(request, kind, exchange.api.id)
    if problem is not None:
        raise _Refused(problem[0], "route", reason=problem[1])
    method = request.method
    if method not in KNOWN_METHODS:
        reason = f"{method!r} is not an HTTP method API Gateway accepts"
        raise _Refused(_missing_route(kind), "route", reason=reason)


def _missing_route(kind: str) -> str:
    return "MISSING_AUTHENTICATION_TOKEN" if kind == "REST" else "RESOURCE_NOT_FOUND"


def _match_route(exchange: _Exchange) -> Response | None:
    """Step 1: find the route (or answer a CORS preflight); refuses when nothing matches."""
    request = exchange.request
    method = request.method
    kind = exchange.kind
    deployment = exchange.deployment
    found = deployment.table.lookup(method, request.path)
    route = found[0] if found is not None else None
    cors = exchange.api.cors
    if (
        cors is not None
        and method == "OPTIONS"
        and (route is None or route.key.method != "OPTIONS")
        and (found is not None or kind == "HTTP")  # REST: only a resource has the OPTIONS method SAM adds
    ):
        preflight = cors.preflight_headers(request)
        if preflight is not None:
            return _preflight(exchange, preflight)
    if route is None or found is None:
        where = None if found is None else found[2]
        reason = _no_route(deployment, method, request.path, where)
        raise _Refused(_missing_route(kind), "route", reason=reason)
    exchange.route = route
    exchange.route_key = route.route_key
    exchange.path_parameters = found[1]
    exchange.resource_path = found[2]
    return None


def _preflight(exchange: _Exchange, cors_headers: list[tuple[str, str]]) -> Response:
    """The answer to a CORS preflight (``OPTIONS`` with the API's CORS configuration)."""
    kind = exchange.kind
    request_id = exchange.request_id
    pairs = [("Content-Type", "application/json"), *identity_headers(kind, request_id, exchange.extended_id)]
    pairs.extend(cors_headers)
    pairs.append(("Content-Length", "0"))
    status = 204 if kind == "HTTP" else 200
    return Response(
        status, Headers(pairs), b"", answered_by="cors", request_id=request_id, request=exchange.request
    )


def _restrict(api: Any, stage: Stage, request: GatewayRequest) -> None:
    """Step 1b: a PRIVATE API answers only requests through a VPC endpoint, then the resource policy."""
    if api.endpoint_type == "PRIVATE" and not request.headers.get("x-amzn-vpce-id"):
        raise _Refused(
            "FORBIDDEN",
            "policy",
            reason="the API is PRIVATE and the request came through no VPC endpoint "
            "(no x-amzn-vpce-id header)",
        )
    policy = api.resource_policy
    if policy is None:
        return
    arn = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api.id}/{stage.name}/{request.method}{request.path}"
    refusal = policy.refusal(arn, request)
    if refusal is not None:
        raise _Refused("ACCESS_DENIED", "policy", message=refusal, reason=f"the resource policy: {refusal}")


def _admit(exchange: _Exchange) -> None:
    """Steps 2-4 of a guarded route: API key and usage plan, authorizer, request validation.

    With ``apiKeySource`` AUTHORIZER the API key comes after the authorizer, from its answer.
    """
    route = exchange.route
    from_header = exchange.api.api_key_source == "HEADER"
    if route.api_key_required and from_header:
        _check_api_key(exchange, exchange.request.headers.get("x-api-key"), "x-api-key header")
    if route.authorizer is not None:
        _authorize(exchange)
    if route.api_key_required and not from_header:
        decision = exchange.decision
        api_key = decision.usage_identifier_key if decision is not None else None
        _check_api_key(exchange, api_key, "usageIdentifierKey from the authorizer")
    if route.required_parameters or route.validator is not None:
        _validate_request(route, exchange.request, exchange.path_parameters)


def _check_api_key(exchange: _Exchange, api_key: str | None, source: str) -> None:
    """Step 2: the API key must be an enabled key of a usage plan of the stage (its plan is kept)."""
    stage_name = exchange.stage.name
    plan = exchange.api._plan_for_key(api_key, stage_name) if api_key else None
    if plan is None:
        raise _Refused("INVALID_API_KEY", "api_key", reason=_key_problem(api_key, stage_name, source))
    exchange.api_key = api_key
    exchange.plan = plan


def _method_arn(exchange: _Exchange) -> str:
    """The method ARN an authorizer (and an IAM policy) sees for the request."""
    request = exchange.request
    return (
        f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{exchange.api.id}/{exchange.stage.name}/{request.method}/"
        f"{request.path.lstrip('/')}"
    )


def _authorize(exchange: _Exchange) -> None:
    """Step 3: ask the route's authorizer (through the API's cache of its results); refuses as it decides."""
    api = exchange.api
    route = exchange.route
    name = route.authorizer
    authorizer: Authorizer = exchange.deployment.authorizers[name] if isinstance(name, str) else name  # type: ignore[assignment]
    method_arn = _method_arn(exchange)
    if len(method_arn) > MAX_METHOD_ARN // 4 and _utf8_length(method_arn) > MAX_METHOD_ARN:
        why = f"the method ARN has {_utf8_length(method_arn)} bytes; the limit is {MAX_METHOD_ARN}"
        raise _Refused("REQUEST_URI_TOO_LONG", "authorizer", reason=why)
    call = AuthorizationCall(
        request=exchange.request,
        api_kind=api.kind,
        api_id=api.id,
        api_name=api.name,
        stage=exchange.stage.name,
        stage_variables=exchange.variables,
        route_key=route.route_key,
        resource_path=exchange.resource_path,
        path_parameters=exchange.path_parameters,
        method_arn=method_arn,
        request_id=exchange.request_id,
        clock=api.gateway.clock,
        scopes=route.scopes,
        account_id=ACCOUNT_ID,
        region=REGION,
        cache=api.authorizer_cache(authorizer),
    )
    try:
        decision = call_user(authorizer.authorize, call)
    except UserCodeFailed as failed:  # a hand-written authorizer failed: 500 (ours failing is a bug)
        exc = failed.error
        if is_ours(authorizer):
            raise InternalError(f"running authorizer {name!r} for route {route.route_key!r}", exc) from exc
        exchange.authorizer_status = 500
        why = f"authorizer {name!r} raised {type(exc).__name__}: {exc}"
        raise _Refused("AUTHORIZER_CONFIGURATION_ERROR", "authorizer", error=exc, reason=why) from None
    if not isinstance(decision, AuthDecision):  # a hand-written authorizer returned something else
        exchange.authorizer_status = 500  # type: ignore[unreachable]
        why = f"authorizer {name!r} returned {decision!r}, not an AuthDecision"
        raise _Refused("AUTHORIZER_CONFIGURATION_ERROR", "authorizer", reason=why)
    exchange.decision = decision
    if decision.response_type is not None:
        exchange.authorizer_status = _status_of(api.kind, decision.response_type)
        raise _Refused(decision.response_type, "authorizer", **_refusal_extra(decision, name))
    exchange.authorizer_status = 200


def _refusal_extra(decision: AuthDecision, name: object) -> dict[str, Any]:
    """What the gateway response of an authorizer's refusal carries (its headers, message, reason)."""
    extra: dict[str, Any] = {"extra_headers": dict(decision.headers)}
    if decision.message is not None:
        extra["message"] = decision.message
    extra["error_type"] = getattr(decision, "error_type", None)
    reason = getattr(decision, "reason", None)
    extra["reason"] = f"authorizer {name!r} refused: {reason}" if reason else f"authorizer {name!r} refused"
    return extra


def _validate_request(route: Route, request: GatewayRequest, path_params: Mapping[str, str]) -> None:
    """Step 4 (REST): the route's required request parameters, then its request model."""
    if route.required_parameters:
        missing = _missing_parameters(route, request, path_params)
        if missing:
            raise _Refused(
                "BAD_REQUEST_PARAMETERS",
                "validation",
                message=f"Missing required request parameters: [{missing}]",
                reason=f"missing required request parameters: {missing}",
            )
    if route.validator is not None:
        invalid = _body_problem(route.validator, request.body)
        if invalid is not None:
            raise _Refused("BAD_REQUEST_BODY", "validation", reason=invalid)


def _throttle(exchange: _Exchange) -> float:
    """Step 5: usage-plan key -> route/method -> stage -> account; returns the time of the request."""
    plan = exchange.plan
    if plan is not None and exchange.api_key is not None:
        _take_from_plan(plan, exchange.api_key)
    stage = exchange.stage
    route = exchange.route
    gateway = exchange.api.gateway
    now: float = gateway.clock.time()
    bucket = stage._route_bucket(route) if (stage.route_throttles or route.throttle) else None
    if bucket is not None and not bucket.take(now):
        raise _Refused(
            "THROTTLED", "throttle", reason=f"route {route.route_key!r}: throttle {_limits(bucket)}"
        )
    bucket = stage._stage_bucket()
    if bucket is not None and not bucket.take(now):
        raise _Refused("THROTTLED", "throttle", reason=f"stage {stage.name!r}: throttle {_limits(bucket)}")
    bucket = gateway._account_bucket()
    if not bucket.take(now):
        raise _Refused("THROTTLED", "throttle", reason=f"account limit: throttle {_limits(bucket)}")
    return now


def _take_from_plan(plan: UsagePlan, api_key: str) -> None:
    """The API key's usage plan: its quota, then its throttle."""
    verdict = plan.take(api_key)
    if verdict is None:
        return
    if verdict == "QUOTA_EXCEEDED":
        raise _Refused(verdict, "quota", reason=f"usage plan {plan.name!r}: quota {plan.quota} used up")
    raise _Refused(verdict, "throttle", reason=f"usage plan {plan.name!r}: throttle {plan.throttle}")


def _cache_lookup(exchange: _Exchange, now: float) -> Response | None:
    """Step 6 (a REST stage with a cache): the cached answer, or ``None`` (then the key to store under)."""
    stage = exchange.stage
    route = exchange.route
    caching = stage.route_caching.get(route.route_key) if stage.route_caching else None
    if not (route.caching if caching is None else caching[0]):
        return None
    exchange.cache_ttl = None if caching is None else caching[1]
    request = exchange.request
    cache: StageCache = stage.cache  # type: ignore[assignment]  # _process checked
    key = exchange.cache_key = cache_key(
        request, exchange.resource_path, exchange.path_parameters, route.cache_key_parameters
    )
    control = request.headers.get("Cache-Control")
    if control is not None and _NO_CACHE.search(control):
        warn = exchange.warn = _invalidation(exchange)
        entry = None if warn is None else cache.get(key, now)
    else:
        entry = cache.get(key, now)
    if entry is None:
        stage.metrics["CacheMissCount"] += 1
        return None
    exchange.cache_hit = True
    stage.metrics["CacheHitCount"] += 1
    headers = entry.headers.copy()
    for name, value in identity_headers(exchange.kind, exchange.request_id, exchange.extended_id):
        headers.set(name, value)
    if exchange.warn:
        headers.add(*UNAUTHORIZED_WARNING)
    return Response(
        entry.status,
        headers,
        entry.body,
        answered_by="cache",
        request_id=exchange.request_id,
        request=request,
    )


def _invalidation(exchange: _Exchange) -> bool | None:
    """A ``Cache-Control: max-age=0`` on a cached method: None when the caller may invalidate the entry
    (``RequireAuthorizationForCacheControl`` off, or an IAM caller whose policy allows
    ``execute-api:InvalidateCache`` on the method), else whether to add the warning header (raises the 403
    of ``FAIL_WITH_403``)."""
    require, strategy = exchange.stage.cache_control
    if not require:
        return None
    decision = exchange.decision
    identity = decision.identity if decision is not None else None
    access_key = identity.get("accessKey") if identity else None
    name = exchange.route.authorizer
    authorizer = exchange.deployment.authorizers.get(name) if isinstance(name, str) else name
    allows = getattr(authorizer, "allows", None)
    if (
        isinstance(access_key, str)
        and allows is not None
        and allows(access_key, INVALIDATE_CACHE, _method_arn(exchange))
    ):
        return None
    if strategy == "FAIL_WITH_403":
        raise _Refused(
            "ACCESS_DENIED",
            "cache",
            reason="Cache-Control: max-age=0 from a caller not allowed execute-api:InvalidateCache",
        )
    return strategy == "SUCCEED_WITH_RESPONSE_HEADER"


def _integrate(exchange: _Exchange, now: float) -> tuple[IntegrationResult, IntegrationCall]:
    """Step 7: call the route's integration; refuses a failure or an answer later than the route's timeout."""
    api = exchange.api
    stage = exchange.stage
    route = exchange.route
    request = exchange.request
    api_key = exchange.api_key
    clock = api.gateway.clock
    call = IntegrationCall(  # by position, in the order of the fields (see IntegrationCall)
        request,
        api.kind,
        api.id,
        api.name,
        stage.name,
        exchange.variables,
        exchange.deployment.id,
        route.route_key,
        exchange.resource_path,
        exchange.path_parameters,
        exchange.request_id,
        exchange.extended_id,
        exchange.started,
        route.timeout,
        clock,
        request.domain_name or stage.domain_name,
        api.binary_media_types,
        exchange.decision,
        api_key,
        None if api_key is None else deterministic_uuid("api-key", api.id, api_key).replace("-", "")[:10],
        exchange.invocation_id,
    )
    try:
        result = call_user(route.integration.invoke, call)
    except UserCodeFailed as failed:  # a custom integration failed: 500 (ours failing is a bug)
        error = failed.error
        if is_ours(route.integration):
            raise InternalError(f"invoking the integration of route {route.route_key!r}", error) from error
        result = IntegrationResult(failure="INTEGRATION_FAILURE", error=error)
    elapsed = clock.time() - now if result.latency is None else result.latency  # now: nothing moved the clock
    exchange.integration_latency = elapsed
    _check_result(result, elapsed, route.timeout)
    return result, call


def _check_result(result: IntegrationResult, elapsed: float, timeout: float) -> None:
    """Refuse an integration's failure (``INTEGRATION_TIMEOUT`` when it took longer than ``timeout``)."""
    if elapsed > timeout or result.failure == "INTEGRATION_TIMEOUT":
        why = f"the integration took {elapsed:g} s; the route's timeout is {timeout:g} s"
        if result.failure == "INTEGRATION_TIMEOUT" and result.error is not None:
            why = f"the backend timed out: {result.error}"
        raise _Refused("INTEGRATION_TIMEOUT", "timeout", error=result.error, reason=why)
    if result.failure is not None:
        why = _FAILURES.get(result.failure, result.failure.lower().replace("_", " "))
        if result.error is not None:
            why = f"{why}: {type(result.error).__name__}: {result.error}"
        raise _Refused(result.failure, "integration", error=result.error, reason=why)


def _answer(exchange: _Exchange, result: IntegrationResult, call: IntegrationCall) -> Response:
    """Step 8: the integration's answer with the gateway's headers, kept in the stage cache if cacheable."""
    headers = _answer_headers(exchange, result, call)
    body = result.body
    key = exchange.cache_key
    if key is not None and 200 <= result.status < 300:
        stored = Headers(
            [(n, v) for n, v in headers.items_all() if n not in ("x-amzn-RequestId", "x-amz-apigw-id")]
        )
        cache: StageCache = exchange.stage.cache  # type: ignore[assignment]  # a key means a cache
        cache.put(key, result.status, stored, body, call.clock.time(), exchange.cache_ttl)
    if exchange.warn:
        headers.add(*UNAUTHORIZED_WARNING)
    # by position: status, headers, content, answered_by, request_id, route_key, request, error
    return Response(
        result.status, headers, body, "integration", exchange.request_id, None, exchange.request, result.error
    )


def _answer_headers(exchange: _Exchange, result: IntegrationResult, call: IntegrationCall) -> Headers:
    """The backend's headers (any Content-Length of its own dropped: the gateway sets it), then the gateway's:
    request ids, the trace id (REST proxy answers), CORS (unless a proxy integration answers them itself)."""
    kind = exchange.kind
    answer: list[tuple[str, str]] = []
    given: Any = result.headers
    for name, value in given if type(given) is list else Headers(given).items_all():
        if type(name) is not str or type(value) is not str:
            name, value = str(name), str(value)
        if name.lower() != "content-length":
            answer.append((name, value))
    answer.extend(identity_headers(kind, exchange.request_id, exchange.extended_id))
    if result.trace_header and kind == "REST":
        answer.append(("X-Amzn-Trace-Id", call.trace_id or trace_id(call)))
    length = str(len(result.body))
    cors = exchange.api.cors
    if cors is not None and (kind == "HTTP" or exchange.route.integration_kind not in _PROXIES):
        headers = Headers.trusted(answer)
        for name, value in cors.response_headers(exchange.request):
            headers.set(name, value)
        headers.add("Content-Length", length)
        return headers
    answer.append(("Content-Length", length))
    return Headers.trusted(answer)


_PROXIES = ("lambda_proxy", "http_proxy")


def _through_cloudfront(response: Response, request_id: str) -> None:
    """The headers CloudFront adds to an EDGE-optimized API's answers."""
    digest = deterministic_uuid("cloudfront", request_id).replace("-", "")
    headers = response.headers
    headers.set("X-Cache", "Miss from cloudfront")
    headers.set("Via", f"1.1 {digest[:32]}.cloudfront.net (CloudFront)")
    headers.set("X-Amz-Cf-Pop", "IAD89-C1")
    headers.set("X-Amz-Cf-Id", base64.urlsafe_b64encode(bytes.fromhex(digest + digest[:10])).decode()[:56])


def _customised(exchange: _Exchange, refused: _Refused, response: Response) -> Response:
    """The API's gateway responses (``api.gateway_response``) applied to AWS's default answer."""
    from .gateway_responses import customise

    api = exchange.api
    message = refused.extra.get("message")
    if message is None:
        message = REST_ERRORS.get(refused.response_type, REST_ERRORS["API_CONFIGURATION_ERROR"])[2]
    return customise(
        api.gateway_responses,
        response,
        response_type=refused.response_type,
        message=message,
        request=exchange.request,
        path_parameters=exchange.path_parameters,
        variables=exchange.variables,
        request_id=exchange.request_id,
        api_id=api.id,
        stage=exchange.stage.name,
    )


def _status_of(kind: str, response_type: str) -> int:
    if kind == "REST":
        return REST_ERRORS.get(response_type, REST_ERRORS["API_CONFIGURATION_ERROR"])[0]
    return HTTP_ERRORS.get(response_type, HTTP_ERRORS["API_CONFIGURATION_ERROR"])[0]


def _missing_parameters(route: Route, request: GatewayRequest, path_params: Mapping[str, str]) -> str:
    missing: list[str] = []
    for source, name in route.required_parameters:
        if source == "header":
            present = name in request.headers
        elif source == "path":
            present = bool(path_params.get(name))
        else:
            present = bool(request.query_values(name))
        if not present:
            missing.append(name)
    return ", ".join(missing)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _body_problem(validator: Any, body: bytes) -> str | None:
    """Why the body fails the route's model (JSON pointer and message), or ``None`` when it passes."""
    if not body.strip():
        return "the request has no body; the route's request_schema requires one"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not JSON: it is not UTF-8"
    if too_deep(text):  # before parsing: the parser and the validator recurse once per level
        return f"the body is not JSON this gateway reads: nested more than {MAX_JSON_DEPTH} levels deep"
    try:
        document = json.loads(text, parse_constant=_not_json)
    except ValueError as exc:
        return f"the body is not JSON: {exc}"
    try:
        error = next(iter(validator.iter_errors(document)), None)
    except RecursionError:  # a recursive schema ($ref to itself) walked as deep as the body nests
        return "the body nests too deeply for request_schema to be checked"
    if error is None:
        return None
    pointer = "/" + "/".join(str(part) for part in error.absolute_path)
    return f"the body does not match request_schema at {pointer}: {error.message}"
