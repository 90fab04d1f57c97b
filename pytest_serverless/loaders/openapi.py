"""OpenAPI 3 and Swagger 2 bodies with API Gateway's ``x-amazon-apigateway-*`` extensions.

``read_body`` adds the body's routes (one per path and method with an ``x-amazon-apigateway-integration``),
its authorizers (``securitySchemes``/``securityDefinitions`` with ``x-amazon-apigateway-authorizer``), API key
requirements (an ``apiKey`` security scheme), request validation (``x-amazon-apigateway-request-validators``
with the operation's body schema), CORS, binary media types and the API key source to an ``ApiSpec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_serverless.errors import TemplateError

from .model import ApiSpec, AuthorizerSpec, RouteSpec, TemplateModel
from .uris import cognito_issuer, integration, lambda_target

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
            pointer=pointer + "/x-amazon-apigateway-authorizer/authorizerResultTtlInSeconds",
        ) from None
    identity = _identity_sources(config.get("identitySource"))
    if kind == "cognito_user_pools":
        arns = config.get("providerARNs") or []
        if not isinstance(arns, list) or not arns:
            raise TemplateError(
                "a cognito_user_pools authorizer needs providerARNs", source=source, pointer=where
            )
        issuer = cognito_issuer(str(arns[0]), source=source, pointer=where + "/providerARNs/0")
        return AuthorizerSpec(
            name=name, kind="cognito", pointer=where, issuer=issuer, identity_source=identity
        )
    if kind == "jwt":
        jwt_config = _mapping(
            config.get("jwtConfiguration"), "jwtConfiguration", source=source, pointer=where
        )
        jwt_issuer = jwt_config.get("issuer")
        if not isinstance(jwt_issuer, str):
            raise TemplateError(
                "a jwt authorizer needs jwtConfiguration.issuer", source=source, pointer=where
            )
        audience = jwt_config.get("audience") or []
        return AuthorizerSpec(
            name=name,
            kind="jwt",
            pointer=where,
            issuer=jwt_issuer,
            audiences=[audience] if isinstance(audience, str) else [str(a) for a in audience],
            identity_source=identity,
        )
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
    schemes_pointer = pointer + (
        "/components/securitySchemes" if "components" in body else "/securityDefinitions"
    )
    components = _mapping(
        body.get("components"), "components", source=source, pointer=pointer + "/components"
    )
    schemes = _mapping(
        components.get("securitySchemes") or body.get("securityDefinitions"),
        "security schemes",
        source=source,
        pointer=schemes_pointer,
    )
    api_key_schemes: set[str] = set()
    for name, scheme in schemes.items():
        if not isinstance(scheme, Mapping):
            continue
        if (
            scheme.get("type") == "apiKey"
            and "x-amazon-apigateway-authorizer" not in scheme
            and scheme.get("x-amazon-apigateway-authtype") != "awsSigv4"
        ):
            api_key_schemes.add(name)
            continue
        spec = _authorizer(name, scheme, model, source=source, pointer=f"{schemes_pointer}/{_escape(name)}")
        if spec is not None:
            api.authorizers[name] = spec
    if body.get("x-amazon-apigateway-api-key-source"):
        api.api_key_source = str(body["x-amazon-apigateway-api-key-source"])
    if isinstance(body.get("x-amazon-apigateway-binary-media-types"), list):
        api.binary_media_types.extend(str(t) for t in body["x-amazon-apigateway-binary-media-types"])
    if isinstance(body.get("x-amazon-apigateway-cors"), Mapping):
        api.cors = dict(body["x-amazon-apigateway-cors"])
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
        for response_type, entry in responses.items():
            if not isinstance(entry, Mapping):
                raise TemplateError(
                    f"gateway response {response_type!r} must be a mapping",
                    source=source,
                    pointer=f"{pointer}/x-amazon-apigateway-gateway-responses/{_escape(str(response_type))}",
                )
            api.gateway_responses[str(response_type)] = {
                "status": entry.get("statusCode"),
                "parameters": entry.get("responseParameters"),
                "templates": entry.get("responseTemplates"),
                "pointer": f"{pointer}/x-amazon-apigateway-gateway-responses/{_escape(str(response_type))}",
            }
    elif responses:
        extensions.append("gateway-responses")
    endpoint = body.get("x-amazon-apigateway-endpoint-configuration")
    if isinstance(endpoint, Mapping) and endpoint.get("disableExecuteApiEndpoint"):
        extensions.append("endpoint-configuration disableExecuteApiEndpoint")
    if extensions:
        where = pointer.split("/")[2] if pointer.startswith("/Resources/") else api.logical_id
        model.unsupported.append(
            f"{where}: OpenAPI x-amazon-apigateway-{', x-amazon-apigateway-'.join(extensions)} (not emulated)"
        )
    validators = _mapping(
        body.get("x-amazon-apigateway-request-validators"),
        "x-amazon-apigateway-request-validators",
        source=source,
        pointer=pointer + "/x-amazon-apigateway-request-validators",
    )
    default_validator = body.get("x-amazon-apigateway-request-validator")
    default_security = body.get("security")

    paths = body.get("paths") or {}
    if not isinstance(paths, Mapping):
        raise TemplateError("'paths' must be a mapping", source=source, pointer=pointer + "/paths")
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        item_pointer = f"{pointer}/paths/{_escape(str(path))}"
        for method_key, operation in item.items():
            if method_key not in _METHODS or not isinstance(operation, Mapping):
                continue
            op_pointer = f"{item_pointer}/{method_key}"
            raw = operation.get("x-amazon-apigateway-integration")
            if not isinstance(raw, Mapping):
                continue  # a documented operation with no integration: API Gateway would refuse the import
            method = "ANY" if method_key == "x-amazon-apigateway-any-method" else method_key.upper()
            found = integration(
                model,
                kind=str(raw.get("type", "")),
                uri=raw.get("uri") if isinstance(raw.get("uri"), str) else None,
                source=source,
                pointer=op_pointer + "/x-amazon-apigateway-integration",
                subtype=raw.get("integrationSubtype"),
                request_parameters=raw.get("requestParameters"),
                request_templates=raw.get("requestTemplates"),
                responses=raw.get("responses"),
                timeout_ms=raw.get("timeoutInMillis"),
                payload_version=raw.get("payloadFormatVersion"),
                api_kind=api.kind,
                connection_type=raw.get("connectionType"),
                http_method=raw.get("httpMethod"),
            )
            route = RouteSpec(
                method=method,
                path="$default" if path == "$default" else str(path),
                integration=found,
                pointer=op_pointer,
            )
            security = operation.get("security", default_security)
            if isinstance(security, list):
                route.authorizer = "NONE"
                route.api_key_required = False
                for requirement in security:
                    if not isinstance(requirement, Mapping):
                        continue
                    for scheme_name, scopes in requirement.items():
                        if scheme_name in api_key_schemes:
                            route.api_key_required = True
                        elif scheme_name in api.authorizers:
                            route.authorizer = scheme_name
                            if scopes:
                                scopes = _list(
                                    scopes, "scopes", source=source, pointer=op_pointer + "/security"
                                )
                                route.scopes = [str(scope) for scope in scopes]
                        else:
                            raise TemplateError(
                                f"security requirement {scheme_name!r} names no security scheme "
                                f"(declared: {sorted(schemes)})",
                                source=source,
                                pointer=op_pointer + "/security",
                            )
            validator_name = operation.get("x-amazon-apigateway-request-validator", default_validator)
            if validator_name is not None:
                validator = validators.get(validator_name) if isinstance(validator_name, str) else None
                if not isinstance(validator, Mapping):
                    raise TemplateError(
                        f"request validator {validator_name!r} is not declared in "
                        "x-amazon-apigateway-request-validators",
                        source=source,
                        pointer=op_pointer,
                    )
                if validator.get("validateRequestBody"):
                    route.request_schema = _request_schema(body, operation, source=source, pointer=op_pointer)
                if validator.get("validateRequestParameters"):
                    route.required_parameters = _required_parameters(
                        body, item, operation, op_pointer, source
                    )
            cache_keys = raw.get("cacheKeyParameters")
            if isinstance(cache_keys, list):
                route.cache_key_parameters = [str(key) for key in cache_keys]
            api.routes.append(route)
