"""The request pipeline, in AWS's order.

route match -> API key and usage plan -> authorizer -> request validation -> throttling -> cache (REST)
-> integration (-> timeout, response mapping) -> access log and metrics.

Every refusal is an AWS-shaped answer (``responses.error_response``); nothing a client sends makes this module
raise. Only misuse (``ServerlessError``: an unmocked Task, a bad argument) propagates to the test.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_serverless._ids import ACCOUNT_ID, REGION, deterministic_uuid
from pytest_serverless._nesting import MAX_JSON_DEPTH, too_deep
from pytest_serverless.errors import InternalError, ServerlessError, is_ours

from .authorizers.base import AuthDecision, AuthorizationCall, Authorizer
from .caching import INVALIDATE_CACHE, UNAUTHORIZED_WARNING, cache_key
from .error_responses import HTTP_ERRORS, REST_ERRORS, error_response, identity_headers
from .integrations.base import IntegrationCall, IntegrationResult
from .proxy_events import trace_id
from .request import GatewayRequest, Headers, Response
from .throttling import TokenBucket

if TYPE_CHECKING:
    from .model import Deployment, Route, Stage
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
_GOOD_HEADERS: set[tuple[str, str]] = set()  # (name, value) pairs seen before and found well-formed
_GOOD_PATHS: set[str] = set()  # request paths found well-formed
_GOOD_HEADER_SETS: set[tuple[tuple[str, str], ...]] = set()  # whole header lists found well-formed


class _Outcome:
    """What the access log records about one request."""

    __slots__ = (
        "authorizer_status",
        "cache_hit",
        "integration_latency",
        "invocation_id",
        "path_parameters",
        "route_key",
    )

    def __init__(self, invocation_id: str = "") -> None:
        self.invocation_id = invocation_id
        self.path_parameters: Mapping[str, str] = {}
        self.route_key: str | None = None
        self.authorizer_status: int | None = None
        self.integration_latency: float | None = None
        self.cache_hit = False


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
        if len(_GOOD_PATHS) >= 4096:
            _GOOD_PATHS.clear()
        _GOOD_PATHS.add(path)
    headers = request.headers.frozen()
    if headers not in _GOOD_HEADER_SETS:
        good = _GOOD_HEADERS
        for pair in headers:
            if pair in good:
                continue
            name, value = pair
            if not _TOKEN.match(name):
                return "BAD_REQUEST", f"malformed header name {name!r}"
            if _BAD_VALUE.search(value):
                return "BAD_REQUEST", f"malformed value of header {name!r}"
            if len(good) >= 4096:
                good.clear()
            good.add(pair)
        if len(_GOOD_HEADER_SETS) >= 1024:
            _GOOD_HEADER_SETS.clear()
        _GOOD_HEADER_SETS.add(headers)
    size = len(request.body)
    if size > MAX_PAYLOAD:
        return "REQUEST_TOO_LARGE", f"the body has {size} bytes; the limit is {MAX_PAYLOAD}"
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
        domain = request.domain_name or f"{api_id}.execute-api.{REGION}.amazonaws.com"
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
    api = stage.api
    gateway = api.gateway
    clock = gateway.clock
    started = clock.time()
    request_id, extended_id, invocation_id = gateway._next_request_ids(api.kind)
    outcome = _Outcome(invocation_id)
    try:
        response = _process(stage, deployment, variables, request, request_id, extended_id, started, outcome)
    except _Refused as refused:
        response = error_response(
            api.kind,
            refused.response_type,
            request_id=request_id,
            extended_request_id=extended_id,
            answered_by=refused.answered_by,
            route_key=outcome.route_key,
            request=request,
            **refused.extra,
        )
        if api.gateway_responses:
            response = _customised(api, stage, variables, request, refused, response, request_id, outcome)
        cors = api.cors
        if cors is not None:
            for name, value in cors.response_headers(request):
                response.headers.set(name, value)
    if api.edge:
        _through_cloudfront(response, request_id)
    if request.method == "HEAD":
        response.content = b""  # a HEAD answer has headers only (Content-Length still counts the body)
    latency_ms = round((clock.time() - started) * 1000)
    integration_ms = (
        None if outcome.integration_latency is None else round(outcome.integration_latency * 1000)
    )
    status = response.status_code
    response.route_key = outcome.route_key
    stage._log_rows.append(  # in the order of stages.LOG_FIELDS; ``stage.logs`` makes them dicts
        (
            response.request_id,
            outcome.route_key,
            request.method,
            request.path,
            status,
            latency_ms,
            integration_ms,
            outcome.authorizer_status,
            outcome.cache_hit,
            response.answered_by,
            canary,
            # kept for ``stage.access_logs`` (when the stage has a format) and ``execution_logs`` (failures):
            # keeping every answer alive would cost memory and garbage-collector time
            response if status >= 400 or stage.access_log_format else None,
            started,
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
    listener = gateway.on_response
    if listener is not None:
        listener(request, response)
    return response


def _restrict(api: Any, stage: Stage, request: GatewayRequest) -> None:
    """A PRIVATE API answers only requests through a VPC endpoint; then the resource policy decides."""
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


def _through_cloudfront(response: Response, request_id: str) -> None:
    """The headers CloudFront adds to an EDGE-optimized API's answers."""
    digest = deterministic_uuid("cloudfront", request_id).replace("-", "")
    headers = response.headers
    headers.set("X-Cache", "Miss from cloudfront")
    headers.set("Via", f"1.1 {digest[:32]}.cloudfront.net (CloudFront)")
    headers.set("X-Amz-Cf-Pop", "IAD89-C1")
    headers.set("X-Amz-Cf-Id", base64.urlsafe_b64encode(bytes.fromhex(digest + digest[:10])).decode()[:56])


def _customised(
    api: Any,
    stage: Stage,
    variables: Mapping[str, str],
    request: GatewayRequest,
    refused: _Refused,
    response: Response,
    request_id: str,
    outcome: _Outcome,
) -> Response:
    """The API's gateway responses (``api.gateway_response``) applied to AWS's default answer."""
    from .gateway_responses import customise

    message = refused.extra.get("message")
    if message is None:
        message = REST_ERRORS.get(refused.response_type, REST_ERRORS["API_CONFIGURATION_ERROR"])[2]
    return customise(
        api.gateway_responses,
        response,
        response_type=refused.response_type,
        message=message,
        request=request,
        path_parameters=outcome.path_parameters,
        variables=variables,
        request_id=request_id,
        api_id=api.id,
        stage=stage.name,
    )


def _process(
    stage: Stage,
    deployment: Deployment,
    variables: Mapping[str, str],
    request: GatewayRequest,
    request_id: str,
    extended_id: str,
    started: float,
    outcome: _Outcome,
) -> Response:
    api = stage.api
    kind = api.kind
    cors = api.cors

    # 0. requests no real client could send
    problem = _malformed(request) or _too_long(request, kind, api.id)
    if problem is not None:
        raise _Refused(problem[0], "route", reason=problem[1])
    method = request.method
    missing_route = "MISSING_AUTHENTICATION_TOKEN" if kind == "REST" else "RESOURCE_NOT_FOUND"
    if method not in KNOWN_METHODS:
        raise _Refused(missing_route, "route", reason=f"{method!r} is not an HTTP method API Gateway accepts")

    # 1. route match (and CORS preflight)
    found = deployment.table.lookup(method, request.path)
    route = found[0] if found is not None else None
    if (
        cors is not None
        and method == "OPTIONS"
        and (route is None or route.key.method != "OPTIONS")
        and (found is not None or kind == "HTTP")  # REST: only a resource has the OPTIONS method SAM adds
    ):
        preflight = cors.preflight_headers(request)
        if preflight is not None:
            status = 204 if kind == "HTTP" else 200
            pairs = [("Content-Type", "application/json"), *identity_headers(kind, request_id, extended_id)]
            pairs.extend(preflight)
            pairs.append(("Content-Length", "0"))
            return Response(
                status, Headers(pairs), b"", answered_by="cors", request_id=request_id, request=request
            )
    if route is None or found is None:
        where = None if found is None else found[2]
        raise _Refused(missing_route, "route", reason=_no_route(deployment, method, request.path, where))
    route_key = outcome.route_key = route.route_key
    path_params = outcome.path_parameters = found[1]
    resource_path = found[2]

    # 1b. endpoint type and resource policy (REST)
    if api.restricted:
        _restrict(api, stage, request)

    # 2-4. API key and usage plan, authorizer, request validation
    decision: AuthDecision | None = None
    plan = None
    api_key = None
    if route._guarded:
        decision, plan, api_key = _admit(
            stage, deployment, route, request, variables, path_params, resource_path, request_id, outcome
        )

    # 5. throttling: usage-plan key -> route/method -> stage -> account
    if plan is not None and api_key is not None:
        verdict = plan.take(api_key)
        if verdict is not None:
            if verdict == "QUOTA_EXCEEDED":
                raise _Refused(
                    verdict, "quota", reason=f"usage plan {plan.name!r}: quota {plan.quota} used up"
                )
            raise _Refused(verdict, "throttle", reason=f"usage plan {plan.name!r}: throttle {plan.throttle}")
    clock = api.gateway.clock
    now = clock.time()
    bucket = stage._route_bucket(route) if (stage.route_throttles or route.throttle) else None
    if bucket is not None and not bucket.take(now):
        raise _Refused(
            "THROTTLED", "throttle", reason=f"route {route.route_key!r}: throttle {_limits(bucket)}"
        )
    bucket = stage._stage_bucket()
    if bucket is not None and not bucket.take(now):
        raise _Refused("THROTTLED", "throttle", reason=f"stage {stage.name!r}: throttle {_limits(bucket)}")
    bucket = api.gateway._account_bucket()
    if not bucket.take(now):
        raise _Refused("THROTTLED", "throttle", reason=f"account limit: throttle {_limits(bucket)}")

    # 6. cache (REST)
    cache = stage.cache
    key: tuple[object, ...] | None = None
    warn: bool | None = False  # None: the caller invalidates the cached answer; True: add AWS's warning
    caching = stage.route_caching.get(route_key) if stage.route_caching else None
    if cache is not None and (route.caching if caching is None else caching[0]):
        key = cache_key(request, resource_path, path_params, route.cache_key_parameters)
        control = request.headers.get("Cache-Control")
        if control is not None and _NO_CACHE.search(control):
            warn = _invalidation(stage, deployment, route, request, decision)
            entry = None if warn is None else cache.get(key, now)
        else:
            entry = cache.get(key, now)
        if entry is not None:
            outcome.cache_hit = True
            stage.metrics["CacheHitCount"] += 1
            headers = entry.headers.copy()
            for name, value in identity_headers(kind, request_id, extended_id):
                headers.set(name, value)
            if warn:
                headers.add(*UNAUTHORIZED_WARNING)
            return Response(
                entry.status, headers, entry.body, answered_by="cache", request_id=request_id, request=request
            )
        stage.metrics["CacheMissCount"] += 1

    # 7. integration
    call = IntegrationCall(  # by position, in the order of the fields (see IntegrationCall)
        request,
        kind,
        api.id,
        api.name,
        stage.name,
        variables,
        deployment.id,
        route_key,
        resource_path,
        path_params,
        request_id,
        extended_id,
        started,
        route.timeout,
        clock,
        request.domain_name or stage.domain_name,
        api.binary_media_types,
        decision,
        api_key,
        None if api_key is None else deterministic_uuid("api-key", api.id, api_key).replace("-", "")[:10],
        outcome.invocation_id,
    )
    before = now  # nothing since moved the clock
    try:
        result = route.integration.invoke(call)
    except ServerlessError:
        raise
    except Exception as exc:  # a custom integration failed: AWS would answer 500 (ours failing is a bug)
        if is_ours(route.integration):
            raise InternalError(f"invoking the integration of route {route_key!r}", exc) from exc
        result = IntegrationResult(failure="INTEGRATION_FAILURE", error=exc)
    elapsed = clock.time() - before if result.latency is None else result.latency
    outcome.integration_latency = elapsed
    if elapsed > route.timeout or result.failure == "INTEGRATION_TIMEOUT":
        why = f"the integration took {elapsed:g} s; the route's timeout is {route.timeout:g} s"
        if result.failure == "INTEGRATION_TIMEOUT" and result.error is not None:
            why = f"the backend timed out: {result.error}"
        raise _Refused("INTEGRATION_TIMEOUT", "timeout", error=result.error, reason=why)
    if result.failure is not None:
        why = _FAILURES.get(result.failure, result.failure.lower().replace("_", " "))
        if result.error is not None:
            why = f"{why}: {type(result.error).__name__}: {result.error}"
        raise _Refused(result.failure, "integration", error=result.error, reason=why)
    # the backend's headers (any Content-Length of its own dropped: the gateway sets it), then the gateway's
    answer: list[tuple[str, str]] = []
    given: Any = result.headers
    for name, value in given if type(given) is list else Headers(given).items_all():
        if type(name) is not str or type(value) is not str:
            name, value = str(name), str(value)
        if name.lower() != "content-length":
            answer.append((name, value))
    answer.extend(identity_headers(kind, request_id, extended_id))
    if result.trace_header and kind == "REST":
        answer.append(("X-Amzn-Trace-Id", call.trace_id or trace_id(call)))
    body = result.body
    if cors is not None and (kind == "HTTP" or route.integration_kind not in ("lambda_proxy", "http_proxy")):
        headers = Headers.trusted(answer)
        for name, value in cors.response_headers(request):
            headers.set(name, value)
        headers.add("Content-Length", str(len(body)))
    else:
        answer.append(("Content-Length", str(len(body))))
        headers = Headers.trusted(answer)
    if key is not None and cache is not None and 200 <= result.status < 300:
        stored = Headers(
            [(n, v) for n, v in headers.items_all() if n not in ("x-amzn-RequestId", "x-amz-apigw-id")]
        )
        cache.put(key, result.status, stored, body, clock.time(), None if caching is None else caching[1])
    if warn:
        headers.add(*UNAUTHORIZED_WARNING)
    # by position: status, headers, content, answered_by, request_id, route_key, request, error
    return Response(result.status, headers, body, "integration", request_id, None, request, result.error)


def _invalidation(
    stage: Stage, deployment: Deployment, route: Route, request: GatewayRequest, decision: AuthDecision | None
) -> bool | None:
    """A ``Cache-Control: max-age=0`` on a cached method: None when the caller may invalidate the entry
    (``RequireAuthorizationForCacheControl`` off, or an IAM caller whose policy allows
    ``execute-api:InvalidateCache`` on the method), else whether to add the warning header (raises the 403
    of ``FAIL_WITH_403``)."""
    require, strategy = stage.cache_control
    if not require:
        return None
    identity = decision.identity if decision is not None else None
    access_key = identity.get("accessKey") if identity else None
    name = route.authorizer
    authorizer = deployment.authorizers.get(name) if isinstance(name, str) else name
    allows = getattr(authorizer, "allows", None)
    if isinstance(access_key, str) and allows is not None:
        api = stage.api
        method_arn = (
            f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api.id}/{stage.name}/{request.method}/"
            f"{request.path.lstrip('/')}"
        )
        if allows(access_key, INVALIDATE_CACHE, method_arn):
            return None
    if strategy == "FAIL_WITH_403":
        raise _Refused(
            "ACCESS_DENIED",
            "cache",
            reason="Cache-Control: max-age=0 from a caller not allowed execute-api:InvalidateCache",
        )
    return strategy == "SUCCEED_WITH_RESPONSE_HEADER"


def _admit(
    stage: Stage,
    deployment: Deployment,
    route: Route,
    request: GatewayRequest,
    variables: Mapping[str, str],
    path_params: Mapping[str, str],
    resource_path: str,
    request_id: str,
    outcome: _Outcome,
) -> tuple[AuthDecision | None, UsagePlan | None, str | None]:
    """Steps 2-4 of a guarded route: (authorizer decision, usage plan, API key); raises _Refused."""
    api = stage.api
    # 2. API key and usage plan (with apiKeySource AUTHORIZER: after the authorizer, from its answer)
    plan = None
    api_key = None
    from_header = api.api_key_source == "HEADER"
    if route.api_key_required and from_header:
        api_key = request.headers.get("x-api-key")
        plan = api._plan_for_key(api_key, stage.name) if api_key else None
        if plan is None:
            raise _Refused(
                "INVALID_API_KEY", "api_key", reason=_key_problem(api_key, stage.name, "x-api-key header")
            )

    # 3. authorizer
    decision: AuthDecision | None = None
    if route.authorizer is not None:
        decision, refusal = _authorize(
            stage,
            deployment,
            route,
            request,
            variables,
            path_params,
            resource_path,
            request_id,
            outcome,
        )
        if refusal is not None:
            raise _Refused(refusal[0], "authorizer", **refusal[1])

    if route.api_key_required and not from_header:
        api_key = decision.usage_identifier_key if decision is not None else None
        plan = api._plan_for_key(api_key, stage.name) if api_key else None
        if plan is None:
            where = "usageIdentifierKey from the authorizer"
            raise _Refused("INVALID_API_KEY", "api_key", reason=_key_problem(api_key, stage.name, where))

    # 4. request validation (REST)
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

    return decision, plan, api_key


def _authorize(
    stage: Stage,
    deployment: Deployment,
    route: Route,
    request: GatewayRequest,
    variables: Mapping[str, str],
    path_params: Mapping[str, str],
    resource_path: str,
    request_id: str,
    outcome: _Outcome,
) -> tuple[AuthDecision | None, tuple[str, dict[str, Any]] | None]:
    api = stage.api
    name = route.authorizer
    authorizer: Authorizer = deployment.authorizers[name] if isinstance(name, str) else name  # type: ignore[assignment]
    route_key = route.route_key
    method_arn = (
        f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api.id}/{stage.name}/{request.method}/"
        f"{request.path.lstrip('/')}"
    )
    if len(method_arn) > MAX_METHOD_ARN // 4 and _utf8_length(method_arn) > MAX_METHOD_ARN:
        outcome.authorizer_status = None
        why = f"the method ARN has {_utf8_length(method_arn)} bytes; the limit is {MAX_METHOD_ARN}"
        return None, ("REQUEST_URI_TOO_LONG", {"reason": why})
    call = AuthorizationCall(
        request=request,
        api_kind=api.kind,
        api_id=api.id,
        api_name=api.name,
        stage=stage.name,
        stage_variables=variables,
        route_key=route_key,
        resource_path=resource_path,
        path_parameters=path_params,
        method_arn=method_arn,
        request_id=request_id,
        clock=api.gateway.clock,
        scopes=route.scopes,
        account_id=ACCOUNT_ID,
        region=REGION,
        cache=api.authorizer_cache(authorizer),
    )
    try:
        decision = authorizer.authorize(call)
    except ServerlessError:
        raise
    except Exception as exc:  # a hand-written authorizer failed: AWS answers 500 (ours failing is a bug)
        if is_ours(authorizer):
            raise InternalError(f"running authorizer {name!r} for route {route_key!r}", exc) from exc
        outcome.authorizer_status = 500
        why = f"authorizer {name!r} raised {type(exc).__name__}: {exc}"
        return None, ("AUTHORIZER_CONFIGURATION_ERROR", {"error": exc, "reason": why})
    if not isinstance(decision, AuthDecision):  # a hand-written authorizer returned something else
        outcome.authorizer_status = 500  # type: ignore[unreachable]
        why = f"authorizer {name!r} returned {decision!r}, not an AuthDecision"
        return None, ("AUTHORIZER_CONFIGURATION_ERROR", {"reason": why})
    if decision.response_type is not None:
        extra: dict[str, Any] = {"extra_headers": dict(decision.headers)}
        if decision.message is not None:
            extra["message"] = decision.message
        extra["error_type"] = getattr(decision, "error_type", None)
        reason = getattr(decision, "reason", None)
        extra["reason"] = (
            f"authorizer {name!r} refused: {reason}" if reason else f"authorizer {name!r} refused"
        )
        rendered_status = _status_of(api.kind, decision.response_type)
        outcome.authorizer_status = rendered_status
        return decision, (decision.response_type, extra)
    outcome.authorizer_status = 200
    return decision, None


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
