"""REST gateway responses: the status, headers and body template of each error answer the gateway gives.

``api.gateway_response("DEFAULT_4XX", headers={"Access-Control-Allow-Origin": "*"})`` changes every 4XX
answer of the API; ``"UNAUTHORIZED"`` only that one. AWS's rules ("Gateway response types for API
Gateway"): a type with no response of its own takes ``DEFAULT_4XX`` or ``DEFAULT_5XX`` (by its default
status); a status set on ``DEFAULT_4XX``/``DEFAULT_5XX`` becomes the status of every type without a status of
its own; the default body template is ``{"message":$context.error.messageString}``.

Header values in AWS's form (``gatewayresponse.header.NAME`` -> ``'literal'``, ``method.request.header.X``,
``method.request.querystring.X``, ``method.request.path.X``, ``stageVariables.X``, ``context.X``) come from
templates; the Python API takes literal values in ``headers=`` and AWS's form in ``parameters=``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_serverless.errors import UsageError

from .request import GatewayRequest, Headers, Response

__all__ = ["RESPONSE_TYPES", "GatewayResponse", "customise"]

RESPONSE_TYPES = frozenset(
    {
        "ACCESS_DENIED",
        "API_CONFIGURATION_ERROR",
        "AUTHORIZER_CONFIGURATION_ERROR",
        "AUTHORIZER_FAILURE",
        "BAD_REQUEST_PARAMETERS",
        "BAD_REQUEST_BODY",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
        "EXPIRED_TOKEN",
        "INTEGRATION_FAILURE",
        "INTEGRATION_TIMEOUT",
        "INVALID_API_KEY",
        "INVALID_SIGNATURE",
        "MISSING_AUTHENTICATION_TOKEN",
        "QUOTA_EXCEEDED",
        "REQUEST_TOO_LARGE",
        "RESOURCE_NOT_FOUND",
        "THROTTLED",
        "UNAUTHORIZED",
        "UNSUPPORTED_MEDIA_TYPE",
        "WAF_FILTERED",
    }
)
_SOURCES = ("method.request.header.", "method.request.querystring.", "method.request.path.")


class GatewayResponse:
    """One customised gateway response type."""

    __slots__ = ("headers", "response_type", "status", "templates")

    def __init__(
        self,
        response_type: str,
        status: int | None,
        headers: list[tuple[str, str]],
        templates: dict[str, Any],
    ) -> None:
        self.response_type = response_type
        self.status = status
        self.headers = headers  # (name, AWS expression: "'literal'", "method.request.header.X", ...)
        self.templates = templates  # media type -> vtl.MappingTemplate

    def __repr__(self) -> str:
        return f"GatewayResponse({self.response_type!r}, status={self.status})"


def build(
    response_type: str,
    *,
    status: Any,
    headers: Mapping[str, Any] | None,
    templates: Mapping[str, Any] | None,
    parameters: Mapping[str, Any] | None,
    where: str,
) -> GatewayResponse:
    from .integrations import vtl

    if response_type not in RESPONSE_TYPES:
        raise UsageError(
            f"{where}: {response_type!r} is not a gateway response type "
            f"(types: {', '.join(sorted(RESPONSE_TYPES))})"
        )
    code: int | None = None
    if status not in (None, ""):
        try:
            code = int(str(status))
        except ValueError:
            raise UsageError(f"{where}: status must be an HTTP status code, got {status!r}") from None
        if not 100 <= code <= 599:
            raise UsageError(f"{where}: status must be between 100 and 599, got {code}")
    pairs: list[tuple[str, str]] = []
    if headers is not None and not isinstance(headers, Mapping):
        raise UsageError(f"{where}: headers must map a header name to a value, got {headers!r}")
    for name, value in (headers or {}).items():
        pairs.append((str(name), "'" + str(value).replace("'", "''") + "'"))
    if parameters is not None and not isinstance(parameters, Mapping):
        raise UsageError(f"{where}: parameters must be a mapping, got {parameters!r}")
    for key, value in (parameters or {}).items():
        prefix, _, name = str(key).rpartition(".")
        if prefix != "gatewayresponse.header" or not name:
            raise UsageError(
                f"{where}: response parameter {key!r} is not supported (use gatewayresponse.header.NAME)"
            )
        expression = str(value)
        if not (
            (len(expression) >= 2 and expression[0] == expression[-1] == "'")
            or expression.startswith((*_SOURCES, "stageVariables.", "context."))
        ):
            raise UsageError(
                f"{where}: the value of {key!r} must be a quoted literal ('value'), method.request.header.X, "
                f"method.request.querystring.X, method.request.path.X, stageVariables.X or context.X; got "
                f"{expression!r}"
            )
        pairs.append((name, expression))
    if templates is not None and not isinstance(templates, Mapping):
        raise UsageError(f"{where}: templates must map a content type to a template, got {templates!r}")
    compiled = {
        str(media): vtl.compile_template(str(text), f"{where} template {media!r}")
        for media, text in (templates or {}).items()
    }
    return GatewayResponse(response_type, code, pairs, compiled)


def _value(
    expression: str,
    request: GatewayRequest,
    path_parameters: Mapping[str, str],
    variables: Mapping[str, str],
    context: Mapping[str, Any],
) -> str | None:
    if len(expression) >= 2 and expression[0] == expression[-1] == "'":
        return expression[1:-1].replace("''", "'")
    if expression.startswith("method.request.header."):
        return str(request.headers.get(expression[len("method.request.header.") :]) or "") or None
    if expression.startswith("method.request.querystring."):
        values = request.query_values(expression[len("method.request.querystring.") :])
        return values[-1] if values else None
    if expression.startswith("method.request.path."):
        return path_parameters.get(expression[len("method.request.path.") :])
    if expression.startswith("stageVariables."):
        return variables.get(expression[len("stageVariables.") :])
    found: Any = context
    for part in expression[len("context.") :].split("."):
        found = found.get(part) if isinstance(found, Mapping) else None
    return None if found is None else str(found)


def customise(
    responses: Mapping[str, GatewayResponse],
    response: Response,
    *,
    response_type: str,
    message: str | None,
    request: GatewayRequest,
    path_parameters: Mapping[str, str],
    variables: Mapping[str, str],
    request_id: str,
    api_id: str,
    stage: str,
) -> Response:
    """``response`` (AWS's default answer for ``response_type``) with the API's customisations applied."""
    from .integrations import vtl
    from .integrations._vtl_java import JavaMap

    default_status = response.status_code
    fallback = responses.get("DEFAULT_4XX" if default_status < 500 else "DEFAULT_5XX")
    own = responses.get(response_type) if response_type in RESPONSE_TYPES else None
    chosen = own or fallback
    if chosen is None:
        return response
    status = default_status
    if own is not None and own.status is not None:
        status = own.status
    elif fallback is not None and fallback.status is not None:
        status = fallback.status
    error = {
        "message": "" if message is None else message,
        "messageString": json.dumps(message),
        "responseType": response_type if response_type in RESPONSE_TYPES else f"DEFAULT_{str(status)[0]}XX",
        "validationErrorString": "",
    }
    context: dict[str, Any] = {
        "error": error,
        "requestId": request_id,
        "extendedRequestId": response.headers.get("x-amz-apigw-id") or "",
        "apiId": api_id,
        "stage": stage,
        "httpMethod": request.method,
        "path": f"/{stage}{request.path}",
        "resourcePath": response.route_key.partition(" ")[2] if response.route_key else "",
        "identity": {"sourceIp": request.source_ip, "userAgent": request.headers.get("User-Agent") or ""},
    }
    headers = response.headers.copy()
    body = response.content
    if chosen.templates:
        media = "application/json" if "application/json" in chosen.templates else next(iter(chosen.templates))
        namespace = {
            "context": JavaMap({k: _java(v) for k, v in context.items()}),
            "stageVariables": JavaMap(dict(variables)),
            "util": vtl._Util(),
        }
        try:
            body = chosen.templates[media].merge(namespace).encode("utf-8")
        except vtl.TemplateFailure:
            pass  # AWS keeps the default body when the gateway response template fails
        else:
            headers.set("Content-Type", media)
            headers.set("Content-Length", str(len(body)))
    for name, expression in chosen.headers:
        value = _value(expression, request, path_parameters, variables, context)
        if value is not None:
            headers.set(name, value)
    if status == default_status and body is response.content and not chosen.headers:
        return response
    return Response(
        status,
        Headers(list(headers.items_all())),
        body,
        answered_by=response.answered_by,
        request_id=response.request_id,
        route_key=response.route_key,
        request=request,
        error=response.error,
        reason=response.reason,
    )


def _java(value: Any) -> Any:
    from .integrations._vtl_java import JavaMap, JavaString

    if isinstance(value, dict):
        return JavaMap({k: _java(v) for k, v in value.items()})
    if isinstance(value, str):
        return JavaString(value)
    return value
