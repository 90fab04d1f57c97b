"""Deployed stages: ``Deployment`` snapshots, ``Canary`` releases, ``Stage`` (client, serve, logs)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pytest_serverless._ids import execute_api_domain
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError

from .authorizers.base import Authorizer
from .caching import StageCache, check_cache_control, check_cache_ttl
from .pipeline import run
from .request import GatewayRequest, Response
from .routing import RouteTable
from .throttling import TokenBucket, check_throttle

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from .client import Client
    from .model import Api, Route

__all__ = [
    "Canary",
    "Deployment",
    "RouteBuckets",
    "Stage",
    "check_authorizers_defined",
    "check_route_throttles",
    "check_variables",
    "stage_named",
]

ApiKind = Literal["REST", "HTTP"]
StageT = TypeVar("StageT")


class Deployment:
    """A frozen snapshot of an API's routes and authorizers (what ``deploy`` publishes)."""

    __slots__ = ("authorizers", "id", "routes", "table")

    def __init__(
        self,
        deployment_id: str,
        routes: Sequence[Route],
        authorizers: Mapping[str, Authorizer],
        kind: ApiKind,
    ):
        self.id = deployment_id
        self.routes = tuple(routes)
        self.authorizers = dict(authorizers)
        check_authorizers_defined(self.routes, self.authorizers, "route")
        self.table: RouteTable[Route] = RouteTable(((r.key, r) for r in self.routes), api_kind=kind)


class Canary:
    """A canary on a stage: ``percent`` of requests go to ``deployment`` with ``variables`` overrides."""

    __slots__ = ("deployment", "percent", "rng", "variables")

    def __init__(
        self, deployment: Deployment, percent: float, variables: Mapping[str, str], seed: int | str | None
    ):
        self.deployment = deployment
        self.percent = percent
        self.variables = dict(variables)
        self.rng = random.Random(seed if seed is not None else f"canary-{deployment.id}")


def check_authorizer(name: Any, authorizer: Any, use: str) -> None:
    """``api.authorizer(name, authorizer)``'s checks: a non-empty name and an ``authorize(call)`` method
    (``use`` ends the message: the authorizers this kind of API takes)."""
    if not isinstance(name, str) or not name:
        raise UsageError(f"api.authorizer(name, authorizer): name must be a non-empty string, got {name!r}")
    if not callable(getattr(authorizer, "authorize", None)):
        raise UsageError(f"authorizer {name!r}: {authorizer!r} has no authorize(call) method; use {use}")


def check_route_authorizer(authorizer: Any, where: str) -> None:
    """A route's ``authorizer=``: None, an authorizer's name, or an object with ``authorize(call)``."""
    if authorizer is None or isinstance(authorizer, str) or callable(getattr(authorizer, "authorize", None)):
        return
    raise UsageError(f"{where}: authorizer= takes an authorizer name or an object with authorize(call)")


def check_authorizers_defined(routes: Iterable[Any], authorizers: Mapping[str, Any], label: str) -> None:
    """``UsageError`` for the first of ``routes`` (``route_key``, ``authorizer``) naming an authorizer that
    ``authorizers`` lacks; ``label`` starts the message (``"route"``, ``"WebSocket route"``)."""
    for route in routes:
        name = route.authorizer
        if isinstance(name, str) and name not in authorizers:
            known = ", ".join(sorted(authorizers)) or "none"
            raise UsageError(
                f"{label} {route.route_key!r} uses authorizer {name!r}, which is not defined "
                f"(authorizers: {known}); add it with api.authorizer({name!r}, ...)"
            )


def stage_named(stages: Mapping[str, StageT], name: str, api_label: str) -> StageT:
    """``stages[name]``, or a ``UsageError`` listing the stages there are (``api.stage(name)``)."""
    try:
        return stages[name]
    except KeyError:
        known = ", ".join(repr(s) for s in stages) or "none yet"
        raise UsageError(
            f"{api_label} has no stage {name!r} (stages: {known}); create it with api.deploy({name!r})"
        ) from None


def check_route_throttles(value: Any, where: str) -> dict[str, tuple[float, int]]:
    """A deploy's ``route_throttles`` (route key -> (rate, burst)), checked."""
    return {
        str(route_key): check_throttle(limits, f"{where}, route {route_key!r}")
        for route_key, limits in dict(value or {}).items()
    }


class RouteBuckets:
    """A stage's per-route token buckets, made on a route's first request from the stage's
    ``route_throttles`` or the route's own ``throttle``."""

    __slots__ = ("_buckets", "_clock", "_limits")

    def __init__(self, limits: Mapping[str, tuple[float, int]], clock: VirtualClock) -> None:
        self._limits = limits
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, route_key: str, throttle: tuple[float, int] | None) -> TokenBucket | None:
        """The bucket of ``route_key`` (``throttle``: the route's own limits), None when unlimited."""
        bucket = self._buckets.get(route_key)
        if bucket is None:
            limits = self._limits.get(route_key) or throttle
            if limits is None:
                return None
            bucket = self._buckets[route_key] = TokenBucket(*limits, self._clock.time())
        return bucket


# The access log's fields, in the order of the pipeline's rows (``Stage._log_rows``).
LOG_FIELDS = (
    "requestId",
    "routeKey",
    "httpMethod",
    "path",
    "status",
    "latency",
    "integrationLatency",
    "authorizerStatus",
    "cacheHit",
    "answeredBy",
    "canary",
)


def _metrics() -> dict[str, float]:
    return {
        "Count": 0,
        "4XXError": 0,
        "5XXError": 0,
        "Latency": 0.0,
        "IntegrationLatency": 0.0,
        "CacheHitCount": 0,
        "CacheMissCount": 0,
    }


class Stage:
    """A deployed stage: ``client()``, ``serve(base_url)``, ``serve_http()``, ``wsgi_app()``, ``logs``,
    ``metrics``, ``promote_canary()``."""

    def __init__(
        self, api: Api, name: str, deployment: Deployment | None, settings: Mapping[str, Any] | None = None
    ) -> None:
        """A stage of ``api`` serving ``deployment`` with ``settings`` (``configure``'s keywords; AWS's
        defaults for those not given)."""
        self.api = api
        self.name = name
        self.deployment = deployment  # None: follows the API's routes (HTTP API auto-deploy)
        self.canary: Canary | None = None
        self._logs: list[dict[str, Any]] = []
        self._log_extras: list[tuple[Any, ...]] = []  # (response, request time) per ``_logs`` entry
        #: ``AccessLogSetting.Format``: the template of ``access_logs`` lines (None: no access logging)
        self.access_log_format: str | None = None
        self._log_rows: list[tuple[Any, ...]] = []  # the pipeline's entries, made into dicts when read
        self.metrics: dict[str, float] = _metrics()
        self.configure(**(settings or {}))

    # configuration ---------------------------------------------------------------------------------------
    def configure(
        self,
        *,
        throttle: tuple[float, int] | None = None,
        cache_ttl: float = 0,
        variables: Mapping[str, str] | None = None,
        route_throttles: Mapping[str, tuple[float, int]] | None = None,
        route_caching: Mapping[str, tuple[bool, float]] | None = None,
        cache_control: tuple[bool, str] = (True, "SUCCEED_WITH_RESPONSE_HEADER"),
    ) -> None:
        """Replace the stage's settings (``api.deploy`` passes its own): throttling, cache, variables.

        ``cache_control`` is (RequireAuthorizationForCacheControl, UnauthorizedCacheControlHeaderStrategy).
        Token buckets and the cache start afresh.
        """
        where = f"stage {self.name!r}"
        #: (RequireAuthorizationForCacheControl, UnauthorizedCacheControlHeaderStrategy): AWS's defaults
        self.cache_control: tuple[bool, str] = check_cache_control(*cache_control, where)
        now = self.api.gateway.clock.time()
        self.throttle = check_throttle(throttle, where) if throttle is not None else None
        self._bucket = TokenBucket(*self.throttle, now) if self.throttle else None
        self.route_throttles = check_route_throttles(route_throttles, where)
        self._route_buckets = RouteBuckets(self.route_throttles, self.api.gateway.clock)
        ttl = check_cache_ttl(cache_ttl, where)
        if ttl and self.api.kind == "HTTP":
            raise UsageError(f"{where}: HTTP APIs have no stage cache; cache_ttl is a REST API setting")
        self.cache = StageCache(ttl) if ttl else None
        #: route key -> (caching enabled, TTL seconds)
        self.route_caching: dict[str, tuple[bool, int]] = {}
        for route_key, value in dict(route_caching or {}).items():
            if not isinstance(value, tuple) or len(value) != 2:
                raise UsageError(
                    f"{where}: route_caching[{route_key!r}] must be (enabled, ttl_seconds), got {value!r}"
                )
            self.route_caching[str(route_key)] = (
                bool(value[0]),
                check_cache_ttl(value[1], f"{where}, route {route_key!r}"),
            )
        self.variables = check_variables(variables, where)

    @property
    def logs(self) -> list[dict[str, Any]]:
        """The access log: one dict per request (``requestId``, ``routeKey``, ``status``, ``latency``...)."""
        rows = self._log_rows
        if rows:
            fields = len(LOG_FIELDS)
            self._logs.extend(dict(zip(LOG_FIELDS, row[:fields], strict=True)) for row in rows)
            self._log_extras.extend(row[fields:] for row in rows)
            rows.clear()
        return self._logs

    @logs.setter
    def logs(self, value: list[dict[str, Any]]) -> None:
        self._log_rows.clear()
        self._logs = value
        self._log_extras = []

    @property
    def access_logs(self) -> list[str]:
        """The access log as CloudWatch receives it: each request rendered with ``access_log_format``
        (``AccessLogSetting.Format``: ``$context`` variables in JSON, CLF, XML or CSV lines; ``-`` for a
        variable with no value). Empty when the stage has no format."""
        from .access_logs import render

        fmt = self.access_log_format
        if not fmt:
            return []
        records = self.logs
        return [
            render(fmt, self, record, extra)
            for record, extra in zip(records, self._log_extras, strict=False)
            if extra
        ]

    @property
    def execution_logs(self) -> list[str]:
        """REST execution-log lines for the requests that failed, as AWS writes them at ``LoggingLevel:
        ERROR`` (``(request id) Execution failed due to configuration error: Malformed Lambda proxy
        response``, ``... Method completed with status: 502``). HTTP APIs have no execution logs."""
        from .access_logs import execution_log_lines

        if self.api.kind != "REST":
            return []
        records = self.logs
        lines: list[str] = []
        for record, extra in zip(records, self._log_extras, strict=False):
            if extra:
                lines.extend(execution_log_lines(record, extra[0]))
        return lines

    def metrics_by(self, *, route: str | None = None, minute: bool = False) -> dict[Any, dict[str, float]]:
        """CloudWatch-like metrics from the access log, with the API kind's names (REST: ``Count``,
        ``4XXError``, ``5XXError``, ``Latency``, ``IntegrationLatency``; HTTP APIs: ``Count``, ``4xx``,
        ``5xx``, ``Latency``, ``IntegrationLatency``, ``DataProcessed``), keyed by route key (``route=None``:
        every route) and, with ``minute=True``, by ``(route key, minute start epoch)``."""
        from .access_logs import metrics_by

        records = self.logs
        return metrics_by(self.api.kind, records, self._log_extras, route=route, minute=minute)

    def _stage_bucket(self) -> TokenBucket | None:
        """The stage's own throttling bucket (the pipeline takes a token per request)."""
        return self._bucket

    def _route_bucket(self, route: Route) -> TokenBucket | None:
        """The throttling bucket of ``route`` on this stage, None when the route is unlimited."""
        return self._route_buckets.bucket(route.route_key, route.throttle)

    def current_deployment(self) -> Deployment:
        """The deployment the stage serves (an HTTP API's auto-deployed stage: the API's current routes)."""
        if self.deployment is None:
            return self.api._live_deployment()
        return self.deployment

    # requests --------------------------------------------------------------------------------------------
    def handle(self, request: GatewayRequest) -> Response:
        """Run ``request`` (its ``path`` relative to this stage) through the pipeline."""
        canary = self.canary
        if canary is not None and canary.rng.random() * 100.0 < canary.percent:
            variables = {**self.variables, **canary.variables}
            return run(self, canary.deployment, variables, request, canary=True)
        deployment = self.deployment or self.api._live_deployment()
        return run(self, deployment, self.variables, request, canary=False)

    def client(self, *, source_ip: str | None = None) -> Client:
        """A small HTTP client bound to this stage (no network, no ``requests`` needed); ``source_ip`` is the
        caller's address (``$context.identity.sourceIp``, a resource policy's ``aws:SourceIp``)."""
        from .client import Client

        return Client(self) if source_ip is None else Client(self, source_ip=source_ip)

    @contextmanager
    def serve(self, base_url: str) -> Iterator[Stage]:
        """Answer ``requests`` and ``httpx`` (sync and async) calls to ``base_url`` with this stage."""
        from .interception import serve

        with serve(self, base_url):
            yield self

    @contextmanager
    def serve_http(self, port: int | None = None) -> Iterator[str]:
        """A real HTTP/1.1 server on 127.0.0.1 (a free port, or ``port``) answering as this stage; yields its
        base URL (the stage's root). Closed, with every connection, when the block ends."""
        from .serving import serve_http

        with serve_http(self, port) as base_url:
            yield base_url

    def wsgi_app(self) -> WSGIApplication:
        """This stage as a PEP 3333 WSGI application (Schemathesis, WebTest, werkzeug's test client)."""
        from .serving import wsgi_app

        return wsgi_app(self)

    def promote_canary(self) -> None:
        """Make the canary deployment (and its stage variable overrides) the stage's own; drop the canary."""
        if self.canary is None:
            raise UsageError(
                f"stage {self.name!r} has no canary to promote; deploy with canary={{'percent': ...}}"
            )
        self.deployment = self.canary.deployment
        self.variables.update(self.canary.variables)
        self.canary = None
        if self.cache is not None:
            self.cache.flush()

    def flush_cache(self) -> None:
        """Empty the stage cache (AWS's "Flush entire cache"); nothing to do without one."""
        if self.cache is not None:
            self.cache.flush()

    @property
    def domain_name(self) -> str:
        """``{api-id}.execute-api.us-east-1.amazonaws.com``: the host the stage's events name."""
        return execute_api_domain(self.api.id)

    @property
    def url(self) -> str:
        """The stage's invoke URL: ``https://{domain_name}/{stage}`` (no stage part for ``$default``)."""
        suffix = "" if self.name == "$default" else f"/{self.name}"
        return f"https://{self.domain_name}{suffix}"

    def __repr__(self) -> str:
        return f"Stage({self.api.name!r}, {self.name!r})"


def check_variables(value: Any, where: str) -> dict[str, str]:
    """Stage variables, checked: a dict of strings (numbers become strings), ``{}`` for None."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UsageError(f"{where}: variables must be a dict of strings, got {value!r}")
    result: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise UsageError(f"{where}: stage variable {key!r} must be a string, got {item!r}")
        result[key] = str(item)
    return result
