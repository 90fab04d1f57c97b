"""Turning an ``ApiSpec`` into a live gateway API: authorizers, routes, stages and usage plans.

The first app of a template builds each API with every check (``prepare_api``) and keeps a ``PreparedApi``
(route keys parsed, route and stage settings checked, each integration's parsed parts) in the template's
blueprint; the next apps build theirs from it (``PreparedApi.build``), making only their live objects.

JWT and Cognito authorizers get a ``TokenIssuer`` per issuer URL (on the app's clock) and trust its keys, so
``app.token_issuer(name).token(...)`` mints tokens the loaded API accepts. Lambda authorizers call the
template's function. IAM authorizers accept the credentials in ``IAM_CREDENTIALS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from pytest_serverless.errors import TemplateError, UsageError
from pytest_serverless.gateway.integrations.builders import (
    AwsService,
    HttpCustom,
    HttpProxy,
    LambdaCustom,
    LambdaProxy,
    MockResponse,
    StepFunctionsExecution,
)
from pytest_serverless.loaders.model import (
    ApiSpec,
    AuthorizerSpec,
    Integration,
    MethodSetting,
    RouteSpec,
    StageSpec,
    UsagePlanSpec,
)
from pytest_serverless.loaders.unsupported import StageVariableLambda, UnsupportedIntegration

if TYPE_CHECKING:
    from pytest_serverless.gateway.routing import ParsedRouteKey
    from pytest_serverless.loaders.app import ServerlessApp

__all__ = ["IAM_CREDENTIALS", "Prepared", "PreparedApi", "bound_copies", "prepare_api"]

# AWS's documentation example key pair: what a loaded AWS_IAM route accepts.
IAM_CREDENTIALS = {"AKIAIOSFODNN7EXAMPLE": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}


@contextmanager
def refused_as_template_error(
    what: str | None, source: str, pointer: str, refusals: tuple[type[Exception], ...] = (UsageError,)
) -> Iterator[None]:
    """The gateway refusing what the template declares (``refusals``) as a TemplateError naming ``what``
    (``None``: the gateway's message alone) at ``pointer``; our own TemplateErrors pass through."""
    try:
        yield
    except refusals as exc:
        if isinstance(exc, TemplateError):
            raise
        raise TemplateError(f"{what}: {exc}" if what else str(exc), source=source, pointer=pointer) from None


def usage_plan_options(plan: UsagePlanSpec) -> dict[str, Any]:
    """A usage plan's keys, throttle and quota as ``api.usage_plan`` keywords."""
    options: dict[str, Any] = {"api_keys": list(plan.api_keys)}
    if plan.throttle is not None:
        options["throttle"] = (plan.throttle[0], int(plan.throttle[1]))
    if plan.quota is not None:
        options["quota"] = plan.quota
    return options


def _authorizer(app: ServerlessApp, api: ApiSpec, spec: AuthorizerSpec) -> Any:
    """The gateway authorizer of a template's authorizer spec (JWT/Cognito, IAM or Lambda)."""
    app._authorizer_kinds[spec.name] = {"lambda": "Lambda", "iam": "AWS_IAM"}.get(spec.kind, spec.kind)
    if spec.kind in ("jwt", "cognito"):
        return _jwt_authorizer(app, spec)
    if spec.kind == "iam":
        from pytest_serverless.gateway.authorizers.iam import IamAuthorizer  # (its SigV4 code: IAM only)

        return IamAuthorizer(credentials=dict(IAM_CREDENTIALS), policies=app.iam_policies)
    return _lambda_authorizer(app, api, spec)


def _jwt_authorizer(app: ServerlessApp, spec: AuthorizerSpec) -> Any:
    """A JWT or Cognito authorizer trusting the keys of one ``TokenIssuer`` per issuer URL (created on the
    app's clock for the first authorizer of that issuer, with its audience or the user pool's client)."""
    from pytest_serverless.gateway.authorizers.cognito_jwt import JwtAuthorizer, TokenIssuer

    assert spec.issuer is not None
    issuer = app.issuers.get(spec.issuer)
    if issuer is None:
        if spec.kind == "jwt":
            audience = spec.audiences[0] if spec.audiences else "client-id"
        else:
            pool_id = spec.issuer.rsplit("/", 1)[-1]
            audience = app._model.user_pool_clients.get(pool_id, "client-id")
        issuer = TokenIssuer(issuer=spec.issuer, audience=audience, clock=app.clock)
        app.issuers[spec.issuer] = issuer
    app._authorizer_issuers[spec.name] = issuer
    source = spec.identity_source[0] if spec.identity_source else "Authorization"
    audiences: list[str] = list(spec.audiences) if spec.kind == "jwt" else []
    return JwtAuthorizer(issuer, audience=audiences, identity_source=source)


def _lambda_authorizer(app: ServerlessApp, api: ApiSpec, spec: AuthorizerSpec) -> Any:
    """A Lambda authorizer calling the template's function: TOKEN on a REST API, else REQUEST (payload
    2.0 and simple responses on an HTTP API); cached only with identity sources."""
    from pytest_serverless.gateway.authorizers.lambda_authorizer import LambdaAuthorizer

    handler = app.handler_for(spec.function)
    sources = list(spec.identity_source)
    if spec.lambda_type == "TOKEN" and api.kind == "REST":
        return LambdaAuthorizer(
            handler,
            type="TOKEN",
            identity_source=sources[0] if sources else "Authorization",
            ttl=min(spec.ttl, 3600),
            name=spec.name,
        )
    return LambdaAuthorizer(
        handler,
        type="REQUEST",
        identity_source=", ".join(sources) or None,
        ttl=min(spec.ttl, 3600) if sources else 0,
        payload_format="2.0" if api.kind == "HTTP" and spec.payload_version == "2.0" else "1.0",
        simple_responses=spec.simple_responses and api.kind == "HTTP" and spec.payload_version == "2.0",
        name=spec.name,
    )


def _route_kwargs(app: ServerlessApp, api: ApiSpec, route: RouteSpec) -> dict[str, Any]:
    """``api.route`` keywords: where the route goes (its integration), then who may call it and how."""
    kwargs: dict[str, Any] = {"integration": _integration(app, api, route)}
    kwargs.update(_route_options(app, api, route))
    return kwargs


def _integration(app: ServerlessApp, api: ApiSpec, route: RouteSpec) -> Any:
    """The route's integration object (a REST non-proxy integration with its mapping templates and
    integration responses)."""
    integration = route.integration
    mapped = not integration.proxy and api.kind == "REST"  # a REST integration with mapping templates
    if integration.kind == "lambda":
        return _lambda_integration(app, api, integration, mapped)
    if integration.kind == "unsupported":
        return UnsupportedIntegration(
            integration.feature or "this integration", f"{api.logical_id} route {route.key}"
        )
    if integration.kind == "sfn":
        return _state_machine_integration(app, api, route)
    if integration.kind == "aws":
        return _aws_service_integration(api, integration)
    templates, responses = _mapping(api, integration)
    if integration.kind == "http" and mapped:
        assert integration.url is not None
        return HttpCustom(integration.url, request_templates=templates, integration_responses=responses)
    if integration.kind == "http":
        assert integration.url is not None
        return HttpProxy(integration.url)
    assert integration.mock is not None
    return MockResponse(
        integration.mock,
        request_templates=templates if mapped else None,
        integration_responses=responses if mapped else None,
    )


def _mapping(api: ApiSpec, integration: Integration) -> tuple[Any, Any]:
    """A REST integration's request templates and integration responses (None when absent or on HTTP APIs)."""
    if api.kind != "REST":
        return None, None
    return integration.request_templates or None, integration.responses or None


def _lambda_integration(app: ServerlessApp, api: ApiSpec, integration: Integration, mapped: bool) -> Any:
    """A Lambda integration: the template's function, or (a proxy integration whose function ARN names a
    stage variable) the function the stage's variable names at request time."""
    if "${stageVariables." in (integration.function or "") and integration.proxy:
        return _stage_variable_lambda(app, api, integration.function or "", integration)
    handler = app.handler_for(integration.function)
    function_name = app.function_name(integration.function)
    if mapped:
        templates, responses = _mapping(api, integration)
        return LambdaCustom(
            handler, function_name=function_name, request_templates=templates, integration_responses=responses
        )
    return LambdaProxy(
        handler,
        function_name=function_name,
        payload_format=integration.payload_format if api.kind == "HTTP" else None,
    )


def _state_machine_integration(app: ServerlessApp, api: ApiSpec, route: RouteSpec) -> Any:
    """A Step Functions integration: the template's state machine, started (a)synchronously."""
    integration = route.integration
    assert integration.state_machine is not None
    machine = app.state_machines.get(integration.state_machine)
    if machine is None:
        raise TemplateError(
            f"the integration starts {integration.state_machine!r}, which is not a state machine of "
            "this template",
            source=str(app.source),
            pointer=route.pointer,
        )
    templates, responses = _mapping(api, integration)
    return StepFunctionsExecution(
        machine, sync=integration.sync, request_templates=templates, integration_responses=responses
    )


def _aws_service_integration(api: ApiSpec, integration: Integration) -> Any:
    """An AWS service integration: HTTP APIs map request parameters; REST APIs map templates, parameters
    and integration responses."""
    assert integration.url is not None
    if api.kind == "HTTP":
        return AwsService(integration.url, request_parameters=integration.request_parameters or {})
    return AwsService(
        integration.url,
        method=integration.http_method or None,
        request_templates=integration.request_templates or None,
        request_parameters=integration.request_parameters or None,
        integration_responses=integration.responses or [],
    )


def _route_options(app: ServerlessApp, api: ApiSpec, route: RouteSpec) -> dict[str, Any]:
    """The route-level ``api.route`` keywords: authorizer and scopes, API key, timeout, and (REST) request
    validation and cache keys."""
    options = _authorization_options(app, api, route)
    api_key = route.api_key_required if route.api_key_required is not None else api.api_key_required
    if api_key and api.kind == "REST":
        options["api_key_required"] = True
    if route.integration.timeout is not None:
        options["timeout"] = route.integration.timeout
    if api.kind != "REST":
        return options
    if route.request_schema is not None:
        options["request_schema"] = route.request_schema
    if route.required_parameters:
        options["required_parameters"] = list(route.required_parameters)
    if route.cache_key_parameters:
        options["cache_key_parameters"] = list(route.cache_key_parameters)
    return options


def _authorization_options(app: ServerlessApp, api: ApiSpec, route: RouteSpec) -> dict[str, Any]:
    """The route's authorizer (its own, else the API's default; "NONE" for none) and the scopes it needs."""
    authorizer = route.authorizer if route.authorizer is not None else api.default_authorizer
    if authorizer is None or authorizer == "NONE":
        return {}
    if authorizer not in api.authorizers:
        raise TemplateError(
            f"route {route.key} uses authorizer {authorizer!r}, which the API does not declare "
            f"(authorizers: {sorted(api.authorizers) or 'none'})",
            source=str(app.source),
            pointer=route.pointer,
        )
    options: dict[str, Any] = {"authorizer": authorizer}
    scopes = route.scopes if route.scopes is not None else api.authorizers[authorizer].scopes
    if scopes:
        options["scopes"] = list(scopes)
    return options


def _stage_variable_lambda(app: ServerlessApp, api: ApiSpec, template: str, integration: Any) -> Any:
    from pytest_serverless.gateway.integrations.lambda_proxy import LambdaProxyIntegration

    payload_format = integration.payload_format if api.kind == "HTTP" else None

    def build(target: str) -> Any:
        return LambdaProxyIntegration(
            app.handler_for(target), function_name=app.function_name(target), payload_format=payload_format
        )

    return StageVariableLambda(template, app.model.function_for_arn, build)


def _unsupported_state_machine(app: ServerlessApp, route: RouteSpec) -> RouteSpec:
    """A Step Functions route whose state machine is not in the template: it degrades to a failing route."""
    feature = (
        f"a Step Functions integration starting {route.integration.state_machine!r}, which is not a state "
        "machine of this template"
    )
    found = Integration("unsupported", feature=feature, timeout=route.integration.timeout)
    return RouteSpec(
        method=route.method,
        path=route.path,
        integration=found,
        pointer=route.pointer,
        authorizer=route.authorizer,
        scopes=route.scopes,
        api_key_required=route.api_key_required,
    )


def _unquote(value: Any) -> str:
    return str(value).strip().strip("'")


def _cors(api: ApiSpec) -> dict[str, Any] | None:
    """SAM ``Cors`` (quoted values), ``CorsConfiguration`` or ``x-amazon-apigateway-cors`` as gateway cors."""
    cors = api.cors
    if cors is None:
        return None
    lowered = {key[0].lower() + key[1:]: value for key, value in cors.items()}
    config: dict[str, Any] = {}

    def listing(value: Any) -> list[str]:
        if isinstance(value, list):
            return [_unquote(item) for item in value]
        return [part.strip() for part in _unquote(value).split(",") if part.strip()]

    origins = lowered.get("allowOrigins", lowered.get("allowOrigin"))
    config["allow_origins"] = listing(origins) if origins is not None else ["*"]
    if lowered.get("allowMethods") is not None:
        config["allow_methods"] = listing(lowered["allowMethods"])
    if lowered.get("allowHeaders") is not None:
        config["allow_headers"] = listing(lowered["allowHeaders"])
    if lowered.get("exposeHeaders") is not None:
        config["expose_headers"] = listing(lowered["exposeHeaders"])
    if lowered.get("maxAge") is not None:
        config["max_age"] = int(_unquote(lowered["maxAge"]))
    if lowered.get("allowCredentials") is not None:
        config["allow_credentials"] = str(lowered["allowCredentials"]).lower() in ("true", "'true'")
    return config


def _authorized_preflights(api: ApiSpec) -> list[RouteSpec]:
    """SAM puts the default authorizer on the OPTIONS methods it adds for CORS (unless
    ``AddDefaultAuthorizerToCorsPreflight: false``): a preflight without a token is refused, as in AWS."""

    config = _cors(api) or {}
    methods: dict[str, set[str]] = {}
    for route in api.routes:
        methods.setdefault(route.path, set()).add(route.method)
    added: list[RouteSpec] = []
    for path, verbs in sorted(methods.items()):
        if "OPTIONS" in verbs or path == "$default":
            continue
        headers = {
            "Access-Control-Allow-Origin": ",".join(config.get("allow_origins", ["*"])),
            "Access-Control-Allow-Methods": ",".join(
                config.get("allow_methods") or sorted({*verbs, "OPTIONS"})
            ),
        }
        if config.get("allow_headers"):
            headers["Access-Control-Allow-Headers"] = ",".join(config["allow_headers"])
        if config.get("max_age") is not None:
            headers["Access-Control-Max-Age"] = str(config["max_age"])
        mock = {"statusCode": 200, "body": "", "headers": headers}
        added.append(
            RouteSpec(
                method="OPTIONS",
                path=path,
                integration=Integration("mock", mock=mock),
                pointer=api.pointer + "/Auth/AddDefaultAuthorizerToCorsPreflight",
                api_key_required=False,
            )
        )
    return added


_CACHED_BY_DEFAULT = ("GET",)  # a stage-wide CachingEnabled caches GET methods only, as in AWS


def _method_settings(
    stage: StageSpec, routes: list[RouteSpec]
) -> tuple[int, dict[str, tuple[bool, int]], dict[str, tuple[float, float]]]:
    """Each route's caching (enabled, TTL) and throttle from the stage's ``MethodSettings``: for each field
    the most specific entry that sets it wins (``/orders/GET`` over ``/orders/*`` over ``/*/GET`` over
    ``/*/*``). Returns (the stage cache's TTL, 0 for no cache; route caching; route throttles)."""
    caching: dict[str, tuple[bool, int]] = {}
    throttles: dict[str, tuple[float, float]] = {}
    stage_ttl = _stage_cache_ttl(stage)
    for route in routes:
        if route.path == "$default":
            continue
        throttle, rank = _most_specific(stage, route, "throttle")
        if throttle is not None and throttle.throttle is not None and rank > 0:
            throttles[route.key] = throttle.throttle
        if stage.cache_cluster:
            caching[route.key] = _route_caching(stage, route, stage_ttl)
    enabled_ttls = [ttl for on, ttl in caching.values() if on]
    if not enabled_ttls:
        return 0, {}, throttles
    return max(enabled_ttls + [stage_ttl]) or 1, caching, throttles


def _stage_cache_ttl(stage: StageSpec) -> int:
    """The stage cache's TTL: the ``/*/*`` entry's ``CacheTtlInSeconds`` (the last one given), else 300."""
    stage_ttl = 300
    for entry in stage.method_settings:
        if entry.path == "/*" and entry.method == "*" and entry.cache_ttl is not None:
            stage_ttl = int(entry.cache_ttl)
    return stage_ttl


def _most_specific(stage: StageSpec, route: RouteSpec, field: str) -> tuple[MethodSetting | None, int]:
    """The most specific ``MethodSettings`` entry for the route that sets ``field``, and its rank."""
    best: tuple[MethodSetting | None, int] = (None, -1)
    for entry in stage.method_settings:
        rank = entry.specificity(route.method, route.path)
        if rank is not None and rank >= best[1] and getattr(entry, field) is not None:
            best = (entry, rank)
    return best


def _route_caching(stage: StageSpec, route: RouteSpec, stage_ttl: int) -> tuple[bool, int]:
    """Whether the route's answers are cached (a wildcard method caches GET only) and for how long."""
    enabling, _ = _most_specific(stage, route, "caching")
    enabled = bool(enabling is not None and enabling.caching)
    if enabled and enabling is not None and enabling.method == "*":
        enabled = route.method in _CACHED_BY_DEFAULT
    timing, _ = _most_specific(stage, route, "cache_ttl")
    ttl = int(timing.cache_ttl) if timing is not None and timing.cache_ttl is not None else stage_ttl
    return enabled, min(max(ttl, 0), 3600)


def prepare_api(app: ServerlessApp, spec: ApiSpec) -> tuple[Any, PreparedApi]:
    """The app's live gateway API of a template's REST or HTTP API (authorizers, gateway responses, routes,
    deployed stages and usage plans), every check made, and what the next apps of the template build
    theirs from."""
    api = _new_api(app, spec, _cors(spec))
    source = str(app.source)
    _add_authorizers(app, spec, api)
    _add_gateway_responses(app, spec, api)
    known = len(app.unsupported)
    routes, prepared = _add_routes(app, spec, api)
    unsupported = tuple(app.unsupported[known:])
    refusals = (UsageError, ValueError, TypeError)
    stages: list[tuple[str, dict[str, Any], str | None]] = []
    for stage in spec.stages or []:
        kwargs = _stage_kwargs(spec, stage, routes)
        with refused_as_template_error(f"stage {stage.name}", source, spec.pointer, refusals):
            deployed = api.deploy(stage.name, **kwargs)
            deployed.access_log_format = stage.access_log_format
        stages.append((stage.name, kwargs, stage.access_log_format))
    _add_usage_plans(app, spec, api)
    api.logical_id = spec.logical_id  # what reports call it
    return api, PreparedApi(spec, api.cors, tuple(prepared), unsupported, tuple(stages))


class Prepared(Protocol):
    """An API of a template as prepared by the first app that built it (``PreparedApi``, or
    ``websocket.PreparedWebSocketApi``): ``build(app)`` makes an app's own live API from it."""

    def build(self, app: ServerlessApp) -> Any: ...


class PreparedRoute(NamedTuple):
    """A route as the first app declared it: its parsed key, integration kind and checked settings
    (``Route``'s keywords), and how an app makes the route's integration, bound to that app's own function,
    state machine or AWS service answers."""

    key: ParsedRouteKey
    kind: str
    settings: dict[str, Any]
    integration: Callable[[ServerlessApp, Any], Any]


@dataclasses.dataclass(frozen=True)
class PreparedApi:
    """What building one API of a template works out once (read-only, shared by the template's apps): its
    checked CORS configuration, each route's parsed key and checked settings (request validator, cache
    keys, scopes...) with its integration's parsed parts, what ``app.unsupported`` lists for it, and each
    stage's settings from ``MethodSettings``. ``build(app)`` makes the app's own API from it: the API, its
    authorizers and gateway responses, its routes' integrations, its stages (buckets, cache) and usage plans
    (counters), all new. Never refers to an app or to anything of one."""

    spec: ApiSpec
    cors: Any  # the checked CorsConfig, or None
    routes: tuple[PreparedRoute, ...]
    unsupported: tuple[str, ...]
    stages: tuple[tuple[str, dict[str, Any], str | None], ...]  # (name, ``api.deploy`` keywords, log format)

    def build(self, app: ServerlessApp) -> Any:
        """The app's own live API, as ``prepare_api`` makes it (the checks it made are not made again)."""
        from pytest_serverless.gateway.model import Route

        spec = self.spec
        api = _new_api(app, spec, self.cors)
        _add_authorizers(app, spec, api)
        _add_gateway_responses(app, spec, api)
        routes = api.routes
        for key, kind, settings, integration in self.routes:
            routes[key.route_key] = Route(key, integration(app, api), kind, **settings)
        app.unsupported.extend(self.unsupported)
        for name, kwargs, log_format in self.stages:
            api.deploy(name, **kwargs).access_log_format = log_format
        _add_usage_plans(app, spec, api)
        api.logical_id = spec.logical_id
        return api


def _add_authorizers(app: ServerlessApp, spec: ApiSpec, api: Any) -> None:
    source = str(app.source)
    for name, authorizer in spec.authorizers.items():
        with refused_as_template_error(f"authorizer {name}", source, authorizer.pointer):
            api.authorizer(name, _authorizer(app, spec, authorizer))


def _add_gateway_responses(app: ServerlessApp, spec: ApiSpec, api: Any) -> None:
    source = str(app.source)
    for response_type, entry in spec.gateway_responses.items():
        with refused_as_template_error(None, source, entry.get("pointer", spec.pointer)):
            api.gateway_response(
                response_type,
                entry.get("status"),
                templates=entry.get("templates"),
                parameters=entry.get("parameters"),
            )


def _add_usage_plans(app: ServerlessApp, spec: ApiSpec, api: Any) -> None:
    refusals = (UsageError, ValueError, TypeError)
    for plan in spec.usage_plans:
        with refused_as_template_error(f"usage plan {plan.name}", str(app.source), spec.pointer, refusals):
            api.usage_plan(plan.name, **usage_plan_options(plan))


def _new_api(app: ServerlessApp, spec: ApiSpec, cors: Any) -> Any:
    """The gateway's REST API (with its resource policy) or HTTP API; a second API of the template with the
    same Name gets its logical id appended."""
    gateway = app._gateway
    name = spec.name
    if name in gateway.apis:  # two APIs of one template with the same Name
        name = f"{spec.name}-{spec.logical_id}"
    with refused_as_template_error(
        f"API {spec.logical_id}", str(app.source), spec.pointer, (UsageError, ValueError)
    ):
        if spec.kind != "REST":
            return gateway.http_api(name, cors=cors)
        api = gateway.rest_api(
            name,
            binary_media_types=list(spec.binary_media_types) or None,
            cors=cors,
            api_key_source=spec.api_key_source.upper(),
            endpoint_type=spec.endpoint_type,
        )
        if spec.policy is not None:
            api.policy(spec.policy)
        return api


def _add_routes(app: ServerlessApp, spec: ApiSpec, api: Any) -> tuple[list[RouteSpec], list[PreparedRoute]]:
    """Every route of the API (with the CORS preflights SAM authorizes), each declared once; a Step
    Functions route to a state machine not in the template degrades to a failing route. Returns them, and
    each as prepared for the next apps."""
    routes = list(spec.routes)
    if spec.cors is not None and spec.default_authorizer is not None and spec.preflight_authorized:
        routes += _authorized_preflights(spec)
    seen: dict[str, str] = {}
    prepared: list[PreparedRoute] = []
    for route in routes:
        if route.key in seen:
            raise TemplateError(
                f"route {route.key} is declared twice (also at {seen[route.key]})",
                source=str(app.source),
                pointer=route.pointer,
            )
        seen[route.key] = route.pointer
        if route.integration.kind == "sfn" and route.integration.state_machine not in app.state_machines:
            route = _unsupported_state_machine(app, route)
        if route.integration.kind == "unsupported":
            app.unsupported.append(
                f"{spec.logical_id}: route {route.key}: {route.integration.feature} "
                "(requests to it answer 500)"
            )
        prepared.append(_add_route(app, spec, api, route))
    return routes, prepared


def _add_route(app: ServerlessApp, spec: ApiSpec, api: Any, route: RouteSpec) -> PreparedRoute:
    refusals = (UsageError, ValueError, TypeError)
    with refused_as_template_error(f"route {route.key}", str(app.source), route.pointer, refusals):
        kwargs = _route_kwargs(app, spec, route)
        built = api.route(route.key, **kwargs)
        if isinstance(kwargs.get("integration"), StageVariableLambda):
            built.integration_kind = "lambda_proxy"
    settings = {name: getattr(built, name) for name in _ROUTE_SETTINGS}
    binding = _binding(spec, route, built.integration)
    return PreparedRoute(built.key, built.integration_kind, settings, binding)


# ``Route``'s keywords: what a route is apart from its key, integration and integration kind
_ROUTE_SETTINGS = (
    "authorizer",
    "scopes",
    "api_key_required",
    "timeout",
    "validator",
    "required_parameters",
    "cache_key_parameters",
    "caching",
    "throttle",
)


def _binding(spec: ApiSpec, route: RouteSpec, built: Any) -> Callable[[ServerlessApp, Any], Any]:
    """How an app makes its own copy of the integration ``built`` (the first app's): the parsed parts
    (mapping templates, integration responses, service URI...) shared, the live collaborator its own."""
    integration = route.integration
    if isinstance(built, StageVariableLambda):
        target = integration.function or ""
        return lambda app, api: _stage_variable_lambda(app, spec, target, integration)
    if isinstance(built, UnsupportedIntegration):
        feature, where = integration.feature or "this integration", f"{spec.logical_id} route {route.key}"
        return lambda app, api: UnsupportedIntegration(feature, where)
    live: Callable[[ServerlessApp, Any], Any]
    if integration.kind == "lambda":
        attribute, live = "handler", lambda app, api: app.handler_for(integration.function)
    elif integration.kind == "sfn":
        machine = integration.state_machine or ""
        attribute, live = "state_machine", lambda app, api: app.state_machines[machine]
    elif integration.kind == "aws":  # the app's gateway's registry of AWS service answers
        attribute, live = "handlers", lambda app, api: api.gateway.aws_handlers
    elif integration.kind == "http":  # an HTTP integration's own connection pool, made on first use
        attribute, live = "_session", lambda app, api: None
    else:
        return bound_copies(built)
    return bound_copies(built, attribute, live)


def bound_copies(
    built: Any, attribute: str | None = None, live: Callable[[ServerlessApp, Any], Any] | None = None
) -> Callable[[ServerlessApp, Any], Any]:
    """How an app makes its copy of the first app's integration ``built`` (``_copy``: its parsed parts
    shared) whose ``attribute`` (its one live collaborator, if any) is ``live(app, api)``."""
    template = _copy(built)
    if attribute is None or live is None:
        return lambda app, api: _copy(template)
    setattr(template, attribute, None)  # never the first app's

    def bind(app: ServerlessApp, api: Any) -> Any:
        fresh = _copy(template)
        setattr(fresh, attribute, live(app, api))
        return fresh

    return bind


def _copy(integration: Any) -> Any:
    """A copy of an integration object with its own top-level dicts and lists (what one app changes in its
    copy, another never sees) sharing the parsed parts they hold (``copy.copy`` costs several times more)."""
    fresh = object.__new__(type(integration))
    fresh.__dict__.update(
        {
            name: value.copy() if type(value) is dict or type(value) is list else value
            for name, value in integration.__dict__.items()
        }
    )
    return fresh


def _stage_kwargs(spec: ApiSpec, stage: StageSpec, routes: list[RouteSpec]) -> dict[str, Any]:
    """A stage's variables, throttles (stage-wide, per route and per method) and (REST) caching and
    cache-control settings as ``api.deploy`` keywords."""
    kwargs: dict[str, Any] = {"variables": dict(stage.variables)}
    if stage.throttle is not None:
        kwargs["throttle"] = (stage.throttle[0], int(stage.throttle[1]))
    cache_ttl, caching, method_throttles = _method_settings(stage, routes)
    if spec.kind == "REST":
        kwargs.update(_rest_cache_kwargs(stage, cache_ttl, caching))
    keys = {route.key for route in routes}
    throttles = {key: value for key, value in stage.route_throttles.items() if key in keys}
    throttles.update(method_throttles)
    if throttles:
        kwargs["route_throttles"] = {key: (rate, int(burst)) for key, (rate, burst) in throttles.items()}
    return kwargs


def _rest_cache_kwargs(
    stage: StageSpec, cache_ttl: int, caching: dict[str, tuple[bool, int]]
) -> dict[str, Any]:
    """A REST stage's cache (its TTL and each route's caching) and cache-control settings."""
    kwargs: dict[str, Any] = {}
    if cache_ttl:
        kwargs["cache_ttl"] = cache_ttl
        kwargs["route_caching"] = caching
    require, strategy = stage.cache_control
    if require is not None:
        kwargs["require_authorization_for_cache_control"] = require
    if strategy is not None:
        kwargs["unauthorized_cache_control_header_strategy"] = strategy
    return kwargs
