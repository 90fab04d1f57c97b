"""Plain CloudFormation API Gateway resources, as CDK and hand-written templates declare them.

REST: ``AWS::ApiGateway::RestApi`` (with a ``Body``/``BodyS3Location`` or built from ``Resource`` and
``Method`` resources), ``Authorizer``, ``Deployment``/``Stage`` (variables, MethodSettings), ``UsagePlan``,
``ApiKey``, ``UsagePlanKey``, ``RequestValidator``/``Model``. HTTP: ``AWS::ApiGatewayV2::Api`` (with a
``Body`` or quick-create ``Target``), ``Route``, ``Integration``, ``Authorizer`` and ``Stage``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .cloudformation import Template
from .model import ApiSpec, AuthorizerSpec, Integration, RouteSpec, StageSpec, TemplateModel, UsagePlanSpec
from .openapi import read_body
from .sam import logical_target
from .sam_api import (
    HTTP_NOT_EMULATED,
    access_log_format,
    endpoint_type,
    http_stage,
    list_not_emulated,
    local_document,
    stage_from_method_settings,
)
from .uris import CFN_METHOD_FIELDS, CFN_V2_FIELDS, cognito_issuer, integration_of, lambda_target
from .usage_plans import read_usage_plans
from .websocket import belongs_to_websocket_api, websocket_api_ids

__all__ = ["read_rest_resources", "read_v2_resources"]

_REST_API = ("AWS::ApiGateway::RestApi",)
_V2_API = ("AWS::ApiGatewayV2::Api",)


def _of_type(t: Template, kind: str) -> list[str]:
    return [logical_id for logical_id in t.resources if t.resource_type(logical_id) == kind]


def _api_of(
    t: Template, model: TemplateModel, logical_id: str, field: str, expected: tuple[str, ...]
) -> ApiSpec:
    api_id = logical_target(t, t.raw_property(logical_id, field), expected)
    if api_id is None or api_id not in model.apis:
        raise t.error(
            f"{field} names no {expected[0]} of this template", f"/Resources/{logical_id}/Properties/{field}"
        )
    return model.apis[api_id]


def _read_api_body(
    t: Template, model: TemplateModel, api: ApiSpec, props: Mapping[str, Any], pointer: str
) -> None:
    """Read a RestApi's or HTTP Api's OpenAPI ``Body``, or the local file its ``BodyS3Location`` names."""
    if "Body" in props:
        read_body(props["Body"], api, model, source=t.source, pointer=pointer + "/Body")
    elif "BodyS3Location" in props and (
        not isinstance(props["BodyS3Location"], str) or props["BodyS3Location"].startswith("s3://")
    ):
        model.unsupported.append(
            f"{api.logical_id}: BodyS3Location in S3 (its routes are unknown; use a local path)"
        )
    elif isinstance(props.get("BodyS3Location"), str):
        body = local_document(t, props["BodyS3Location"], pointer + "/BodyS3Location")
        read_body(body, api, model, source=t.source, pointer=pointer + "/BodyS3Location")


def _add_api(
    t: Template, model: TemplateModel, api: ApiSpec, props: Mapping[str, Any], *not_emulated: tuple[str, ...]
) -> None:
    """Register ``api``, list its properties that are not emulated and read its OpenAPI body."""
    model.apis[api.logical_id] = api
    list_not_emulated(model, api.logical_id, props, *not_emulated)
    _read_api_body(t, model, api, props, api.pointer)


_BuildAuthorizer = Callable[[Template, TemplateModel, Mapping[str, Any], str, str], AuthorizerSpec]


def _read_authorizers(
    t: Template,
    model: TemplateModel,
    logical_ids: list[str],
    api_field: str,
    expected: tuple[str, ...],
    build: _BuildAuthorizer,
) -> dict[str, str]:
    """Each authorizer resource (built by ``build`` from its properties, their pointer and its name) onto the
    API its ``api_field`` names; the authorizer names by logical id."""
    names: dict[str, str] = {}
    for logical_id in logical_ids:
        api = _api_of(t, model, logical_id, api_field, expected)
        props = t.properties(logical_id)
        name = str(props.get("Name") or logical_id)
        api.authorizers[name] = build(t, model, props, f"/Resources/{logical_id}/Properties", name)
        names[logical_id] = name
    return names


def _authorizer_uri(t: Template, props: Mapping[str, Any], pointer: str, kind: str) -> str:
    uri = props.get("AuthorizerUri")
    if not isinstance(uri, str):
        raise t.error(f"a {kind} authorizer needs AuthorizerUri", pointer + "/AuthorizerUri")
    return uri


def _authorizer_ttl(t: Template, props: Mapping[str, Any], pointer: str, default: float) -> float:
    return t.number(
        props.get("AuthorizerResultTtlInSeconds"),
        pointer + "/AuthorizerResultTtlInSeconds",
        "AuthorizerResultTtlInSeconds",
        default,
    )


def _authorize_route(
    t: Template,
    api: ApiSpec,
    route: RouteSpec,
    logical_id: str,
    props: Mapping[str, Any],
    authorizer_type: str,
    authorizer_names: dict[str, str],
) -> None:
    """Apply a Method's or Route's (resolved ``props``) authorization properties to ``route``.

    ``authorizer_names`` maps the logical ids of this template's ``authorizer_type`` resources to the
    authorizer names on their API.
    """
    pointer = f"/Resources/{logical_id}/Properties"
    auth_type = str(props.get("AuthorizationType", "NONE")).upper()
    if auth_type == "NONE":
        route.authorizer = "NONE"
    elif auth_type == "AWS_IAM":
        api.authorizers.setdefault("AWS_IAM", AuthorizerSpec(name="AWS_IAM", kind="iam", pointer=pointer))
        route.authorizer = "AWS_IAM"
    else:
        authorizer = logical_target(t, t.raw_property(logical_id, "AuthorizerId"), (authorizer_type,))
        if authorizer not in authorizer_names:
            raise t.error(
                f"AuthorizationType {auth_type} needs an AuthorizerId naming an {authorizer_type}",
                pointer + "/AuthorizerId",
            )
        route.authorizer = authorizer_names[authorizer]
    if isinstance(props.get("AuthorizationScopes"), list):
        route.scopes = [str(scope) for scope in props["AuthorizationScopes"]]


# -- REST ----------------------------------------------------------------------------------------------------


def _resource_path(t: Template, resource_id: Any, root_ids: set[str], seen: tuple[str, ...] = ()) -> str:
    if resource_id is None:
        return "/"
    target = logical_target(t, resource_id, ("AWS::ApiGateway::Resource",))
    if target is None or t.resource_type(target) != "AWS::ApiGateway::Resource":
        return "/"  # RootResourceId
    if target in seen:
        raise t.error("resources form a cycle through ParentId", f"/Resources/{target}/Properties/ParentId")
    props = t.properties(target)
    parent = _resource_path(t, t.raw_property(target, "ParentId"), root_ids, (*seen, target))
    return parent.rstrip("/") + "/" + str(props.get("PathPart", ""))


def read_rest_resources(t: Template, model: TemplateModel) -> None:
    """REST APIs with their gateway responses, authorizers, methods, stages and usage plans."""
    for logical_id in _of_type(t, "AWS::ApiGateway::RestApi"):
        _read_rest_api(t, model, logical_id)
    for logical_id in _of_type(t, "AWS::ApiGateway::GatewayResponse"):
        _read_gateway_response(t, model, logical_id)
    authorizers = _of_type(t, "AWS::ApiGateway::Authorizer")
    authorizer_names = _read_authorizers(t, model, authorizers, "RestApiId", _REST_API, _rest_authorizer)
    checks = _RequestChecks(_request_validators(t), _request_models(t))
    for logical_id in _of_type(t, "AWS::ApiGateway::Method"):
        _read_method(t, model, logical_id, authorizer_names, checks)
    for logical_id in _of_type(t, "AWS::ApiGateway::Stage"):
        _read_rest_stage(t, model, logical_id)
    for logical_id in _of_type(t, "AWS::ApiGateway::Deployment"):
        _read_deployment_stage(t, model, logical_id)
    _usage_plans(t, model)


def _read_rest_api(t: Template, model: TemplateModel, logical_id: str) -> None:
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    api = ApiSpec(
        logical_id=logical_id, kind="REST", name=str(props.get("Name") or logical_id), pointer=pointer
    )
    api.binary_media_types = [str(item) for item in props.get("BinaryMediaTypes") or []]
    api.api_key_source = str(props.get("ApiKeySourceType") or "HEADER")
    _add_api(t, model, api, props)
    if props.get("Policy"):
        api.policy = props["Policy"]
    api.endpoint_type = endpoint_type(props.get("EndpointConfiguration")) or api.endpoint_type


def _read_gateway_response(t: Template, model: TemplateModel, logical_id: str) -> None:
    api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
    props = t.properties(logical_id)
    api.gateway_responses[str(props.get("ResponseType"))] = {
        "status": props.get("StatusCode"),
        "parameters": props.get("ResponseParameters"),
        "templates": props.get("ResponseTemplates"),
        "pointer": f"/Resources/{logical_id}/Properties",
    }


def _rest_authorizer(
    t: Template, model: TemplateModel, props: Mapping[str, Any], pointer: str, name: str
) -> AuthorizerSpec:
    """An ``AWS::ApiGateway::Authorizer``: a Cognito user pool or a TOKEN / REQUEST Lambda authorizer."""
    kind = str(props.get("Type", "TOKEN")).upper()
    identity = [part.strip() for part in str(props.get("IdentitySource", "")).split(",") if part.strip()]
    if kind == "COGNITO_USER_POOLS":
        arns = props.get("ProviderARNs") or []
        if not arns:
            raise t.error("a COGNITO_USER_POOLS authorizer needs ProviderARNs", pointer + "/ProviderARNs")
        issuer = cognito_issuer(str(arns[0]), source=t.source, pointer=pointer + "/ProviderARNs/0")
        return AuthorizerSpec(
            name=name, kind="cognito", pointer=pointer, issuer=issuer, identity_source=identity
        )
    return AuthorizerSpec(
        name=name,
        kind="lambda",
        pointer=pointer,
        function=lambda_target(model, _authorizer_uri(t, props, pointer, kind)),
        lambda_type="TOKEN" if kind == "TOKEN" else "REQUEST",
        identity_source=identity,
        ttl=_authorizer_ttl(t, props, pointer, 300),
    )


@dataclass(frozen=True)
class _RequestChecks:
    """The template's request validators (logical id -> validates body, validates parameters) and models
    (name and logical id -> JSON schema)."""

    validators: dict[str, tuple[bool, bool]]
    models: dict[str, dict[str, Any]]


def _request_validators(t: Template) -> dict[str, tuple[bool, bool]]:
    validators: dict[str, tuple[bool, bool]] = {}
    for logical_id in _of_type(t, "AWS::ApiGateway::RequestValidator"):
        props = t.properties(logical_id)
        validators[logical_id] = (
            bool(props.get("ValidateRequestBody")),
            bool(props.get("ValidateRequestParameters")),
        )
    return validators


def _request_models(t: Template) -> dict[str, dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for logical_id in _of_type(t, "AWS::ApiGateway::Model"):
        props = t.properties(logical_id)
        schema = props.get("Schema")
        if isinstance(schema, Mapping):
            models[str(props.get("Name") or logical_id)] = dict(schema)
            models[logical_id] = dict(schema)
    return models


def _read_method(
    t: Template,
    model: TemplateModel,
    logical_id: str,
    authorizer_names: dict[str, str],
    checks: _RequestChecks,
) -> None:
    """An ``AWS::ApiGateway::Method`` as a route of its API: integration, authorization, request checks."""
    api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    path = _resource_path(t, t.raw_property(logical_id, "ResourceId"), set())
    if "Integration" not in props:
        raise t.error(
            "the method has no Integration (API Gateway refuses to deploy a method without one)",
            pointer + "/Integration",
        )
    raw_integration = t.mapping(props.get("Integration"), pointer + "/Integration", "Integration")
    found = integration_of(
        model, raw_integration, CFN_METHOD_FIELDS, source=t.source, pointer=pointer + "/Integration"
    )
    route = RouteSpec(
        method=str(props.get("HttpMethod", "ANY")).upper(), path=path, integration=found, pointer=pointer
    )
    _authorize_route(t, api, route, logical_id, props, "AWS::ApiGateway::Authorizer", authorizer_names)
    route.api_key_required = bool(props.get("ApiKeyRequired", False))
    _apply_request_validator(t, route, logical_id, props, checks)
    cache_keys = raw_integration.get("CacheKeyParameters")
    if isinstance(cache_keys, list):
        route.cache_key_parameters = [str(key) for key in cache_keys]
    api.routes.append(route)


def _apply_request_validator(
    t: Template, route: RouteSpec, logical_id: str, props: Mapping[str, Any], checks: _RequestChecks
) -> None:
    """The method's ``RequestValidatorId``: required ``RequestParameters``, the ``RequestModels`` schema."""
    pointer = route.pointer
    validator = logical_target(
        t, t.raw_property(logical_id, "RequestValidatorId"), ("AWS::ApiGateway::RequestValidator",)
    )
    validates_body, validates_parameters = checks.validators.get(validator or "", (False, False))
    if validates_parameters:
        parameters = t.mapping(
            props.get("RequestParameters"), pointer + "/RequestParameters", "RequestParameters"
        )
        route.required_parameters = [str(name) for name, required in parameters.items() if required is True]
    if validates_body:
        models = checks.models
        for model_ref in t.mapping(
            props.get("RequestModels"), pointer + "/RequestModels", "RequestModels"
        ).values():
            if str(model_ref) in models:
                route.request_schema = models[str(model_ref)]
        for raw_ref in (t.raw_property(logical_id, "RequestModels") or {}).values():
            target = logical_target(t, raw_ref, ("AWS::ApiGateway::Model",))
            if target in models:
                route.request_schema = models[target]


def _read_rest_stage(t: Template, model: TemplateModel, logical_id: str) -> None:
    api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    variables = t.mapping(props.get("Variables"), pointer + "/Variables", "Variables")
    settings = t.listing(props.get("MethodSettings"), pointer + "/MethodSettings", "MethodSettings")
    name = str(props.get("StageName") or logical_id)
    api.stages.append(
        _rest_stage(
            name, variables, settings, props.get("CacheClusterEnabled"), props.get("AccessLogSetting")
        )
    )
    list_not_emulated(model, logical_id, props)


def _read_deployment_stage(t: Template, model: TemplateModel, logical_id: str) -> None:
    """The stage an ``AWS::ApiGateway::Deployment`` with a ``StageName`` creates (unless a Stage declares it)
    from its ``StageDescription``."""
    props = t.properties(logical_id)
    if not props.get("StageName"):
        return
    list_not_emulated(model, logical_id, props)
    api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
    if any(stage.name == props["StageName"] for stage in api.stages):
        return
    where = f"/Resources/{logical_id}/Properties/StageDescription"
    description = t.mapping(props.get("StageDescription"), where, "StageDescription")
    variables = t.mapping(description.get("Variables"), where + "/Variables", "Variables")
    settings = list(t.listing(description.get("MethodSettings"), where + "/MethodSettings", "MethodSettings"))
    if (
        "ThrottlingRateLimit" in description
        or description.get("CachingEnabled")
        or "RequireAuthorizationForCacheControl" in description
        or "UnauthorizedCacheControlHeaderStrategy" in description
    ):  # the description's own settings are those of every method
        settings.append({"ResourcePath": "/*", "HttpMethod": "*", **description})
    api.stages.append(
        _rest_stage(
            str(props["StageName"]),
            variables,
            settings,
            description.get("CacheClusterEnabled"),
            description.get("AccessLogSetting"),
        )
    )


def _rest_stage(
    name: str, variables: Mapping[str, Any], settings: list[Any], cache_cluster: Any, access_log: Any
) -> StageSpec:
    stage = StageSpec(name=name, variables={k: str(v) for k, v in variables.items()})
    stage_from_method_settings(stage, settings, bool(cache_cluster))
    stage.access_log_format = access_log_format(access_log)
    return stage


def _usage_plans(t: Template, model: TemplateModel) -> None:
    key_values: dict[str, str] = {}
    for logical_id in _of_type(t, "AWS::ApiGateway::ApiKey"):
        props = t.properties(logical_id)
        value = props.get("Value")
        key_values[logical_id] = str(value) if isinstance(value, str) else t.short_id(logical_id, 40)
        model.api_keys[logical_id] = key_values[logical_id]

    def plans_of(raw_api_id: Any) -> list[UsagePlanSpec] | None:
        api_id = logical_target(t, raw_api_id, ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"))
        return model.apis[api_id].usage_plans if api_id is not None and api_id in model.apis else None

    read_usage_plans(t, key_values, plans_of)


# -- HTTP (v2) -----------------------------------------------------------------------------------------------


def read_v2_resources(t: Template, model: TemplateModel) -> None:
    """HTTP APIs with their authorizers, integrations, routes and stages (the ``AWS::ApiGatewayV2::*``
    resources of WebSocket APIs are read by loaders/websocket.py)."""
    websocket = websocket_api_ids(t)
    for logical_id in _http_api_resources(t, "AWS::ApiGatewayV2::Api", websocket):
        _read_http_api(t, model, logical_id)
    authorizer_ids = _http_api_resources(t, "AWS::ApiGatewayV2::Authorizer", websocket)
    authorizers = _read_authorizers(t, model, authorizer_ids, "ApiId", _V2_API, _v2_authorizer)
    integrations = {
        logical_id: integration_of(
            model,
            t.properties(logical_id),
            CFN_V2_FIELDS,
            source=t.source,
            pointer=f"/Resources/{logical_id}/Properties",
            api_kind="HTTP",
        )
        for logical_id in _http_api_resources(t, "AWS::ApiGatewayV2::Integration", websocket)
    }
    for logical_id in _http_api_resources(t, "AWS::ApiGatewayV2::Route", websocket):
        _read_v2_route(t, model, logical_id, integrations, authorizers)
    for logical_id in _http_api_resources(t, "AWS::ApiGatewayV2::Stage", websocket):
        api = _api_of(t, model, logical_id, "ApiId", _V2_API)
        stage = http_stage(t.properties(logical_id), t=t, pointer=f"/Resources/{logical_id}/Properties")
        list_not_emulated(model, logical_id, t.properties(logical_id), HTTP_NOT_EMULATED)
        api.stages = [s for s in api.stages if s.name != stage.name] + [stage]


def _http_api_resources(t: Template, kind: str, websocket: set[str]) -> list[str]:
    """The ``kind`` resources of the template, but those of its WebSocket APIs (``websocket``)."""
    found = _of_type(t, kind)
    if kind == "AWS::ApiGatewayV2::Api":
        return [logical_id for logical_id in found if logical_id not in websocket]
    return [lid for lid in found if not websocket or not belongs_to_websocket_api(t, lid, websocket)]


def _read_http_api(t: Template, model: TemplateModel, logical_id: str) -> None:
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    if str(props.get("ProtocolType", "HTTP")).upper() != "HTTP" and "Body" not in props:
        model.unsupported.append(
            f"{logical_id}: AWS::ApiGatewayV2::Api with ProtocolType {props['ProtocolType']}"
        )
        return
    api = ApiSpec(
        logical_id=logical_id, kind="HTTP", name=str(props.get("Name") or logical_id), pointer=pointer
    )
    _add_api(t, model, api, props, HTTP_NOT_EMULATED)
    if isinstance(props.get("Target"), str):  # quick create: a $default route and stage
        target = Integration("lambda", function=lambda_target(model, props["Target"]))
        key = str(props.get("RouteKey", "$default"))
        method, _, path = key.partition(" ")
        api.routes.append(
            RouteSpec(
                method=method if path else "ANY",
                path=path or "$default",
                integration=target,
                pointer=pointer + "/Target",
            )
        )
        api.stages.append(StageSpec(name="$default"))
    if isinstance(props.get("CorsConfiguration"), Mapping):
        api.cors = dict(props["CorsConfiguration"])


def _v2_authorizer(
    t: Template, model: TemplateModel, props: Mapping[str, Any], pointer: str, name: str
) -> AuthorizerSpec:
    """An ``AWS::ApiGatewayV2::Authorizer``: a JWT or a REQUEST Lambda authorizer."""
    sources = [
        str(s) for s in t.listing(props.get("IdentitySource"), pointer + "/IdentitySource", "IdentitySource")
    ]
    if str(props.get("AuthorizerType", "")).upper() == "JWT":
        config = t.mapping(props.get("JwtConfiguration"), pointer + "/JwtConfiguration", "JwtConfiguration")
        if not isinstance(config.get("Issuer"), str):
            raise t.error("a JWT authorizer needs JwtConfiguration.Issuer", pointer + "/JwtConfiguration")
        audience = t.listing(config.get("Audience"), pointer + "/JwtConfiguration/Audience", "Audience")
        return AuthorizerSpec(
            name=name,
            kind="jwt",
            pointer=pointer,
            issuer=config["Issuer"],
            audiences=[str(a) for a in audience],
            identity_source=sources,
        )
    return AuthorizerSpec(
        name=name,
        kind="lambda",
        pointer=pointer,
        function=lambda_target(model, _authorizer_uri(t, props, pointer, "REQUEST")),
        lambda_type="REQUEST",
        identity_source=sources,
        ttl=_authorizer_ttl(t, props, pointer, 0),
        payload_version=str(props.get("AuthorizerPayloadFormatVersion", "2.0")),
        simple_responses=bool(props.get("EnableSimpleResponses", False)),
    )


def _read_v2_route(
    t: Template,
    model: TemplateModel,
    logical_id: str,
    integrations: dict[str, Integration],
    authorizers: dict[str, str],
) -> None:
    api = _api_of(t, model, logical_id, "ApiId", _V2_API)
    props = t.properties(logical_id)
    pointer = f"/Resources/{logical_id}/Properties"
    key = str(props.get("RouteKey", ""))
    found = _route_target(t, props, pointer, integrations)
    method, _, path = key.partition(" ")
    route = RouteSpec(method=method if path else "ANY", path=path or key, integration=found, pointer=pointer)
    _authorize_route(t, api, route, logical_id, props, "AWS::ApiGatewayV2::Authorizer", authorizers)
    api.routes.append(route)


def _route_target(
    t: Template, props: Mapping[str, Any], pointer: str, integrations: dict[str, Integration]
) -> Integration:
    """The integration a route's ``Target`` names; with no Target, or an integration outside the template,
    an unsupported one (only this route fails)."""
    target_text = str(props.get("Target", ""))
    found = next(
        (spec for lid, spec in integrations.items() if target_text.endswith("/" + t.short_id(lid))), None
    )
    if found is None and "Target" in props and not target_text.startswith("integrations/"):
        raise t.error(
            "Target must be integrations/<Ref of an AWS::ApiGatewayV2::Integration>", pointer + "/Target"
        )
    if found is None:
        feature = (
            "a route with no integration (no Target)"
            if "Target" not in props
            else f"an integration outside the template ({target_text})"
        )
        found = Integration("unsupported", feature=feature)
    return found
