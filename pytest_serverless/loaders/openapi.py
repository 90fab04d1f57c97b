"""OpenAPI 3 and Swagger 2 bodies with API Gateway's ``x-amazon-apigateway-*`` extensions.

``read_body`` adds the body's routes (one per path and method with an ``x-amazon-apigateway-integration``),
its authorizers (``securitySchemes``/``securityDefinitions`` with ``x-amazon-apigateway-authorizer``), API key
requirements (an ``apiKey`` security scheme), request validation (``x-amazon-apigateway-request-validators``
with the operation's body schema), CORS, binary media types and the API key source to an ``ApiSpec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_serverless.errors import TemplateError

from .model import ApiSpec, AuthorizerSpec, RouteSpec, TemplateModel
from .uris import OPENAPI_FIELDS, cognito_issuer, integration_of, lambda_target

__all__ = ["read_body"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _mapping(value: Any, what: str, *, source: str, pointer: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TemplateError(f"{what} must be a mapping, got {value!r}"[:160], source=source, pointer=pointer)
    return value


def _list(value: Any, what: str, *, source: str, pointer: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TemplateError(f"{what} must be a list, got {value!r}"[:160], source=source, pointer=pointer)
    return value


def _resolve_ref(body: Mapping[str, Any], value: Any, *, source: str, pointer: str, depth: int = 0) -> Any:
    """Inline local ``$ref``s (``#/components/schemas/Order``, ``#/definitions/Order``)."""
    if depth > 32:
        raise TemplateError("$ref nesting is too deep (a cycle?)", source=source, pointer=pointer)
    if isinstance(value, Mapping):
        ref = value.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#/"):
                raise TemplateError(
                    f"only local $ref are supported, got {ref!r}", source=source, pointer=pointer
                )
            target: Any = body
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, Mapping) or part not in target:
                    raise TemplateError(f"$ref {ref!r} points at nothing", source=source, pointer=pointer)
                target = target[part]
            return _resolve_ref(body, target, source=source, pointer=pointer, depth=depth + 1)
        return {
            k: _resolve_ref(body, v, source=source, pointer=pointer, depth=depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_resolve_ref(body, item, source=source, pointer=pointer, depth=depth + 1) for item in value]
    return value


def _identity_sources(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return [str(part) for part in raw] if isinstance(raw, list) else [str(raw)]


def _authorizer(
    name: str, scheme: Mapping[str, Any], model: TemplateModel, *, source: str, pointer: str
) -> AuthorizerSpec | None:
    """The authorizer a security scheme declares (None: the scheme is not one)."""
    config = scheme.get("x-amazon-apigateway-authorizer")
    if scheme.get("x-amazon-apigateway-authtype") == "awsSigv4" and not isinstance(config, Mapping):
        return AuthorizerSpec(name=name, kind="iam", pointer=pointer)
    if not isinstance(config, Mapping):
        return None
    kind = str(config.get("type", "")).lower()
    where = pointer + "/x-amazon-apigateway-authorizer"
    try:
        ttl = float(config.get("authorizerResultTtlInSeconds", 300))
    except (TypeError, ValueError):
        raise TemplateError(
            "authorizerResultTtlInSeconds must be a number of seconds",
            source=source,
            pointer=where + "/authorizerResultTtlInSeconds",
        ) from None
    identity = _identity_sources(config.get("identitySource"))
    if kind == "cognito_user_pools":
        return _cognito_authorizer(name, config, identity, source=source, pointer=where)
    if kind == "jwt":
        return _jwt_authorizer(name, config, identity, source=source, pointer=where)
    if kind in ("token", "request"):
        uri = config.get("authorizerUri")
        if not isinstance(uri, str):
            raise TemplateError(f"a {kind} authorizer needs authorizerUri", source=source, pointer=where)
        return AuthorizerSpec(
            name=name,
            kind="lambda",
            pointer=where,
            function=lambda_target(model, uri),
            lambda_type="TOKEN" if kind == "token" else "REQUEST",
            identity_source=identity or (["method.request.header.Authorization"] if kind == "token" else []),
            ttl=ttl,
            payload_version=str(config.get("authorizerPayloadFormatVersion", "1.0")),
            simple_responses=bool(config.get("enableSimpleResponses", False)),
        )
    raise TemplateError(f"authorizer type {kind!r} is not supported", source=source, pointer=where)


def _cognito_authorizer(
    name: str, config: Mapping[str, Any], identity: list[str], *, source: str, pointer: str
) -> AuthorizerSpec:
    arns = config.get("providerARNs") or []
    if not isinstance(arns, list) or not arns:
        raise TemplateError(
            "a cognito_user_pools authorizer needs providerARNs", source=source, pointer=pointer
        )
    issuer = cognito_issuer(str(arns[0]), source=source, pointer=pointer + "/providerARNs/0")
    return AuthorizerSpec(name=name, kind="cognito", pointer=pointer, issuer=issuer, identity_source=identity)


def _jwt_authorizer(
    name: str, config: Mapping[str, Any], identity: list[str], *, source: str, pointer: str
) -> AuthorizerSpec:
    jwt_config = _mapping(config.get("jwtConfiguration"), "jwtConfiguration", source=source, pointer=pointer)
    jwt_issuer = jwt_config.get("issuer")
    if not isinstance(jwt_issuer, str):
        raise TemplateError("a jwt authorizer needs jwtConfiguration.issuer", source=source, pointer=pointer)
    audience = jwt_config.get("audience") or []
    return AuthorizerSpec(
        name=name,
        kind="jwt",
        pointer=pointer,
        issuer=jwt_issuer,
        audiences=[audience] if isinstance(audience, str) else [str(a) for a in audience],
        identity_source=identity,
    )


def _request_schema(
    body: Mapping[str, Any], operation: Mapping[str, Any], *, source: str, pointer: str
) -> dict[str, Any] | None:
    request_body = operation.get("requestBody")
    if isinstance(request_body, Mapping):  # OpenAPI 3
        request_body = _resolve_ref(body, request_body, source=source, pointer=pointer)
        content = _mapping(request_body.get("content"), "requestBody.content", source=source, pointer=pointer)
        media = content.get("application/json") or (next(iter(content.values())) if content else None)
        if isinstance(media, Mapping) and isinstance(media.get("schema"), Mapping):
            schema = _resolve_ref(body, media["schema"], source=source, pointer=pointer)
            return dict(schema) if isinstance(schema, Mapping) else None
        return None
    parameters = _list(operation.get("parameters"), "parameters", source=source, pointer=pointer)
    for parameter in parameters:  # Swagger 2
        parameter = _resolve_ref(body, parameter, source=source, pointer=pointer)
        if isinstance(parameter, Mapping) and parameter.get("in") == "body" and "schema" in parameter:
            schema = _resolve_ref(body, parameter["schema"], source=source, pointer=pointer)
            return dict(schema) if isinstance(schema, Mapping) else None
    return None


_PARAMETER_SOURCES = {"query": "querystring", "header": "header", "path": "path"}


def _required_parameters(
    body: Mapping[str, Any], item: Mapping[str, Any], operation: Mapping[str, Any], pointer: str, source: str
) -> list[str]:
    """``required: true`` query, header and path parameters of the path item and the operation."""
    found: list[str] = []
    shared = _list(item.get("parameters"), "parameters", source=source, pointer=pointer)
    own = _list(operation.get("parameters"), "parameters", source=source, pointer=pointer)
    for raw in [*shared, *own]:
        parameter = _resolve_ref(body, raw, source=source, pointer=pointer)
        if not isinstance(parameter, Mapping) or not parameter.get("required"):
            continue
        where = _PARAMETER_SOURCES.get(str(parameter.get("in")))
        if where is not None and parameter.get("name"):
            found.append(f"{where}.{parameter['name']}")
    return found


@dataclass
class _Body:
    """One OpenAPI body being read into ``api``, where it is, and what its top level declares for the
    operations: the security schemes (``api_key_schemes``: those that are API keys) and request validators."""

    document: Mapping[str, Any]
    api: ApiSpec
    model: TemplateModel
    source: str
    pointer: str
    schemes: Mapping[str, Any] = field(default_factory=dict)
    api_key_schemes: set[str] = field(default_factory=set)
    validators: Mapping[str, Any] = field(default_factory=dict)

    def error(self, message: str, pointer: str) -> TemplateError:
        return TemplateError(message, source=self.source, pointer=pointer)


def read_body(body: Any, api: ApiSpec, model: TemplateModel, *, source: str, pointer: str) -> None:
    """Add what an OpenAPI / Swagger body declares to ``api``."""
    if not isinstance(body, Mapping):
        raise TemplateError("an OpenAPI body must be a mapping", source=source, pointer=pointer)
    if "openapi" not in body and "swagger" not in body:
        raise TemplateError(
            "an OpenAPI body needs an 'openapi: 3.0.x' or 'swagger: \"2.0\"' field",
            source=source,
            pointer=pointer,
        )
    reading = _Body(body, api, model, source, pointer)
    _read_security_schemes(reading)
    _read_api_settings(reading)
    _list_extensions_not_emulated(reading)
    reading.validators = _mapping(
        body.get("x-amazon-apigateway-request-validators"),
        "x-amazon-apigateway-request-validators",
        source=source,
        pointer=pointer + "/x-amazon-apigateway-request-validators",
    )
    _read_paths(reading)


def _read_security_schemes(reading: _Body) -> None:
    """The body's authorizers into the API; the names of its API key schemes into ``api_key_schemes``."""
    body, pointer, source = reading.document, reading.pointer, reading.source
    schemes_pointer = pointer + (
        "/components/securitySchemes" if "components" in body else "/securityDefinitions"
    )
    components = _mapping(
        body.get("components"), "components", source=source, pointer=pointer + "/components"
    )
    reading.schemes = _mapping(
        components.get("securitySchemes") or body.get("securityDefinitions"),
        "security schemes",
        source=source,
        pointer=schemes_pointer,
    )
    for name, scheme in reading.schemes.items():
        if not isinstance(scheme, Mapping):
            continue
        if (
            scheme.get("type") == "apiKey"
            and "x-amazon-apigateway-authorizer" not in scheme
            and scheme.get("x-amazon-apigateway-authtype") != "awsSigv4"
        ):
            reading.api_key_schemes.add(name)
            continue
        where = f"{schemes_pointer}/{_escape(name)}"
        spec = _authorizer(name, scheme, reading.model, source=source, pointer=where)
        if spec is not None:
            reading.api.authorizers[name] = spec


def _read_api_settings(reading: _Body) -> None:
    """The API key source, binary media types and CORS configuration."""
    body, api = reading.document, reading.api
    if body.get("x-amazon-apigateway-api-key-source"):
        api.api_key_source = str(body["x-amazon-apigateway-api-key-source"])
    if isinstance(body.get("x-amazon-apigateway-binary-media-types"), list):
        api.binary_media_types.extend(str(t) for t in body["x-amazon-apigateway-binary-media-types"])
    if isinstance(body.get("x-amazon-apigateway-cors"), Mapping):
        api.cors = dict(body["x-amazon-apigateway-cors"])


def _list_extensions_not_emulated(reading: _Body) -> None:
    """Read the resource policy and gateway responses of a REST API; list in ``model.unsupported`` the
    extensions the library does not emulate (those two on an HTTP API among them)."""
    body, api = reading.document, reading.api
    extensions = [
        name.removeprefix("x-amazon-apigateway-")
        for name in ("x-amazon-apigateway-minimum-compression-size",)
        if body.get(name)
    ]
    if body.get("x-amazon-apigateway-policy"):
        if api.kind == "REST":
            api.policy = body["x-amazon-apigateway-policy"]
        else:
            extensions.append("policy")
    responses = body.get("x-amazon-apigateway-gateway-responses")
    if isinstance(responses, Mapping) and api.kind == "REST":
        _read_gateway_responses(reading, responses)
    elif responses:
        extensions.append("gateway-responses")
    endpoint = body.get("x-amazon-apigateway-endpoint-configuration")
    if isinstance(endpoint, Mapping) and endpoint.get("disableExecuteApiEndpoint"):
        extensions.append("endpoint-configuration disableExecuteApiEndpoint")
    if extensions:
        pointer = reading.pointer
        where = pointer.split("/")[2] if pointer.startswith("/Resources/") else api.logical_id
        reading.model.unsupported.append(
            f"{where}: OpenAPI x-amazon-apigateway-{', x-amazon-apigateway-'.join(extensions)} (not emulated)"
        )


def _read_gateway_responses(reading: _Body, responses: Mapping[str, Any]) -> None:
    for response_type, entry in responses.items():
        where = f"{reading.pointer}/x-amazon-apigateway-gateway-responses/{_escape(str(response_type))}"
        if not isinstance(entry, Mapping):
            raise reading.error(f"gateway response {response_type!r} must be a mapping", where)
        reading.api.gateway_responses[str(response_type)] = {
            "status": entry.get("statusCode"),
            "parameters": entry.get("responseParameters"),
            "templates": entry.get("responseTemplates"),
            "pointer": where,
        }


def _read_paths(reading: _Body) -> None:
    """One route per path and method with an ``x-amazon-apigateway-integration`` (a documented operation with
    none is skipped: API Gateway would refuse the import)."""
    paths = reading.document.get("paths") or {}
    if not isinstance(paths, Mapping):
        raise reading.error("'paths' must be a mapping", reading.pointer + "/paths")
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        item_pointer = f"{reading.pointer}/paths/{_escape(str(path))}"
        for method_key, operation in item.items():
            if method_key not in _METHODS or not isinstance(operation, Mapping):
                continue
            raw = operation.get("x-amazon-apigateway-integration")
            if isinstance(raw, Mapping):
                route = _route(reading, str(path), method_key, raw, f"{item_pointer}/{method_key}")
                _apply_security(reading, route, operation)
                _apply_validator(reading, route, item, operation)
                reading.api.routes.append(route)


def _route(reading: _Body, path: str, method_key: str, raw: Mapping[str, Any], pointer: str) -> RouteSpec:
    """The route of one operation with its integration and cache keys."""
    found = integration_of(
        reading.model,
        raw,
        OPENAPI_FIELDS,
        source=reading.source,
        pointer=pointer + "/x-amazon-apigateway-integration",
        api_kind=reading.api.kind,
    )
    route = RouteSpec(
        method="ANY" if method_key == "x-amazon-apigateway-any-method" else method_key.upper(),
        path="$default" if path == "$default" else path,
        integration=found,
        pointer=pointer,
    )
    cache_keys = raw.get("cacheKeyParameters")
    if isinstance(cache_keys, list):
        route.cache_key_parameters = [str(key) for key in cache_keys]
    return route


def _apply_security(reading: _Body, route: RouteSpec, operation: Mapping[str, Any]) -> None:
    """The operation's ``security`` (or the body's): its authorizer, scopes and API key requirement."""
    security = operation.get("security", reading.document.get("security"))
    if not isinstance(security, list):
        return
    route.authorizer = "NONE"
    route.api_key_required = False
    for requirement in security:
        if isinstance(requirement, Mapping):
            for scheme_name, scopes in requirement.items():
                _apply_requirement(reading, route, scheme_name, scopes)


def _apply_requirement(reading: _Body, route: RouteSpec, scheme_name: Any, scopes: Any) -> None:
    where = route.pointer + "/security"
    if scheme_name in reading.api_key_schemes:
        route.api_key_required = True
    elif scheme_name in reading.api.authorizers:
        route.authorizer = scheme_name
        if scopes:
            scopes = _list(scopes, "scopes", source=reading.source, pointer=where)
            route.scopes = [str(scope) for scope in scopes]
    else:
        declared = sorted(reading.schemes)
        raise reading.error(
            f"security requirement {scheme_name!r} names no security scheme (declared: {declared})", where
        )


def _apply_validator(
    reading: _Body, route: RouteSpec, item: Mapping[str, Any], operation: Mapping[str, Any]
) -> None:
    """The operation's request validator (or the body's): the body schema and required parameters."""
    body, pointer = reading.document, route.pointer
    validator_name = operation.get(
        "x-amazon-apigateway-request-validator", body.get("x-amazon-apigateway-request-validator")
    )
    if validator_name is None:
        return
    validator = reading.validators.get(validator_name) if isinstance(validator_name, str) else None
    if not isinstance(validator, Mapping):
        raise reading.error(
            f"request validator {validator_name!r} is not declared in x-amazon-apigateway-request-validators",
            pointer,
        )
    if validator.get("validateRequestBody"):
        route.request_schema = _request_schema(body, operation, source=reading.source, pointer=pointer)
    if validator.get("validateRequestParameters"):
        route.required_parameters = _required_parameters(body, item, operation, pointer, reading.source)
