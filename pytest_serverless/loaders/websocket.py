"""WebSocket APIs in templates: ``AWS::ApiGatewayV2::Api`` with ``ProtocolType: WEBSOCKET`` and its ``Route``,
``Integration`` (AWS_PROXY to a template function, MOCK, HTTP_PROXY), ``RouteResponse``, ``Authorizer``
(REQUEST Lambda) and ``Stage`` resources; SAM functions are wired to routes through their integrations'
``IntegrationUri``. ``prepare_websocket_api`` turns the spec into a live ``gateway.websocket_api``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_serverless.gateway.integrations.builders import LambdaProxy

from .build_api import IAM_CREDENTIALS, bound_copies, refused_as_template_error, usage_plan_options
from .cloudformation import Template
from .model import StageSpec, TemplateModel, UsagePlanSpec
from .sam import logical_target
from .sam_api import http_stage
from .uris import lambda_target
from .usage_plans import read_usage_plans

if TYPE_CHECKING:
    from .app import ServerlessApp

__all__ = [
    "PreparedWebSocketApi",
    "WebSocketApiSpec",
    "prepare_websocket_api",
    "read_websocket_resources",
    "websocket_api_ids",
]

_API = "AWS::ApiGatewayV2::Api"
_CHILDREN = (
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::RouteResponse",
    "AWS::ApiGatewayV2::IntegrationResponse",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::Model",
)


@dataclass
class WsIntegrationSpec:
    kind: str  # "lambda", "mock", "http"
    pointer: str
    function: str | None = None
    url: str | None = None
    timeout: float | None = None


@dataclass
class WsRouteSpec:
    key: str
    pointer: str
    integration: WsIntegrationSpec | None = None
    authorizer: str | None = None  # an authorizer name, "AWS_IAM", or None
    api_key_required: bool = False
    two_way: bool = False  # RouteResponseSelectionExpression set and a RouteResponse declared


@dataclass
class WsAuthorizerSpec:
    name: str
    pointer: str
    function: str
    identity_source: list[str] = field(default_factory=list)


@dataclass
class WebSocketApiSpec:
    logical_id: str
    name: str
    pointer: str
    route_selection_expression: str = "$request.body.action"
    api_key_selection_expression: str = "$request.header.x-api-key"
    routes: dict[str, WsRouteSpec] = field(default_factory=dict)  # by Route logical id
    authorizers: dict[str, WsAuthorizerSpec] = field(default_factory=dict)  # by Authorizer logical id
    stages: list[StageSpec] = field(default_factory=list)
    usage_plans: list[UsagePlanSpec] = field(default_factory=list)


def _of_type(t: Template, kind: str) -> list[str]:
    return [logical_id for logical_id in t.resources if t.resource_type(logical_id) == kind]


def websocket_api_ids(t: Template) -> set[str]:
    """The logical ids of the template's WebSocket APIs (read here, skipped by the HTTP API reader)."""
    found = set()
    for logical_id in _of_type(t, _API):
        protocol = t.raw_property(logical_id, "ProtocolType")
        if isinstance(protocol, str) and protocol.upper() == "WEBSOCKET":
            found.add(logical_id)
    return found


def belongs_to_websocket_api(t: Template, logical_id: str, apis: set[str]) -> bool:
    """Whether a V2 child resource (route, integration, stage...) names a WebSocket API in its ``ApiId``."""
    return logical_target(t, t.raw_property(logical_id, "ApiId"), (_API,)) in apis


def read_websocket_resources(t: Template, model: TemplateModel) -> dict[str, WebSocketApiSpec]:
    """The template's WebSocket APIs with their integrations, authorizers, routes, stages and usage plans."""
    apis = {logical_id: _read_api(t, model, logical_id) for logical_id in sorted(websocket_api_ids(t))}
    if not apis:
        return apis
    integrations = {
        logical_id: found
        for logical_id, _ in _owned(t, apis, "AWS::ApiGatewayV2::Integration")
        if (found := _read_integration(t, model, logical_id)) is not None
    }
    for logical_id, api in _owned(t, apis, "AWS::ApiGatewayV2::Authorizer"):
        api.authorizers[logical_id] = _read_authorizer(t, model, logical_id)
    for logical_id, api in _owned(t, apis, "AWS::ApiGatewayV2::Route"):
        api.routes[logical_id] = _read_route(t, api, logical_id, integrations)
    _keep_two_way_routes_with_a_response(t, apis)
    for logical_id, api in _owned(t, apis, "AWS::ApiGatewayV2::Stage"):
        stage = http_stage(t.properties(logical_id))
        api.stages = [s for s in api.stages if s.name != stage.name] + [stage]
    _usage_plans(t, model, apis)
    return apis


def _owned(
    t: Template, apis: dict[str, WebSocketApiSpec], kind: str
) -> Iterator[tuple[str, WebSocketApiSpec]]:
    """The resources of ``kind`` whose ``ApiId`` names one of ``apis``, with that API."""
    for logical_id in _of_type(t, kind):
        target = logical_target(t, t.raw_property(logical_id, "ApiId"), (_API,))
        api = apis.get(target) if target is not None else None
        if api is not None:
            yield logical_id, api


def _read_api(t: Template, model: TemplateModel, logical_id: str) -> WebSocketApiSpec:
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    spec = WebSocketApiSpec(logical_id, str(props.get("Name") or logical_id), pointer)
    if "RouteSelectionExpression" not in props:
        raise t.error(
            "a WebSocket API needs a RouteSelectionExpression (e.g. $request.body.action)",
            pointer + "/RouteSelectionExpression",
        )
    spec.route_selection_expression = str(props["RouteSelectionExpression"])
    if props.get("ApiKeySelectionExpression"):
        spec.api_key_selection_expression = str(props["ApiKeySelectionExpression"])
    for unsupported in ("Body", "BodyS3Location", "Target"):
        if unsupported in props:
            model.unsupported.append(f"{logical_id}: {unsupported} on a WebSocket API (declare routes)")
    return spec


def _read_integration(t: Template, model: TemplateModel, logical_id: str) -> WsIntegrationSpec | None:
    """An emulated integration (AWS_PROXY to a function, MOCK, HTTP_PROXY); None (and listed in
    ``model.unsupported``) for any other."""
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    kind = str(props.get("IntegrationType", "")).upper()
    uri = props.get("IntegrationUri")
    millis = props.get("TimeoutInMillis")
    timeout = float(millis) / 1000 if millis not in (None, "") else None
    if kind == "AWS_PROXY" and isinstance(uri, str):
        return WsIntegrationSpec("lambda", pointer, function=lambda_target(model, uri), timeout=timeout)
    if kind == "MOCK":
        return WsIntegrationSpec("mock", pointer, timeout=timeout)
    if kind == "HTTP_PROXY" and isinstance(uri, str):
        return WsIntegrationSpec("http", pointer, url=uri, timeout=timeout)
    model.unsupported.append(
        f"{logical_id}: WebSocket integration {kind or '(no IntegrationType)'} (AWS_PROXY to a "
        "function, MOCK and HTTP_PROXY are emulated; its routes answer Internal server error)"
    )
    return None


def _read_authorizer(t: Template, model: TemplateModel, logical_id: str) -> WsAuthorizerSpec:
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    if str(props.get("AuthorizerType", "")).upper() != "REQUEST" or not isinstance(
        props.get("AuthorizerUri"), str
    ):
        raise t.error("a WebSocket API authorizer is a REQUEST authorizer with an AuthorizerUri", pointer)
    sources = props.get("IdentitySource") or []
    return WsAuthorizerSpec(
        name=str(props.get("Name") or logical_id),
        pointer=pointer,
        function=lambda_target(model, props["AuthorizerUri"]),
        identity_source=[str(s) for s in (sources if isinstance(sources, list) else [sources])],
    )


def _read_route(
    t: Template, api: WebSocketApiSpec, logical_id: str, integrations: dict[str, WsIntegrationSpec]
) -> WsRouteSpec:
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    key = props.get("RouteKey")
    if not isinstance(key, str) or not key:
        raise t.error("a route needs a RouteKey", pointer + "/RouteKey")
    route = WsRouteSpec(key, pointer, api_key_required=bool(props.get("ApiKeyRequired", False)))
    target = props.get("Target")
    if target is not None:
        route.integration = _target_integration(t, str(target), integrations, pointer)
    route.authorizer = _route_authorizer(t, api, logical_id, props, pointer)
    route.two_way = props.get("RouteResponseSelectionExpression") is not None
    return route


def _target_integration(
    t: Template, target: str, integrations: dict[str, WsIntegrationSpec], pointer: str
) -> WsIntegrationSpec | None:
    """The integration a route's ``Target`` (``integrations/<id>``) names: None for one not emulated; a
    TemplateError when it names no integration of the template."""

    def named(logical_id: str) -> bool:
        return target.endswith("/" + t.short_id(logical_id)) or target.endswith("/" + logical_id)

    found = next((spec for logical_id, spec in integrations.items() if named(logical_id)), None)
    if found is None and not any(named(lid) for lid in _of_type(t, "AWS::ApiGatewayV2::Integration")):
        raise t.error(
            "Target must be integrations/<Ref of an AWS::ApiGatewayV2::Integration>", pointer + "/Target"
        )
    return found


def _route_authorizer(
    t: Template, api: WebSocketApiSpec, logical_id: str, props: Mapping[str, Any], pointer: str
) -> str | None:
    """``AuthorizationType``: "AWS_IAM", the name of the ``AuthorizerId``'s authorizer (CUSTOM), or None."""
    auth_type = str(props.get("AuthorizationType", "NONE")).upper()
    if auth_type == "AWS_IAM":
        return "AWS_IAM"
    if auth_type != "CUSTOM":
        return None
    authorizer = logical_target(
        t, t.raw_property(logical_id, "AuthorizerId"), ("AWS::ApiGatewayV2::Authorizer",)
    )
    if authorizer not in api.authorizers:
        raise t.error(
            "AuthorizationType CUSTOM needs an AuthorizerId naming an AWS::ApiGatewayV2::Authorizer",
            pointer + "/AuthorizerId",
        )
    return api.authorizers[authorizer].name


def _keep_two_way_routes_with_a_response(t: Template, apis: dict[str, WebSocketApiSpec]) -> None:
    """A route is two-way when it has a RouteResponseSelectionExpression AND a RouteResponse names it."""
    responded: set[str] = set()
    for logical_id, _ in _owned(t, apis, "AWS::ApiGatewayV2::RouteResponse"):
        route_id = logical_target(t, t.raw_property(logical_id, "RouteId"), ("AWS::ApiGatewayV2::Route",))
        if route_id is not None:
            responded.add(route_id)
    for api in apis.values():
        for route_id, route in api.routes.items():
            route.two_way = route.two_way and route_id in responded


def _usage_plans(t: Template, model: TemplateModel, apis: dict[str, WebSocketApiSpec]) -> None:
    """``AWS::ApiGateway::UsagePlan`` entries whose ``ApiStages`` name a WebSocket API, with their keys."""

    def plans_of(raw_api_id: Any) -> list[UsagePlanSpec] | None:
        api = apis.get(logical_target(t, raw_api_id, (_API,)) or "")
        return api.usage_plans if api is not None else None

    read_usage_plans(t, model.api_keys, plans_of)


def prepare_websocket_api(app: ServerlessApp, spec: WebSocketApiSpec) -> tuple[Any, PreparedWebSocketApi]:
    """The app's live ``gateway.websocket_api`` of a template's WebSocket API (its stages deployed), every
    check made, and what the next apps of the template build theirs from (``build_api.prepare_api``'s
    counterpart)."""
    source = str(app.source)
    api = _new_api(app, spec)
    _add_authorizers(app, spec, api)
    routes: list[tuple[str, dict[str, Any], Callable[[ServerlessApp, Any], Any]]] = []
    for route in spec.routes.values():
        kwargs = {**_integration_kwargs(app, route), **_route_options(route)}
        with refused_as_template_error(f"route {route.key}", source, route.pointer):
            built = api.route(
                route.key, authorizer=route.authorizer, api_key_required=route.api_key_required, **kwargs
            )
        settings = {name: getattr(built, name) for name in _ROUTE_SETTINGS}
        routes.append((route.key, settings, _binding(route, built.integration)))
    _add_usage_plans(app, spec, api)
    stages = []
    for stage in spec.stages:
        options = _stage_options(stage, api.routes)
        with refused_as_template_error(f"stage {stage.name}", source, spec.pointer):
            api.deploy(stage.name, **options)
        stages.append((stage.name, options))
    return api, PreparedWebSocketApi(spec, tuple(routes), tuple(stages))


@dataclass(frozen=True)
class PreparedWebSocketApi:
    """What building one WebSocket API of a template works out once (read-only, shared by the template's
    apps): each route's checked settings and its integration's parts, each stage's options. ``build(app)``
    makes the app's own API: the API, its authorizers, routes bound to its functions, usage plans and
    stages, all new."""

    spec: WebSocketApiSpec
    routes: tuple[tuple[str, dict[str, Any], Callable[[ServerlessApp, Any], Any]], ...]
    stages: tuple[tuple[str, dict[str, Any]], ...]

    def build(self, app: ServerlessApp) -> Any:
        """The app's own live WebSocket API, as ``prepare_websocket_api`` makes it (checks not made again)."""
        from pytest_serverless.gateway.websocket.model import WebSocketRoute

        spec = self.spec
        api = _new_api(app, spec)
        _add_authorizers(app, spec, api)
        for key, settings, integration in self.routes:
            api.routes[key] = WebSocketRoute(key, integration(app, api), **settings)
        api.version += len(self.routes)
        _add_usage_plans(app, spec, api)
        for name, options in self.stages:
            api.deploy(name, **options)
        return api


# ``WebSocketRoute``'s keywords: what a route is apart from its key and integration
_ROUTE_SETTINGS = ("authorizer", "api_key_required", "route_response", "timeout", "throttle")


def _new_api(app: ServerlessApp, spec: WebSocketApiSpec) -> Any:
    gateway = app._gateway  # (not ``app.gateway``: that property builds the APIs)
    name = spec.name if spec.name not in gateway.apis else f"{spec.name}-{spec.logical_id}"
    with refused_as_template_error(f"WebSocket API {spec.logical_id}", str(app.source), spec.pointer):
        return gateway.websocket_api(
            name,
            spec.route_selection_expression,
            api_key_selection_expression=spec.api_key_selection_expression,
        )


def _add_usage_plans(app: ServerlessApp, spec: WebSocketApiSpec, api: Any) -> None:
    for plan in spec.usage_plans:
        with refused_as_template_error(f"usage plan {plan.name}", str(app.source), spec.pointer):
            api.usage_plan(plan.name, **usage_plan_options(plan), stages=list(plan.stages) or None)


def _binding(route: WsRouteSpec, built: Any) -> Callable[[ServerlessApp, Any], Any]:
    """How an app makes its copy of the route's integration ``built`` (the first app's): bound to its own
    function (Lambda) or with its own connection pool (HTTP)."""
    integration = route.integration
    if integration is not None and integration.kind == "lambda":
        function = integration.function
        return bound_copies(built, "handler", lambda app, api: app.handler_for(function))
    if integration is not None and integration.kind == "http":
        return bound_copies(built, "_session", lambda app, api: None)
    return bound_copies(built)


def _add_authorizers(app: ServerlessApp, spec: WebSocketApiSpec, api: Any) -> None:
    """The template's REQUEST Lambda authorizers, and an IAM authorizer when a route is AWS_IAM."""
    from pytest_serverless.gateway.authorizers.iam import IamAuthorizer
    from pytest_serverless.gateway.authorizers.lambda_authorizer import LambdaAuthorizer

    for authorizer in spec.authorizers.values():
        with refused_as_template_error(f"authorizer {authorizer.name}", str(app.source), authorizer.pointer):
            api.authorizer(
                authorizer.name,
                LambdaAuthorizer(
                    app.handler_for(authorizer.function),
                    type="REQUEST",
                    identity_source=", ".join(authorizer.identity_source) or None,
                    ttl=0,
                    name=authorizer.name,
                ),
            )
    if any(route.authorizer == "AWS_IAM" for route in spec.routes.values()):
        api.authorizer("AWS_IAM", IamAuthorizer(credentials=dict(IAM_CREDENTIALS)))


def _integration_kwargs(app: ServerlessApp, route: WsRouteSpec) -> dict[str, Any]:
    """Where the route sends messages, as ``api.route`` keywords."""
    integration = route.integration
    if integration is None and route.key == "$connect":
        return {"mock": {"statusCode": 200}}  # an integration on $connect is optional
    if integration is None:
        return {"integration": _missing_integration()}
    if integration.kind == "lambda":
        handler = app.handler_for(integration.function)
        return {"integration": LambdaProxy(handler, function_name=app.function_name(integration.function))}
    if integration.kind == "mock":
        return {"mock": {"statusCode": 200}}
    return {"http": integration.url}


def _route_options(route: WsRouteSpec) -> dict[str, Any]:
    """The route's timeout (its integration's, within what the gateway allows) and whether it answers."""
    options: dict[str, Any] = {}
    if route.integration is not None and route.integration.timeout is not None:
        options["timeout"] = min(max(route.integration.timeout, 0.05), 29.0)
    if route.two_way:
        options["route_response_selection_expression"] = "$default"
    return options


def _stage_options(stage: StageSpec, routes: Mapping[str, Any]) -> dict[str, Any]:
    """A stage's variables, throttle and per-route throttles (for routes the API has) as ``api.deploy``
    keywords."""
    options: dict[str, Any] = {"variables": dict(stage.variables)}
    if stage.throttle is not None:
        options["throttle"] = (stage.throttle[0], int(stage.throttle[1]))
    throttles = {
        key: (rate, int(burst)) for key, (rate, burst) in stage.route_throttles.items() if key in routes
    }
    if throttles:
        options["route_throttles"] = throttles
    return options


def _missing_integration() -> Any:
    """A route with no ``Target``: every message gets AWS's ``Internal server error`` frame."""
    from pytest_serverless.gateway.websocket.integrations import Outcome, RouteIntegration

    class NoIntegration(RouteIntegration):
        kind = "none"

        def invoke(self, event: Any, body: str, headers: Any, call: Any) -> Outcome:
            return Outcome(failure="EXECUTION", error=LookupError("the route has no integration (Target)"))

    return NoIntegration()
