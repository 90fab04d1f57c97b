"""``gateway.websocket_api(...)``: a WebSocket API, its routes (``$connect``, ``$disconnect``, ``$default``,
custom keys), authorizers (``$connect`` only), usage plans and stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.integrations.builders import IntegrationObject
from pytest_serverless.gateway.stages import (
    check_authorizer,
    check_authorizers_defined,
    check_route_authorizer,
    stage_named,
)
from pytest_serverless.gateway.throttling import check_throttle
from pytest_serverless.gateway.usage_plans import UsagePlan, UsagePlans

from .integrations import RouteIntegration, build
from .selection import RouteSelector

if TYPE_CHECKING:
    from pytest_serverless.gateway.model import Gateway

    from .stage import WebSocketStage

__all__ = ["WebSocketApi", "WebSocketRoute"]

MAX_TIMEOUT = 29.0
_API_KEY_SOURCES = {
    "$request.header.x-api-key": "HEADER",
    "$context.authorizer.usageIdentifierKey": "AUTHORIZER",
}


class WebSocketRoute:
    """One route of a WebSocket API (built by ``api.route(...)``)."""

    __slots__ = (
        "api_key_required",
        "authorizer",
        "integration",
        "integration_kind",
        "route_key",
        "route_response",
        "throttle",
        "timeout",
    )

    def __init__(
        self,
        route_key: str,
        integration: RouteIntegration,
        *,
        authorizer: Any,
        api_key_required: bool,
        route_response: str | None,
        timeout: float,
        throttle: tuple[float, int] | None,
    ) -> None:
        self.route_key = route_key
        self.integration = integration
        self.integration_kind = integration.kind
        self.authorizer = authorizer
        self.api_key_required = api_key_required
        self.route_response = route_response
        self.timeout = timeout
        self.throttle = throttle

    @property
    def two_way(self) -> bool:
        """Whether the integration's answer is sent back to the client (a route response)."""
        return self.route_response is not None

    def __repr__(self) -> str:
        return f"WebSocketRoute({self.route_key!r}, {self.integration_kind})"


class WebSocketApi(UsagePlans):
    """A WebSocket API (``gateway.websocket_api(name, route_selection_expression=...)``)."""

    kind = "WEBSOCKET"

    def __init__(
        self,
        gateway: Gateway,
        name: str,
        api_id: str,
        *,
        route_selection_expression: str = "$request.body.action",
        api_key_selection_expression: str = "$request.header.x-api-key",
    ) -> None:
        self.gateway = gateway
        self.name = name
        self.id = api_id
        self.selector = RouteSelector(route_selection_expression)
        self.route_selection_expression = route_selection_expression
        source = _API_KEY_SOURCES.get(api_key_selection_expression)
        if source is None:
            raise UsageError(
                f"WebSocket API {name!r}: api_key_selection_expression must be "
                f"{' or '.join(repr(k) for k in _API_KEY_SOURCES)}, got {api_key_selection_expression!r}"
            )
        self.api_key_source = source
        self.routes: dict[str, WebSocketRoute] = {}
        self.authorizers: dict[str, Any] = {}
        self.stages: dict[str, WebSocketStage] = {}
        self.usage_plans: list[UsagePlan] = []
        self._key_plans: dict[str, UsagePlan] = {}
        self.version = 0  # bumped by every change, for stages that follow the API (auto_deploy)

    # building ---------------------------------------------------------------------------------------------
    def route(
        self,
        route_key: str,
        handler: Callable[[Any, Any], Any] | None = None,
        *,
        mock: Mapping[str, Any] | None = None,
        http: str | None = None,
        integration: RouteIntegration | IntegrationObject | None = None,
        authorizer: Any = None,
        api_key_required: bool = False,
        route_response_selection_expression: str | None = None,
        timeout: float | None = None,
        throttle: tuple[float, int] | None = None,
    ) -> WebSocketRoute:
        """Add a route: ``$connect``, ``$disconnect``, ``$default`` or a custom route key.

        ``route_response_selection_expression="$default"`` makes the route two-way: the integration's answer
        is sent back to the client. ``authorizer`` (a name given to ``api.authorizer``) applies to
        ``$connect`` only, as on AWS. ``integration=`` takes ``LambdaProxy(handler, function_name=...)``,
        ``MockResponse(...)``, ``HttpProxy(url)`` or an object with ``invoke(event, body, headers, call)``.
        """
        if not isinstance(route_key, str) or not route_key:
            raise UsageError(
                f"WebSocket API {self.name!r}: a route key must be a non-empty string, got {route_key!r}"
            )
        where = f"WebSocket route {route_key!r}"
        if route_key.startswith("$") and route_key not in ("$connect", "$disconnect", "$default"):
            raise UsageError(
                f"{where}: the only route keys starting with '$' are $connect, $disconnect and $default"
            )
        if route_key in self.routes:
            raise UsageError(f"{where} is defined twice on API {self.name!r}")
        if authorizer in ("NONE", ""):
            authorizer = None
        if authorizer is not None and route_key != "$connect":
            raise UsageError(
                f"{where}: authorizers run on $connect only (a WebSocket connection is authorized once, "
                "when it opens); move authorizer= to the $connect route"
            )
        check_route_authorizer(authorizer, where)
        if route_response_selection_expression not in (None, "$default"):
            raise UsageError(
                f"{where}: route_response_selection_expression can only be '$default' (AWS supports no other "
                f"key), got {route_response_selection_expression!r}"
            )
        if route_response_selection_expression is not None and route_key in ("$connect", "$disconnect"):
            raise UsageError(f"{where}: $connect and $disconnect cannot have route responses")
        if timeout is None:
            timeout = MAX_TIMEOUT
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0.05 <= timeout <= MAX_TIMEOUT
        ):
            raise UsageError(f"{where}: timeout must be between 0.05 and 29 seconds, got {timeout!r}")
        built = build(where, handler, mock, http, integration)
        route = WebSocketRoute(
            route_key,
            built,
            authorizer=authorizer,
            api_key_required=bool(api_key_required),
            route_response=route_response_selection_expression,
            timeout=float(timeout),
            throttle=check_throttle(throttle, where) if throttle is not None else None,
        )
        self.routes[route_key] = route
        self.version += 1
        return route

    def authorizer(self, name: str, authorizer: Any) -> Any:
        """Register a ``LambdaAuthorizer(fn, type="REQUEST", identity_source="route.request.header.X")`` or an
        ``IamAuthorizer`` by name, for the ``$connect`` route."""
        check_authorizer(name, authorizer, "LambdaAuthorizer (type='REQUEST') or IamAuthorizer")
        if getattr(authorizer, "type", "REQUEST") == "TOKEN":
            raise UsageError(
                f"authorizer {name!r}: WebSocket APIs have REQUEST Lambda authorizers only; use "
                "LambdaAuthorizer(fn, type='REQUEST', identity_source='route.request.header.Authorization')"
            )
        if hasattr(authorizer, "simple_responses") and getattr(authorizer, "simple_responses", False):
            raise UsageError(f"authorizer {name!r}: simple responses are an HTTP API feature")
        self.authorizers[name] = authorizer
        self.version += 1
        return authorizer

    # deploying ---------------------------------------------------------------------------------------------
    def deploy(
        self,
        stage: str,
        *,
        throttle: tuple[float, int] | None = None,
        variables: Mapping[str, str] | None = None,
        route_throttles: Mapping[str, tuple[float, int]] | None = None,
        auto_deploy: bool = False,
    ) -> WebSocketStage:
        """Publish the current routes to ``stage`` (``auto_deploy=True``: the stage follows later changes)."""
        from .stage import WebSocketStage

        if not isinstance(stage, str) or not stage or "/" in stage or stage == "$default":
            raise UsageError(
                f"deploy(stage): a WebSocket stage name is a non-empty string without '/', got {stage!r}"
            )
        check_authorizers_defined(self.routes.values(), self.authorizers, "WebSocket route")
        settings: dict[str, Any] = {
            "throttle": throttle,
            "variables": variables,
            "route_throttles": route_throttles,
            "auto_deploy": auto_deploy,
        }
        existing = self.stages.get(stage)
        if existing is None:
            existing = self.stages[stage] = WebSocketStage(self, stage, settings)
        else:
            existing.configure(**settings)
        return existing

    def stage(self, name: str) -> WebSocketStage:
        """The stage ``name`` deployed with ``api.deploy`` (``UsageError`` naming the stages there are)."""
        return stage_named(self.stages, name, f"WebSocket API {self.name!r}")

    def __repr__(self) -> str:
        return f"WebSocketApi({self.name!r}, id={self.id!r})"
