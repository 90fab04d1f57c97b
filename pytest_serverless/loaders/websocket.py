"""WebSocket APIs in templates: ``AWS::ApiGatewayV2::Api`` with ``ProtocolType: WEBSOCKET`` and its ``Route``,
``Integration`` (AWS_PROXY to a template function, MOCK, HTTP_PROXY), ``RouteResponse``, ``Authorizer``
(REQUEST Lambda) and ``Stage`` resources; SAM functions are wired to routes through their integrations'
``IntegrationUri``. ``build_websocket_api`` turns the spec into a live ``gateway.websocket_api``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_serverless.errors import TemplateError, UsageError
from pytest_serverless.gateway.integrations.builders import LambdaProxy

from .cloudformation import Template
from .model import StageSpec, TemplateModel, UsagePlanSpec
from .sam import logical_target
from .sam_api import http_stage
from .uris import lambda_target
from .usage_plans import read_usage_plans

if TYPE_CHECKING:
    from .app import ServerlessApp

__all__ = ["WebSocketApiSpec", "build_websocket_api", "read_websocket_resources", "websocket_api_ids"]

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
    apis: dict[str, WebSocketApiSpec] = {}
    for logical_id in sorted(websocket_api_ids(t)):
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
        apis[logical_id] = spec
    if not apis:
        return apis

    def owner(logical_id: str) -> WebSocketApiSpec | None:
        target = logical_target(t, t.raw_property(logical_id, "ApiId"), (_API,))
        return apis.get(target) if target is not None else None

    integrations: dict[str, WsIntegrationSpec] = {}
    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Integration"):
        if owner(logical_id) is None:
            continue
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        kind = str(props.get("IntegrationType", "")).upper()
        uri = props.get("IntegrationUri")
        millis = props.get("TimeoutInMillis")
        timeout = float(millis) / 1000 if millis not in (None, "") else None
        if kind == "AWS_PROXY" and isinstance(uri, str):
            integrations[logical_id] = WsIntegrationSpec(
                "lambda", pointer, function=lambda_target(model, uri), timeout=timeout
            )
        elif kind == "MOCK":
            integrations[logical_id] = WsIntegrationSpec("mock", pointer, timeout=timeout)
        elif kind == "HTTP_PROXY" and isinstance(uri, str):
            integrations[logical_id] = WsIntegrationSpec("http", pointer, url=uri, timeout=timeout)
        else:
            model.unsupported.append(
                f"{logical_id}: WebSocket integration {kind or '(no IntegrationType)'} (AWS_PROXY to a "
                "function, MOCK and HTTP_PROXY are emulated; its routes answer Internal server error)"
            )

    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Authorizer"):
        api = owner(logical_id)
        if api is None:
            continue
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        if str(props.get("AuthorizerType", "")).upper() != "REQUEST" or not isinstance(
            props.get("AuthorizerUri"), str
        ):
            raise t.error("a WebSocket API authorizer is a REQUEST authorizer with an AuthorizerUri", pointer)
        sources = props.get("IdentitySource") or []
        api.authorizers[logical_id] = WsAuthorizerSpec(
            name=str(props.get("Name") or logical_id),
            pointer=pointer,
            function=lambda_target(model, props["AuthorizerUri"]),
            identity_source=[str(s) for s in (sources if isinstance(sources, list) else [sources])],
        )

    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Route"):
        api = owner(logical_id)
        if api is None:
            continue
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        key = props.get("RouteKey")
        if not isinstance(key, str) or not key:
            raise t.error("a route needs a RouteKey", pointer + "/RouteKey")
        route = WsRouteSpec(key, pointer, api_key_required=bool(props.get("ApiKeyRequired", False)))
        target = props.get("Target")
        if target is not None:
            text = str(target)
            route.integration = next(
                (
                    spec
                    for lid, spec in integrations.items()
                    if text.endswith("/" + t.short_id(lid)) or text.endswith("/" + lid)
                ),
                None,
            )
            if route.integration is None and not any(
                text.endswith("/" + t.short_id(lid)) or text.endswith("/" + lid)
                for lid in _of_type(t, "AWS::ApiGatewayV2::Integration")
            ):
                raise t.error(
                    "Target must be integrations/<Ref of an AWS::ApiGatewayV2::Integration>",
                    pointer + "/Target",
                )
        auth_type = str(props.get("AuthorizationType", "NONE")).upper()
        if auth_type == "AWS_IAM":
            route.authorizer = "AWS_IAM"
        elif auth_type == "CUSTOM":
            authorizer = logical_target(
                t, t.raw_property(logical_id, "AuthorizerId"), ("AWS::ApiGatewayV2::Authorizer",)
            )
            if authorizer not in api.authorizers:
                raise t.error(
                    "AuthorizationType CUSTOM needs an AuthorizerId naming an AWS::ApiGatewayV2::Authorizer",
                    pointer + "/AuthorizerId",
                )
            route.authorizer = api.authorizers[authorizer].name
        route.two_way = props.get("RouteResponseSelectionExpression") is not None
        api.routes[logical_id] = route

    responded: set[str] = set()
    for logical_id in _of_type(t, "AWS::ApiGatewayV2::RouteResponse"):
        if owner(logical_id) is None:
            continue
        route_id = logical_target(t, t.raw_property(logical_id, "RouteId"), ("AWS::ApiGatewayV2::Route",))
        if route_id is not None:
            responded.add(route_id)
    for api in apis.values():
        for route_id, route in api.routes.items():
            route.two_way = route.two_way and route_id in responded

    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Stage"):
        api = owner(logical_id)
        if api is not None:
            stage = http_stage(t.properties(logical_id))
            api.stages = [s for s in api.stages if s.name != stage.name] + [stage]
    _usage_plans(t, model, apis)
    return apis


def _usage_plans(t: Template, model: TemplateModel, apis: dict[str, WebSocketApiSpec]) -> None:
    """``AWS::ApiGateway::UsagePlan`` entries whose ``ApiStages`` name a WebSocket API, with their keys."""

    def plans_of(raw_api_id: Any) -> list[UsagePlanSpec] | None:
        api = apis.get(logical_target(t, raw_api_id, (_API,)) or "")
        return api.usage_plans if api is not None else None

    read_usage_plans(t, model.api_keys, plans_of)


def build_websocket_api(app: ServerlessApp, spec: WebSocketApiSpec) -> Any:
    """The live ``gateway.websocket_api`` of a template's WebSocket API, its stages deployed."""
    from pytest_serverless.gateway.authorizers.iam import IamAuthorizer
    from pytest_serverless.gateway.authorizers.lambda_authorizer import LambdaAuthorizer

    from .build_api import IAM_CREDENTIALS

    source = str(app.source)
    name = spec.name if spec.name not in app.gateway.apis else f"{spec.name}-{spec.logical_id}"
    try:
        api = app.gateway.websocket_api(
            name,
            spec.route_selection_expression,
            api_key_selection_expression=spec.api_key_selection_expression,
        )
    except UsageError as exc:
        raise TemplateError(
            f"WebSocket API {spec.logical_id}: {exc}", source=source, pointer=spec.pointer
        ) from None
    for authorizer in spec.authorizers.values():
        try:
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
        except UsageError as exc:
            raise TemplateError(
                f"authorizer {authorizer.name}: {exc}", source=source, pointer=authorizer.pointer
            ) from None
    if any(route.authorizer == "AWS_IAM" for route in spec.routes.values()):
        api.authorizer("AWS_IAM", IamAuthorizer(credentials=dict(IAM_CREDENTIALS)))
    for route in spec.routes.values():
        integration = route.integration
        kwargs: dict[str, Any] = {}
        if integration is None and route.key == "$connect":
            kwargs["mock"] = {"statusCode": 200}  # an integration on $connect is optional
        elif integration is None:
            kwargs["integration"] = _missing_integration()
        elif integration.kind == "lambda":
            kwargs["integration"] = LambdaProxy(
                app.handler_for(integration.function), function_name=app.function_name(integration.function)
            )
        elif integration.kind == "mock":
            kwargs["mock"] = {"statusCode": 200}
        else:
            kwargs["http"] = integration.url
        if integration is not None and integration.timeout is not None:
            kwargs["timeout"] = min(max(integration.timeout, 0.05), 29.0)
        if route.two_way:
            kwargs["route_response_selection_expression"] = "$default"
        try:
            api.route(
                route.key, authorizer=route.authorizer, api_key_required=route.api_key_required, **kwargs
            )
        except UsageError as exc:
            raise TemplateError(f"route {route.key}: {exc}", source=source, pointer=route.pointer) from None
    for plan in spec.usage_plans:
        limits: dict[str, Any] = {"api_keys": list(plan.api_keys), "stages": list(plan.stages) or None}
        if plan.throttle is not None:
            limits["throttle"] = (plan.throttle[0], int(plan.throttle[1]))
        if plan.quota is not None:
            limits["quota"] = plan.quota
        try:
            api.usage_plan(plan.name, **limits)
        except UsageError as exc:
            raise TemplateError(
                f"usage plan {plan.name}: {exc}", source=source, pointer=spec.pointer
            ) from None
    for stage in spec.stages:
        options: dict[str, Any] = {"variables": dict(stage.variables)}
        if stage.throttle is not None:
            options["throttle"] = (stage.throttle[0], int(stage.throttle[1]))
        throttles = {
            key: (rate, int(burst))
            for key, (rate, burst) in stage.route_throttles.items()
            if key in api.routes
        }
        if throttles:
            options["route_throttles"] = throttles
        try:
            api.deploy(stage.name, **options)
        except UsageError as exc:
            raise TemplateError(f"stage {stage.name}: {exc}", source=source, pointer=spec.pointer) from None
    return api


def _missing_integration() -> Any:
    """A route with no ``Target``: every message gets AWS's ``Internal server error`` frame."""
    from pytest_serverless.gateway.websocket.integrations import Outcome, RouteIntegration

    class NoIntegration(RouteIntegration):
        kind = "none"

        def invoke(self, event: Any, body: str, headers: Any, call: Any) -> Outcome:
            return Outcome(failure="EXECUTION", error=LookupError("the route has no integration (Target)"))

    return NoIntegration()
