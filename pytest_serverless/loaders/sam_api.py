"""``AWS::Serverless::Api`` and ``AWS::Serverless::HttpApi`` (and SAM's implicit APIs).

Authorizers, the default authorizer, API keys and usage plans, stages with variables and MethodSettings
(throttling, caching), CORS, and OpenAPI bodies from ``DefinitionBody`` or a local ``DefinitionUri``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pytest_serverless.loaders.cloudformation import Template
from pytest_serverless.loaders.model import (
    ApiSpec,
    AuthorizerSpec,
    MethodSetting,
    StageSpec,
    TemplateModel,
    UsagePlanSpec,
)
from pytest_serverless.loaders.openapi import read_body
from pytest_serverless.loaders.uris import cognito_issuer, lambda_target
from pytest_serverless.loaders.yaml_cfn import load_document

__all__ = [
    "http_stage",
    "list_not_emulated",
    "local_document",
    "number",
    "read_sam_api",
    "route_settings",
    "stage_from_method_settings",
    "usage_plan_limits",
]


def _pointer(logical_id: str, *parts: str) -> str:
    return "/".join([f"/Resources/{logical_id}/Properties", *parts])


def _identity_sources(identity: Mapping[str, Any], prefix: str) -> list[str]:
    """A Lambda REQUEST authorizer's ``Identity`` ``Headers`` and ``QueryStrings`` as identity sources:
    ``prefix`` is ``method.request.`` (REST) or ``$request.`` (HTTP)."""
    sources = [f"{prefix}header.{h}" for h in identity.get("Headers") or []]
    sources += [f"{prefix}querystring.{q}" for q in identity.get("QueryStrings") or []]
    return sources


def _authorizers(
    t: Template, model: TemplateModel, auth: Mapping[str, Any], pointer: str, *, rest: bool
) -> dict[str, AuthorizerSpec]:
    """``Auth.Authorizers`` (Cognito, JWT and Lambda), and ``AWS_IAM`` when IAM authorization is on."""
    found: dict[str, AuthorizerSpec] = {}
    authorizers = t.mapping(auth.get("Authorizers"), f"{pointer}/Auth/Authorizers", "Auth.Authorizers")
    for name, config in authorizers.items():
        found[name] = _authorizer(t, model, name, config, f"{pointer}/Auth/Authorizers/{name}", rest=rest)
    if auth.get("EnableIamAuthorizer") or auth.get("DefaultAuthorizer") == "AWS_IAM":
        found["AWS_IAM"] = AuthorizerSpec(name="AWS_IAM", kind="iam", pointer=f"{pointer}/Auth")
    return found


def _authorizer(
    t: Template, model: TemplateModel, name: str, config: Any, where: str, *, rest: bool
) -> AuthorizerSpec:
    """One authorizer: its kind is told by ``UserPoolArn``, ``JwtConfiguration`` or ``FunctionArn``."""
    if not isinstance(config, Mapping):
        raise t.error("an authorizer must be a mapping", where)
    identity = config.get("Identity") or {}
    identity = t.mapping(identity, where + "/Identity", "Identity")
    ttl = t.number(
        identity.get("ReauthorizeEvery"), where + "/Identity/ReauthorizeEvery", "ReauthorizeEvery", 300
    )
    if "UserPoolArn" in config:
        return _cognito_authorizer(t, name, config, identity, where)
    if "JwtConfiguration" in config:
        return _jwt_authorizer(t, name, config, where)
    if "FunctionArn" in config:
        function = lambda_target(model, str(config["FunctionArn"]))
        found = AuthorizerSpec(name=name, kind="lambda", pointer=where, function=function, ttl=ttl)
        return _lambda_authorizer(found, config, identity, rest=rest)
    raise t.error("an authorizer needs UserPoolArn, JwtConfiguration or FunctionArn", where)


def _cognito_authorizer(
    t: Template, name: str, config: Mapping[str, Any], identity: Mapping[str, Any], where: str
) -> AuthorizerSpec:
    arns = config["UserPoolArn"]
    first = arns[0] if isinstance(arns, list) and arns else arns
    issuer = cognito_issuer(str(first), source=t.source, pointer=where + "/UserPoolArn")
    header = identity.get("Header", "Authorization")
    return _token_authorizer("cognito", name, config, where, issuer, header, audiences=[])


def _jwt_authorizer(t: Template, name: str, config: Mapping[str, Any], where: str) -> AuthorizerSpec:
    jwt_config = config["JwtConfiguration"] or {}
    jwt_issuer = jwt_config.get("issuer") or jwt_config.get("Issuer")
    if not isinstance(jwt_issuer, str):
        raise t.error("JwtConfiguration needs an issuer", where + "/JwtConfiguration")
    audience = jwt_config.get("audience") or jwt_config.get("Audience") or []
    source = config.get("IdentitySource", "$request.header.Authorization")
    audiences = [audience] if isinstance(audience, str) else [str(a) for a in audience]
    return _token_authorizer("jwt", name, config, where, jwt_issuer, source, audiences=audiences)


def _token_authorizer(
    kind: Literal["cognito", "jwt"],
    name: str,
    config: Mapping[str, Any],
    where: str,
    issuer: str,
    source: Any,
    *,
    audiences: list[str],
) -> AuthorizerSpec:
    """A Cognito or JWT authorizer: tokens of ``issuer`` read from ``source``, with the route scopes
    ``AuthorizationScopes`` grants."""
    scopes = [str(s) for s in config.get("AuthorizationScopes") or []]
    return AuthorizerSpec(
        name=name,
        kind=kind,
        pointer=where,
        issuer=issuer,
        audiences=audiences,
        identity_source=[str(source)],
        scopes=scopes,
    )


def _lambda_authorizer(
    found: AuthorizerSpec, config: Mapping[str, Any], identity: Mapping[str, Any], *, rest: bool
) -> AuthorizerSpec:
    """A Lambda authorizer (``found`` holds its function and ``ReauthorizeEvery``): TOKEN (one header) or
    REQUEST on a REST API; REQUEST, payload 1.0 or 2.0, cached only when ``ReauthorizeEvery`` is given, on an
    HTTP API."""
    if rest:
        token = str(config.get("FunctionPayloadType", "TOKEN")).upper() == "TOKEN"
        found.lambda_type = "TOKEN" if token else "REQUEST"
        found.identity_source = (
            [f"method.request.header.{identity.get('Header', 'Authorization')}"]
            if token
            else _identity_sources(identity, "method.request.")
        )
        return found
    found.lambda_type = "REQUEST"
    found.identity_source = _identity_sources(identity, "$request.")
    found.ttl = found.ttl if "ReauthorizeEvery" in identity else 0.0
    found.payload_version = str(config.get("AuthorizerPayloadFormatVersion", "2.0"))
    found.simple_responses = bool(config.get("EnableSimpleResponses", False))
    return found


_LOGGING_KEYS = frozenset({"LoggingLevel", "DataTraceEnabled", "CacheDataEncrypted"})
_CACHE_CONTROL_KEYS = ("RequireAuthorizationForCacheControl", "UnauthorizedCacheControlHeaderStrategy")
# Properties with an effect in AWS that the gateway does not reproduce (listed in app.unsupported).
REST_NOT_EMULATED = (
    "CanarySetting",
    "Domain",
    "MinimumCompressionSize",
    "DisableExecuteApiEndpoint",
)
HTTP_NOT_EMULATED = ("Domain", "DisableExecuteApiEndpoint")


def access_log_format(setting: Any) -> str | None:
    """``AccessLogSetting(s)``'s ``Format`` (None when absent)."""
    fmt = setting.get("Format") if isinstance(setting, Mapping) else None
    return str(fmt) if fmt else None


_SAM_POLICY_KEYS = frozenset(
    {
        "IpRangeBlacklist",
        "IpRangeDenylist",
        "IpRangeWhitelist",
        "IpRangeAllowlist",
        "SourceVpcBlacklist",
        "SourceVpcDenylist",
        "SourceVpcWhitelist",
        "SourceVpcAllowlist",
        "CustomStatements",
    }
)


def endpoint_type(value: Any) -> str | None:
    """``EndpointConfiguration`` (SAM ``{Type: X}`` or ``X``, CFN ``{Types: [X]}``) -> X."""
    kind = value.get("Type", value.get("Types")) if isinstance(value, Mapping) else value
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    return str(kind).upper() if isinstance(kind, str) and kind else None


def sam_resource_policy(policy: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's ``Auth.ResourcePolicy`` shorthand -> the policy document SAM writes (an Allow for everyone,
    then a Deny per list: IP ranges by ``aws:SourceIp``, VPCs and VPC endpoints by ``aws:SourceVpc(e)``)."""
    resource = "execute-api:/*"
    statements: list[Any] = [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": resource}
    ]

    def deny(condition: dict[str, Any]) -> None:
        statements.append(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": resource,
                "Condition": condition,
            }
        )

    def listing(*keys: str) -> list[str]:
        return [str(v) for key in keys for v in (policy.get(key) or [])]

    allowed_ips = listing("IpRangeWhitelist", "IpRangeAllowlist")
    if allowed_ips:
        deny({"NotIpAddress": {"aws:SourceIp": allowed_ips}})
    denied_ips = listing("IpRangeBlacklist", "IpRangeDenylist")
    if denied_ips:
        deny({"IpAddress": {"aws:SourceIp": denied_ips}})
    for keys, operator in (
        (("SourceVpcWhitelist", "SourceVpcAllowlist"), "StringNotEquals"),
        (("SourceVpcBlacklist", "SourceVpcDenylist"), "StringEquals"),
    ):
        values = listing(*keys)
        endpoints = [v for v in values if v.startswith("vpce-")]
        vpcs = [v for v in values if not v.startswith("vpce-")]
        if operator == "StringNotEquals" and values:
            condition: dict[str, Any] = {}
            if endpoints:
                condition["aws:SourceVpce"] = endpoints
            if vpcs:
                condition["aws:SourceVpc"] = vpcs
            deny({operator: condition})
        else:
            if endpoints:
                deny({operator: {"aws:SourceVpce": endpoints}})
            if vpcs:
                deny({operator: {"aws:SourceVpc": vpcs}})
    custom = policy.get("CustomStatements")
    if isinstance(custom, Mapping):
        custom = [custom]
    statements.extend(custom or [])
    return {"Version": "2012-10-17", "Statement": statements}


def list_not_emulated(
    model: TemplateModel, owner: str, props: Mapping[str, Any], names: tuple[str, ...] = REST_NOT_EMULATED
) -> None:
    """Add one ``app.unsupported`` entry naming the properties of ``owner`` that are set but not emulated:
    ``names`` (top level), ``Auth.ResourcePolicy``, a PRIVATE ``EndpointConfiguration`` and the logging and
    metrics keys of ``MethodSettings`` / ``StageDescription``."""
    found = [name for name in names if props.get(name) not in (None, False, "", [], {})]
    if names is HTTP_NOT_EMULATED and props.get("Policy"):
        found.append("Policy")
    found += _auth_not_emulated(props.get("Auth"))
    found += _stage_settings_not_emulated(props)
    if found:
        model.unsupported.append(f"{owner}: {', '.join(found)} (not emulated)")


def _auth_not_emulated(auth: Any) -> list[str]:
    """``Auth.InvokeRole`` and the ``Auth.ResourcePolicy`` keys SAM's shorthand does not have."""
    if not isinstance(auth, Mapping):
        return []
    found = [f"Auth.{key}" for key in ("InvokeRole",) if auth.get(key)]
    policy = auth.get("ResourcePolicy")
    if isinstance(policy, Mapping):
        found += [f"Auth.ResourcePolicy.{key}" for key in policy if key not in _SAM_POLICY_KEYS]
    return found


def _stage_settings_not_emulated(props: Mapping[str, Any]) -> list[str]:
    """A ``StageDescription`` canary, the logging and metrics keys of ``MethodSettings`` and
    ``StageDescription``, and cache-control keys set per method (only the ``/*/*`` entry's apply)."""
    found: list[str] = []
    settings: list[Any] = (
        list(props.get("MethodSettings") or []) if isinstance(props.get("MethodSettings"), list) else []
    )
    description = props.get("StageDescription")
    if isinstance(description, Mapping):
        settings.append(description)
        found += [key for key in ("CanarySetting",) if description.get(key)]
    entries = [entry for entry in settings if isinstance(entry, Mapping)]
    extra = _logging_keys(entries)
    if extra:
        found.append(f"MethodSettings ({', '.join(extra)})")
    per_method = _cache_control_per_method([entry for entry in entries if entry is not description])
    if per_method:
        found.append(f"MethodSettings ({', '.join(per_method)} per method: only the /*/* entry's is)")
    return found


def _logging_keys(entries: list[Mapping[str, Any]]) -> list[str]:
    """The logging and metrics keys the entries turn on."""
    on = {
        str(key)
        for entry in entries
        for key, value in entry.items()
        if key in _LOGGING_KEYS and value not in (None, False, "", "OFF", "false")
    }
    return sorted(on)


def _cache_control_per_method(entries: list[Mapping[str, Any]]) -> list[str]:
    """The cache-control keys set by ``MethodSettings`` entries other than ``/*/*``."""
    per_method = {
        str(key)
        for entry in entries
        if (entry.get("ResourcePath", "/*"), str(entry.get("HttpMethod", "*"))) != ("/*", "*")
        for key in _CACHE_CONTROL_KEYS
        if key in entry
    }
    return sorted(per_method)


def _sam_gateway_responses(
    t: Template, model: TemplateModel, api: ApiSpec, responses: Any, pointer: str
) -> None:
    """SAM's ``GatewayResponses``: ``{TYPE: {StatusCode, ResponseParameters: {Headers: {...}},
    ResponseTemplates}}`` (header values in AWS's form: ``"'*'"`` is the literal ``*``)."""
    found = t.mapping(responses, pointer, "GatewayResponses")
    for response_type, entry in found.items():
        where = f"{pointer}/{response_type}"
        entry = t.mapping(entry, where, f"GatewayResponses.{response_type}")
        parameters = t.mapping(
            entry.get("ResponseParameters"), where + "/ResponseParameters", "ResponseParameters"
        )
        headers = t.mapping(parameters.get("Headers"), where + "/ResponseParameters/Headers", "Headers")
        others = sorted(str(key) for key in parameters if key != "Headers")
        if others:
            model.unsupported.append(
                f"{api.logical_id}: GatewayResponses.{response_type}.ResponseParameters {', '.join(others)} "
                "(not emulated: only Headers reach the answer)"
            )
        api.gateway_responses[str(response_type)] = {
            "status": entry.get("StatusCode"),
            "parameters": {f"gatewayresponse.header.{name}": value for name, value in headers.items()},
            "templates": entry.get("ResponseTemplates"),
            "pointer": where,
        }


def number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    return value is True or str(value).lower() == "true"


def stage_from_method_settings(stage: StageSpec, settings: Any, cache_enabled: bool) -> None:
    """``MethodSettings``: ``/*/*`` sets the stage throttle; each entry's caching and throttle is kept as a
    ``MethodSetting`` and resolved per route (the most specific entry wins) when the API is built."""
    stage.cache_cluster = stage.cache_cluster or cache_enabled
    for entry in settings or []:
        if not isinstance(entry, Mapping):
            continue
        path, method = _method_setting_target(entry)
        throttle = _method_setting_throttle(entry)
        if path == "/*" and method == "*":
            _stage_wide_settings(stage, entry, throttle)
            throttle = None
        stage.method_settings.append(
            MethodSetting(
                path=path,
                method=method,
                caching=_flag(entry.get("CachingEnabled")),
                cache_ttl=number(entry.get("CacheTtlInSeconds")),
                throttle=throttle,
            )
        )


def _method_setting_target(entry: Mapping[str, Any]) -> tuple[str, str]:
    """An entry's path (``ResourcePath`` unescaped: ``/orders~1{id}`` is ``/orders/{id}``; ``/*`` any) and
    method (``*`` any)."""
    raw_path = str(entry.get("ResourcePath", "/*"))
    path = raw_path if raw_path == "/*" else raw_path[1:].replace("~1", "/") or "/"
    if not path.startswith("/"):
        path = "/" + path
    return path, str(entry.get("HttpMethod", "*")).upper()


def _method_setting_throttle(entry: Mapping[str, Any]) -> tuple[float, float] | None:
    """An entry's (rate, burst), None when it sets neither."""
    rate, burst = number(entry.get("ThrottlingRateLimit")), number(entry.get("ThrottlingBurstLimit"))
    if burst is not None and rate is None:
        rate = 10_000.0  # only the burst was set: the account's rate applies
    return (rate, burst if burst is not None else rate) if rate is not None else None


def _stage_wide_settings(
    stage: StageSpec, entry: Mapping[str, Any], throttle: tuple[float, float] | None
) -> None:
    """The ``/*/*`` entry: the stage's throttle and cache-control settings (each kept when not given)."""
    if throttle is not None:
        stage.throttle = throttle
    require, strategy = stage.cache_control
    given = _flag(entry.get("RequireAuthorizationForCacheControl"))
    named = entry.get("UnauthorizedCacheControlHeaderStrategy")
    stage.cache_control = (
        require if given is None else given,
        strategy if named is None else str(named),
    )


def route_settings(stage: StageSpec, settings: Any) -> None:
    """HTTP API ``RouteSettings``: ``{"GET /x": {"ThrottlingRateLimit": 5, "ThrottlingBurstLimit": 2}}``."""
    if not isinstance(settings, Mapping):
        return
    for route_key, entry in settings.items():
        if not isinstance(entry, Mapping):
            continue
        rate, burst = number(entry.get("ThrottlingRateLimit")), number(entry.get("ThrottlingBurstLimit"))
        if rate is not None or burst is not None:
            rate = rate if rate is not None else 10_000.0
            stage.route_throttles[str(route_key)] = (rate, burst if burst is not None else rate)


def http_stage(props: Mapping[str, Any], *, t: Template | None = None, pointer: str = "") -> StageSpec:
    """An HTTP API stage from ``StageName``, ``StageVariables``, ``DefaultRouteSettings`` and
    ``RouteSettings``, as ``AWS::Serverless::HttpApi`` and ``AWS::ApiGatewayV2::Stage`` both spell them.
    With ``t`` (and the properties' ``pointer``), a field of the wrong shape is a TemplateError naming it."""
    variables, settings = props.get("StageVariables"), props.get("DefaultRouteSettings")
    if t is not None:
        variables = t.mapping(variables, pointer + "/StageVariables", "StageVariables")
        settings = t.mapping(settings, pointer + "/DefaultRouteSettings", "DefaultRouteSettings")
    variables = variables if isinstance(variables, Mapping) else {}
    settings = settings if isinstance(settings, Mapping) else {}
    stage = StageSpec(
        name=str(props.get("StageName", "$default")), variables={k: str(v) for k, v in variables.items()}
    )
    rate, burst = (
        number(settings.get("ThrottlingRateLimit")),
        number(settings.get("ThrottlingBurstLimit")),
    )
    if rate is not None:
        stage.throttle = (rate, burst if burst is not None else rate)
    route_settings(stage, props.get("RouteSettings"))
    stage.access_log_format = access_log_format(props.get("AccessLogSettings"))
    return stage


def read_sam_api(
    t: Template, logical_id: str, model: TemplateModel, props: Mapping[str, Any] | None = None, *, rest: bool
) -> ApiSpec:
    """``AWS::Serverless::Api`` (``rest=True``) or ``AWS::Serverless::HttpApi``."""
    if props is None:
        props = t.properties(logical_id)
    pointer = _pointer(logical_id)
    name = str(
        props.get("Name") or (t.physical_name(logical_id) if logical_id in t.resources else logical_id)
    )
    api = ApiSpec(logical_id=logical_id, kind="REST" if rest else "HTTP", name=name, pointer=pointer)
    auth = t.mapping(props.get("Auth"), pointer + "/Auth", "Auth")
    _read_auth(t, model, api, auth, rest=rest)
    _read_definition(t, model, api, props)
    if rest:
        _read_rest_access(api, auth, props)
    if rest and props.get("GatewayResponses") is not None:
        _sam_gateway_responses(t, model, api, props["GatewayResponses"], pointer + "/GatewayResponses")
    list_not_emulated(model, logical_id, props, REST_NOT_EMULATED if rest else HTTP_NOT_EMULATED)
    if rest:
        _read_rest_stage(t, model, api, auth, props)
    else:
        _read_http_stage(t, api, props)
    return api


def _read_auth(
    t: Template, model: TemplateModel, api: ApiSpec, auth: Mapping[str, Any], *, rest: bool
) -> None:
    """``Auth``: the authorizers, the default one (which must be declared), API keys and whether the CORS
    preflights SAM adds are authorized."""
    api.authorizers = _authorizers(t, model, auth, api.pointer, rest=rest)
    default = auth.get("DefaultAuthorizer")
    if isinstance(default, str):
        if default not in api.authorizers:
            raise t.error(
                f"DefaultAuthorizer {default!r} is not one of the API's Authorizers "
                f"({sorted(api.authorizers)})",
                api.pointer + "/Auth/DefaultAuthorizer",
            )
        api.default_authorizer = default
    api.api_key_required = bool(auth.get("ApiKeyRequired", False))
    api.preflight_authorized = rest and auth.get("AddDefaultAuthorizerToCorsPreflight", True) is not False


def _read_definition(t: Template, model: TemplateModel, api: ApiSpec, props: Mapping[str, Any]) -> None:
    """The OpenAPI routes of ``DefinitionBody`` or a local ``DefinitionUri`` (one in S3 is listed as not
    emulated), and ``MergeDefinitions``."""
    body = props.get("DefinitionBody")
    uri = props.get("DefinitionUri")
    if isinstance(uri, str) and body is None and not uri.startswith("s3://"):
        body = local_document(t, uri, api.pointer + "/DefinitionUri")
    elif isinstance(uri, Mapping) or (isinstance(uri, str) and uri.startswith("s3://")):
        model.unsupported.append(
            f"{api.logical_id}: DefinitionUri in S3 (its routes are unknown; use a local path)"
        )
    if body is not None:
        read_body(body, api, model, source=t.source, pointer=api.pointer + "/DefinitionBody")
    api.user_body = body is not None or isinstance(uri, Mapping)
    api.merge_definitions = (
        props.get("MergeDefinitions") is True or str(props.get("MergeDefinitions")) == "true"
    )


def _read_rest_access(api: ApiSpec, auth: Mapping[str, Any], props: Mapping[str, Any]) -> None:
    """A REST API's resource policy (``Policy`` over SAM's ``Auth.ResourcePolicy``) and endpoint type."""
    auth_policy = auth.get("ResourcePolicy")
    if isinstance(auth_policy, Mapping):
        api.policy = sam_resource_policy(auth_policy)
    if props.get("Policy"):
        api.policy = props["Policy"]
    api.endpoint_type = endpoint_type(props.get("EndpointConfiguration")) or api.endpoint_type


def _read_rest_stage(
    t: Template, model: TemplateModel, api: ApiSpec, auth: Mapping[str, Any], props: Mapping[str, Any]
) -> None:
    """A REST API's stage (``StageName``, ``Variables``, ``MethodSettings``, access logs), binary media
    types, CORS, API key source and SAM usage plan."""
    pointer = api.pointer
    stage_name = props.get("StageName")
    if not isinstance(stage_name, str):
        raise t.error("an AWS::Serverless::Api needs a StageName", pointer + "/StageName")
    variables = t.mapping(props.get("Variables"), pointer + "/Variables", "Variables")
    stage = StageSpec(name=stage_name, variables={k: str(v) for k, v in variables.items()})
    settings = t.listing(props.get("MethodSettings"), pointer + "/MethodSettings", "MethodSettings")
    stage_from_method_settings(stage, settings, bool(props.get("CacheClusterEnabled")))
    stage.access_log_format = access_log_format(props.get("AccessLogSetting"))
    api.stages.append(stage)
    api.binary_media_types.extend(str(t) for t in props.get("BinaryMediaTypes") or [])
    cors = props.get("Cors")
    if cors is not None:
        api.cors = {"AllowOrigin": cors} if isinstance(cors, str) else dict(cors)
    if props.get("ApiKeySourceType"):
        api.api_key_source = str(props["ApiKeySourceType"])
    _usage_plan(t, api.logical_id, model, api, auth.get("UsagePlan"), stage_name)


def _read_http_stage(t: Template, api: ApiSpec, props: Mapping[str, Any]) -> None:
    """An HTTP API's stage and ``CorsConfiguration`` (``true``: every origin)."""
    api.stages.append(http_stage(props, t=t, pointer=api.pointer))
    if props.get("CorsConfiguration") is not None:
        cors = props["CorsConfiguration"]
        api.cors = (
            {"AllowOrigins": ["*"]} if cors is True else dict(cors) if isinstance(cors, Mapping) else None
        )


def _usage_plan(
    t: Template, logical_id: str, model: TemplateModel, api: ApiSpec, plan: Any, stage_name: str
) -> None:
    if not isinstance(plan, Mapping):
        return
    mode = str(plan.get("CreateUsagePlan", "NONE")).upper()
    if mode == "NONE":
        return
    prefix = logical_id if mode == "PER_API" else "Serverless"
    key_id = f"{prefix}ApiKey"
    key_value = model.api_keys.setdefault(key_id, t.short_id(key_id, 40))
    try:
        throttle, quota = usage_plan_limits(plan)
    except ValueError as exc:
        raise t.error(str(exc), _pointer(logical_id, "Auth", "UsagePlan")) from None
    api.usage_plans.append(
        UsagePlanSpec(
            name=str(plan.get("UsagePlanName") or f"{prefix}UsagePlan"),
            api_keys=[key_value],
            throttle=throttle,
            quota=quota,
            stages=[stage_name],
        )
    )


def usage_plan_limits(
    plan: Mapping[str, Any],
) -> tuple[tuple[float, float] | None, tuple[int, str] | None]:
    """A usage plan's ``Throttle`` (rate, burst) and ``Quota`` (limit, period), each None when not set."""
    throttle = plan.get("Throttle") or {}
    quota = plan.get("Quota") or {}
    if not isinstance(throttle, Mapping) or not isinstance(quota, Mapping):
        raise ValueError("a usage plan's Throttle and Quota must be mappings")
    rate, burst = number(throttle.get("RateLimit")), number(throttle.get("BurstLimit"))
    limit = number(quota.get("Limit"))
    if "Limit" in quota and limit is None:
        raise ValueError(f"a usage plan's Quota.Limit must be a number, got {quota['Limit']!r}")
    return (
        (rate, burst if burst is not None else rate) if rate is not None else None,
        (int(limit), str(quota.get("Period", "DAY")).upper()) if limit is not None else None,
    )


def local_document(t: Template, path: str, pointer: str) -> Any:
    if path.startswith("s3://"):
        raise t.error(f"{path!r} is in S3; point it at a local file to load it here", pointer)
    file = (t.base_dir / path).resolve()
    if not file.is_file():
        raise t.error(f"file {str(file)!r} does not exist", pointer)
    t.files.append(file)
    return t.resolve(load_document(file), pointer)
