"""Plain CloudFormation API Gateway resources, as CDK and hand-written templates declare them.

REST: ``AWS::ApiGateway::RestApi`` (with a ``Body``/``BodyS3Location`` or built from ``Resource`` and
``Method`` resources), ``Authorizer``, ``Deployment``/``Stage`` (variables, MethodSettings), ``UsagePlan``,
``ApiKey``, ``UsagePlanKey``, ``RequestValidator``/``Model``. HTTP: ``AWS::ApiGatewayV2::Api`` (with a
``Body`` or quick-create ``Target``), ``Route``, ``Integration``, ``Authorizer`` and ``Stage``.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from .uris import cognito_issuer, integration, lambda_target
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
    for logical_id in _of_type(t, "AWS::ApiGateway::RestApi"):
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        api = ApiSpec(
            logical_id=logical_id, kind="REST", name=str(props.get("Name") or logical_id), pointer=pointer
        )
        api.binary_media_types = [str(item) for item in props.get("BinaryMediaTypes") or []]
        api.api_key_source = str(props.get("ApiKeySourceType") or "HEADER")
        model.apis[logical_id] = api
        list_not_emulated(model, logical_id, props)
        _read_api_body(t, model, api, props, pointer)
        if props.get("Policy"):
            api.policy = props["Policy"]
        api.endpoint_type = endpoint_type(props.get("EndpointConfiguration")) or api.endpoint_type

    for logical_id in _of_type(t, "AWS::ApiGateway::GatewayResponse"):
        api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
        props = t.properties(logical_id)
        api.gateway_responses[str(props.get("ResponseType"))] = {
            "status": props.get("StatusCode"),
            "parameters": props.get("ResponseParameters"),
            "templates": props.get("ResponseTemplates"),
            "pointer": f"/Resources/{logical_id}/Properties",
        }

    authorizer_names: dict[str, str] = {}
    for logical_id in _of_type(t, "AWS::ApiGateway::Authorizer"):
        api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        name = str(props.get("Name") or logical_id)
        kind = str(props.get("Type", "TOKEN")).upper()
        identity = [part.strip() for part in str(props.get("IdentitySource", "")).split(",") if part.strip()]
        if kind == "COGNITO_USER_POOLS":
            arns = props.get("ProviderARNs") or []
            if not arns:
                raise t.error("a COGNITO_USER_POOLS authorizer needs ProviderARNs", pointer + "/ProviderARNs")
            issuer = cognito_issuer(str(arns[0]), source=t.source, pointer=pointer + "/ProviderARNs/0")
            spec = AuthorizerSpec(
                name=name, kind="cognito", pointer=pointer, issuer=issuer, identity_source=identity
            )
        else:
            uri = props.get("AuthorizerUri")
            if not isinstance(uri, str):
                raise t.error(f"a {kind} authorizer needs AuthorizerUri", pointer + "/AuthorizerUri")
            spec = AuthorizerSpec(
                name=name,
                kind="lambda",
                pointer=pointer,
                function=lambda_target(model, uri),
                lambda_type="TOKEN" if kind == "TOKEN" else "REQUEST",
                identity_source=identity,
                ttl=t.number(
                    props.get("AuthorizerResultTtlInSeconds"),
                    pointer + "/AuthorizerResultTtlInSeconds",
                    "AuthorizerResultTtlInSeconds",
                    300,
                ),
            )
        api.authorizers[name] = spec
        authorizer_names[logical_id] = name

    validators: dict[str, tuple[bool, bool]] = {}  # logical id -> (body, parameters)
    for logical_id in _of_type(t, "AWS::ApiGateway::RequestValidator"):
        validator_props = t.properties(logical_id)
        validators[logical_id] = (
            bool(validator_props.get("ValidateRequestBody")),
            bool(validator_props.get("ValidateRequestParameters")),
        )
    models: dict[str, dict[str, Any]] = {}
    for logical_id in _of_type(t, "AWS::ApiGateway::Model"):
        props = t.properties(logical_id)
        schema = props.get("Schema")
        if isinstance(schema, Mapping):
            models[str(props.get("Name") or logical_id)] = dict(schema)
            models[logical_id] = dict(schema)

    for logical_id in _of_type(t, "AWS::ApiGateway::Method"):
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
        found = integration(
            model,
            kind=str(raw_integration.get("Type", "")),
            uri=raw_integration.get("Uri") if isinstance(raw_integration.get("Uri"), str) else None,
            source=t.source,
            pointer=pointer + "/Integration",
            request_templates=raw_integration.get("RequestTemplates"),
            request_parameters=raw_integration.get("RequestParameters"),
            responses=raw_integration.get("IntegrationResponses"),
            timeout_ms=raw_integration.get("TimeoutInMillis"),
            connection_type=raw_integration.get("ConnectionType"),
            http_method=raw_integration.get("IntegrationHttpMethod"),
        )
        route = RouteSpec(
            method=str(props.get("HttpMethod", "ANY")).upper(), path=path, integration=found, pointer=pointer
        )
        _authorize_route(t, api, route, logical_id, props, "AWS::ApiGateway::Authorizer", authorizer_names)
        route.api_key_required = bool(props.get("ApiKeyRequired", False))
        validator = logical_target(
            t, t.raw_property(logical_id, "RequestValidatorId"), ("AWS::ApiGateway::RequestValidator",)
        )
        validates_body, validates_parameters = validators.get(validator or "", (False, False))
        if validates_parameters:
            route.required_parameters = [
                str(name)
                for name, required in t.mapping(
                    props.get("RequestParameters"), pointer + "/RequestParameters", "RequestParameters"
                ).items()
                if required is True
            ]
        if validates_body:
            for model_ref in t.mapping(
                props.get("RequestModels"), pointer + "/RequestModels", "RequestModels"
            ).values():
                if str(model_ref) in models:
                    route.request_schema = models[str(model_ref)]
            for raw_ref in (t.raw_property(logical_id, "RequestModels") or {}).values():
                target = logical_target(t, raw_ref, ("AWS::ApiGateway::Model",))
                if target in models:
                    route.request_schema = models[target]
        cache_keys = raw_integration.get("CacheKeyParameters")
        if isinstance(cache_keys, list):
            route.cache_key_parameters = [str(key) for key in cache_keys]
        api.routes.append(route)

    stages: dict[str, StageSpec] = {}
    for logical_id in _of_type(t, "AWS::ApiGateway::Stage"):
        api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
        props = t.properties(logical_id)
        variables = t.mapping(
            props.get("Variables"), f"/Resources/{logical_id}/Properties/Variables", "Variables"
        )
        stage = StageSpec(
            name=str(props.get("StageName") or logical_id),
            variables={k: str(v) for k, v in variables.items()},
        )
        settings = t.listing(
            props.get("MethodSettings"),
            f"/Resources/{logical_id}/Properties/MethodSettings",
            "MethodSettings",
        )
        stage_from_method_settings(stage, settings, bool(props.get("CacheClusterEnabled")))
        stage.access_log_format = access_log_format(props.get("AccessLogSetting"))
        api.stages.append(stage)
        stages[logical_id] = stage
        list_not_emulated(model, logical_id, props)
    for logical_id in _of_type(t, "AWS::ApiGateway::Deployment"):
        props = t.properties(logical_id)
        if not props.get("StageName"):
            continue
        list_not_emulated(model, logical_id, props)
        api = _api_of(t, model, logical_id, "RestApiId", _REST_API)
        if any(stage.name == props["StageName"] for stage in api.stages):
            continue
        where = f"/Resources/{logical_id}/Properties/StageDescription"
        description = t.mapping(props.get("StageDescription"), where, "StageDescription")
        variables = t.mapping(description.get("Variables"), where + "/Variables", "Variables")
        stage = StageSpec(name=str(props["StageName"]), variables={k: str(v) for k, v in variables.items()})
        settings = list(
            t.listing(description.get("MethodSettings"), where + "/MethodSettings", "MethodSettings")
        )
        if (
            "ThrottlingRateLimit" in description
            or description.get("CachingEnabled")
            or "RequireAuthorizationForCacheControl" in description
            or "UnauthorizedCacheControlHeaderStrategy" in description
        ):
            settings.append({"ResourcePath": "/*", "HttpMethod": "*", **description})
        stage_from_method_settings(stage, settings, bool(description.get("CacheClusterEnabled")))
        stage.access_log_format = access_log_format(description.get("AccessLogSetting"))
        api.stages.append(stage)

    _usage_plans(t, model)


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
    websocket = websocket_api_ids(t)  # read by loaders/websocket.py

    def _of_type(t: Template, kind: str) -> list[str]:
        found = [logical_id for logical_id in t.resources if t.resource_type(logical_id) == kind]
        if kind == "AWS::ApiGatewayV2::Api":
            return [logical_id for logical_id in found if logical_id not in websocket]
        return [lid for lid in found if not websocket or not belongs_to_websocket_api(t, lid, websocket)]

    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Api"):
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        if str(props.get("ProtocolType", "HTTP")).upper() != "HTTP" and "Body" not in props:
            model.unsupported.append(
                f"{logical_id}: AWS::ApiGatewayV2::Api with ProtocolType {props['ProtocolType']}"
            )
            continue
        api = ApiSpec(
            logical_id=logical_id, kind="HTTP", name=str(props.get("Name") or logical_id), pointer=pointer
        )
        model.apis[logical_id] = api
        list_not_emulated(model, logical_id, props, HTTP_NOT_EMULATED)
        _read_api_body(t, model, api, props, pointer)
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

    authorizers: dict[str, str] = {}
    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Authorizer"):
        api = _api_of(t, model, logical_id, "ApiId", _V2_API)
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        name = str(props.get("Name") or logical_id)
        sources = [
            str(s)
            for s in t.listing(props.get("IdentitySource"), pointer + "/IdentitySource", "IdentitySource")
        ]
        if str(props.get("AuthorizerType", "")).upper() == "JWT":
            config = t.mapping(
                props.get("JwtConfiguration"), pointer + "/JwtConfiguration", "JwtConfiguration"
            )
            if not isinstance(config.get("Issuer"), str):
                raise t.error("a JWT authorizer needs JwtConfiguration.Issuer", pointer + "/JwtConfiguration")
            spec = AuthorizerSpec(
                name=name,
                kind="jwt",
                pointer=pointer,
                issuer=config["Issuer"],
                audiences=[
                    str(a)
                    for a in t.listing(
                        config.get("Audience"), pointer + "/JwtConfiguration/Audience", "Audience"
                    )
                ],
                identity_source=sources,
            )
        else:
            uri = props.get("AuthorizerUri")
            if not isinstance(uri, str):
                raise t.error("a REQUEST authorizer needs AuthorizerUri", pointer + "/AuthorizerUri")
            spec = AuthorizerSpec(
                name=name,
                kind="lambda",
                pointer=pointer,
                function=lambda_target(model, uri),
                lambda_type="REQUEST",
                identity_source=sources,
                ttl=t.number(
                    props.get("AuthorizerResultTtlInSeconds"),
                    pointer + "/AuthorizerResultTtlInSeconds",
                    "AuthorizerResultTtlInSeconds",
                    0,
                ),
                payload_version=str(props.get("AuthorizerPayloadFormatVersion", "2.0")),
                simple_responses=bool(props.get("EnableSimpleResponses", False)),
            )
        api.authorizers[name] = spec
        authorizers[logical_id] = name

    integrations: dict[str, Integration] = {}
    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Integration"):
        props = t.properties(logical_id)
        integrations[logical_id] = integration(
            model,
            kind=str(props.get("IntegrationType", "")),
            uri=props.get("IntegrationUri") if isinstance(props.get("IntegrationUri"), str) else None,
            source=t.source,
            pointer=f"/Resources/{logical_id}/Properties",
            subtype=props.get("IntegrationSubtype"),
            request_parameters=props.get("RequestParameters"),
            timeout_ms=props.get("TimeoutInMillis"),
            payload_version=props.get("PayloadFormatVersion"),
            api_kind="HTTP",
            connection_type=props.get("ConnectionType"),
        )

    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Route"):
        api = _api_of(t, model, logical_id, "ApiId", _V2_API)
        props = t.properties(logical_id)
        pointer = f"/Resources/{logical_id}/Properties"
        key = str(props.get("RouteKey", ""))
        target_text = str(props.get("Target", ""))
        found = next(
            (spec for lid, spec in integrations.items() if target_text.endswith("/" + t.short_id(lid))), None
        )
        if found is None and "Target" in props and not target_text.startswith("integrations/"):
            raise t.error(
                "Target must be integrations/<Ref of an AWS::ApiGatewayV2::Integration>", pointer + "/Target"
            )
        if found is None:  # no Target, or an integration outside the template: only this route fails
            feature = (
                "a route with no integration (no Target)"
                if "Target" not in props
                else f"an integration outside the template ({target_text})"
            )
            found = Integration("unsupported", feature=feature)
        method, _, path = key.partition(" ")
        route = RouteSpec(
            method=method if path else "ANY", path=path or key, integration=found, pointer=pointer
        )
        _authorize_route(t, api, route, logical_id, props, "AWS::ApiGatewayV2::Authorizer", authorizers)
        api.routes.append(route)

    for logical_id in _of_type(t, "AWS::ApiGatewayV2::Stage"):
        api = _api_of(t, model, logical_id, "ApiId", _V2_API)
        stage = http_stage(t.properties(logical_id), t=t, pointer=f"/Resources/{logical_id}/Properties")
        list_not_emulated(model, logical_id, t.properties(logical_id), HTTP_NOT_EMULATED)
        api.stages = [s for s in api.stages if s.name != stage.name] + [stage]
