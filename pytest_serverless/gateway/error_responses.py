"""AWS's error answers, per API kind (REST or HTTP), as AWS documents them (API Gateway developer guide,
"Gateway response types for API Gateway"; docs/differences.md lists what is not verified).

A pipeline step names a gateway response type (``THROTTLED``, ``UNAUTHORIZED``...); this module renders it
the way that API kind does: status, body (byte for byte, AWS's spacing included) and headers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Literal

from .request import GatewayRequest, Headers, Response

__all__ = ["REST_ERRORS", "HTTP_ERRORS", "error_response", "identity_headers"]

ApiKind = Literal["REST", "HTTP"]

# type -> (status, JSON key, default message, compact body?, x-amzn-ErrorType)
REST_ERRORS: dict[str, tuple[int, str, str | None, bool, str | None]] = {
    "MISSING_AUTHENTICATION_TOKEN": (
        403,
        "message",
        "Missing Authentication Token",
        True,
        "MissingAuthenticationTokenException",
    ),
    "UNAUTHORIZED": (401, "message", "Unauthorized", True, "UnauthorizedException"),
    "ACCESS_DENIED": (
        403,
        "Message",
        "User is not authorized to access this resource",
        True,
        "AccessDeniedException",
    ),
    "FORBIDDEN": (403, "message", "Forbidden", True, "ForbiddenException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "message", None, False, "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, "message", None, False, "AuthorizerFailureException"),
    "INVALID_API_KEY": (403, "message", "Forbidden", True, "ForbiddenException"),
    "THROTTLED": (429, "message", "Too Many Requests", True, "TooManyRequestsException"),
    "QUOTA_EXCEEDED": (429, "message", "Limit Exceeded", True, "LimitExceededException"),
    "INTEGRATION_TIMEOUT": (
        504,
        "message",
        "Endpoint request timed out",
        False,
        "InternalServerErrorException",
    ),
    "INTEGRATION_FAILURE": (500, "message", "Internal server error", False, "InternalServerErrorException"),
    # a raised exception or a malformed Lambda proxy answer ("Malformed Lambda proxy response")
    "LAMBDA_PROXY_FAILURE": (502, "message", "Internal server error", False, "InternalServerErrorException"),
    "API_CONFIGURATION_ERROR": (
        500,
        "message",
        "Internal server error",
        False,
        "InternalServerErrorException",
    ),
    "BAD_REQUEST_BODY": (400, "message", "Invalid request body", False, "BadRequestException"),
    "BAD_REQUEST_PARAMETERS": (
        400,
        "message",
        "Missing required request parameters: []",
        False,
        "BadRequestException",
    ),
    "BAD_REQUEST": (400, "message", "Bad Request", True, "BadRequestException"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "message", "Unsupported Media Type", True, "BadRequestException"),
    "REQUEST_TOO_LARGE": (413, "message", "Request Too Long", True, "RequestTooLargeException"),
    # a URL over 10,240 characters, or a method ARN over 1,600 bytes on an authorized method (AWS quotas:
    # "414 Request URI too long"); the body and error type are ours, AWS documents only the status line
    "REQUEST_URI_TOO_LONG": (414, "message", "Request URI too long", True, None),
    "RESOURCE_NOT_FOUND": (404, "message", "Not Found", True, "NotFoundException"),
    "INVALID_SIGNATURE": (
        403,
        "message",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        True,
        "InvalidSignatureException",
    ),
    "EXPIRED_TOKEN": (
        403,
        "message",
        "The security token included in the request is expired",
        True,
        "ExpiredTokenException",
    ),
}

# HTTP APIs have no gateway-response customisation and (as far as public sources show) no x-amzn-ErrorType.
# type -> (status, message)
HTTP_ERRORS: dict[str, tuple[int, str]] = {
    "RESOURCE_NOT_FOUND": (404, "Not Found"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Forbidden"),
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "Forbidden"),
    "FORBIDDEN": (403, "Forbidden"),
    "INVALID_API_KEY": (403, "Forbidden"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Internal Server Error"),
    "AUTHORIZER_FAILURE": (500, "Internal Server Error"),
    "THROTTLED": (429, "Too Many Requests"),
    "QUOTA_EXCEEDED": (429, "Too Many Requests"),
    "INTEGRATION_TIMEOUT": (503, "Service Unavailable"),
    "INTEGRATION_FAILURE": (500, "Internal Server Error"),
    "LAMBDA_PROXY_FAILURE": (500, "Internal Server Error"),
    "API_CONFIGURATION_ERROR": (500, "Internal Server Error"),
    "BAD_REQUEST_BODY": (400, "Bad Request"),
    "BAD_REQUEST_PARAMETERS": (400, "Bad Request"),
    "BAD_REQUEST": (400, "Bad Request"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type"),
    "REQUEST_TOO_LARGE": (413, "Request Entity Too Large"),
    "REQUEST_URI_TOO_LONG": (414, "Request URI too long"),
    # request line and header values over 10,240 bytes (an HTTP API quota; the answer is ours)
    "REQUEST_HEADERS_TOO_LARGE": (431, "Request Header Fields Too Large"),
    "INVALID_SIGNATURE": (403, "Forbidden"),
    "EXPIRED_TOKEN": (403, "Forbidden"),
}

# Messages an authorizer may pass that only make sense on REST (HTTP APIs always say "Forbidden" etc.).
_HTTP_KEEPS_MESSAGE = frozenset({"INVALID_SIGNATURE", "EXPIRED_TOKEN"})


def identity_headers(api_kind: ApiKind, request_id: str, extended_request_id: str) -> list[tuple[str, str]]:
    """Id headers of every answer: ``x-amzn-RequestId``, ``x-amz-apigw-id`` (REST), ``apigw-requestid``."""
    if api_kind == "REST":
        return [("x-amzn-RequestId", request_id), ("x-amz-apigw-id", extended_request_id)]
    return [("apigw-requestid", extended_request_id)]


def _body(key: str, message: str | None, compact: bool) -> bytes:
    if compact:
        return ('{"%s":%s}' % (key, json.dumps(message))).encode()  # noqa: UP031 (AWS's exact spacing)
    return ('{"%s": %s}' % (key, json.dumps(message))).encode()  # noqa: UP031


def error_response(
    api_kind: ApiKind,
    response_type: str,
    *,
    request_id: str,
    extended_request_id: str,
    answered_by: str,
    message: str | None = None,
    extra_headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    route_key: str | None = None,
    request: GatewayRequest | None = None,
    error: BaseException | None = None,
    error_type: str | None = None,
    reason: str | None = None,
) -> Response:
    """Render gateway response type ``response_type`` as ``api_kind`` answers it."""
    pairs: list[tuple[str, str]] = [("Content-Type", "application/json")]
    if api_kind == "REST":
        status, key, default, compact, default_error_type = REST_ERRORS.get(
            response_type, REST_ERRORS["API_CONFIGURATION_ERROR"]
        )
        body = _body(key, message if message is not None else default, compact)
        pairs.extend(identity_headers(api_kind, request_id, extended_request_id))
        error_type = error_type or default_error_type
        if error_type is not None:
            pairs.append(("x-amzn-ErrorType", error_type))
    else:
        status, text = HTTP_ERRORS.get(response_type, HTTP_ERRORS["API_CONFIGURATION_ERROR"])
        if message is not None and response_type in _HTTP_KEEPS_MESSAGE:
            text = message
        body = _body("message", text, True)
        pairs.extend(identity_headers(api_kind, request_id, extended_request_id))
    items = extra_headers.items() if isinstance(extra_headers, Mapping) else extra_headers
    pairs.extend((str(name), str(value)) for name, value in items)
    pairs.append(("Content-Length", str(len(body))))
    return Response(
        status,
        Headers(pairs),
        body,
        answered_by=answered_by,
        request_id=request_id,
        route_key=route_key,
        request=request,
        error=error,
        reason=reason,
    )
