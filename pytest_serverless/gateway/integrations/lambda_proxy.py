"""Lambda integrations: AWS_PROXY (payload 1.0 / 2.0, AWS's parsing of answers) and REST non-proxy (VTL)."""

from __future__ import annotations

import base64
import binascii
import json
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_serverless._ids import deterministic_uuid
from pytest_serverless._user_code import UserCodeFailed
from pytest_serverless.errors import ServerlessError, UnemulatedCall
from pytest_serverless.gateway._scalars import scalar_text
from pytest_serverless.gateway.proxy_events import is_binary, v1_event, v2_event
from pytest_serverless.lambdas import FunctionTimedOut, Handler, invoke_handler

from .base import IntegrationCall, IntegrationResult

__all__ = [
    "LambdaIntegration",
    "LambdaProxyIntegration",
    "MalformedProxyResponse",
    "parse_v1_output",
    "parse_v2_output",
    "proxy_status",
]

_V1_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
FAILURE = "LAMBDA_PROXY_FAILURE"


class MalformedProxyResponse(Exception):
    """The function's answer is not a valid proxy response (AWS logs "Malformed Lambda proxy response")."""


def _function_name(handler: Handler) -> str:
    return getattr(handler, "__name__", None) or type(handler).__name__


def _lambda_request_id(call: IntegrationCall) -> str:
    return call.invocation_id or deterministic_uuid("lambda", call.request_id)


def _header_value(value: Any) -> str:
    if type(value) is str:
        return value
    text = scalar_text(value)
    if text is None:
        raise MalformedProxyResponse(f"header value {value!r} is not a string, number or boolean")
    return text


def proxy_status(value: Any) -> int:
    """A proxy answer's ``statusCode`` (an int, or digits) as a status; else ``MalformedProxyResponse``."""
    if isinstance(value, bool):
        raise MalformedProxyResponse("statusCode is a boolean")
    if isinstance(value, int):
        status = value
    elif isinstance(value, str) and value.strip().isdigit():
        status = int(value.strip())
    else:
        raise MalformedProxyResponse(f"statusCode {value!r} is not a number")
    if not 100 <= status <= 599:
        raise MalformedProxyResponse(f"statusCode {status} is not an HTTP status")
    return status


def _utf8(text: str) -> bytes:
    """A body's UTF-8 bytes; a lone surrogate (a handler's broken string) becomes ``?``, as a Java encoder
    writes it (unverified against AWS: listed in docs/differences.md)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def _decode_body(body: str, encoded: bool) -> bytes:
    if not encoded:
        return _utf8(body)
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedProxyResponse("isBase64Encoded is true but the body is not base64") from exc


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """True when ``value`` survives JSON serialisation unchanged (a proxy answer of strings and numbers)."""
    if type(value) is not dict:
        return False
    for key, item in value.items():
        if type(key) is not str:
            return False
        if isinstance(item, _SCALARS):
            if type(item) is float and item != item:  # NaN
                return False
            continue
        if type(item) is dict:
            for name, inner in item.items():
                if type(name) is not str or not isinstance(inner, _SCALARS) or type(inner) is float:
                    return False
            continue
        return False
    return True


def _marshal(result: Any) -> Any:
    """What reaches API Gateway: the result after Lambda's JSON serialisation."""
    if _plain(result):
        return result
    try:
        return json.loads(json.dumps(result, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise MalformedProxyResponse(f"the function's result is not JSON serialisable: {exc}") from exc


_DIRECT_KEYS = frozenset({"statusCode", "headers", "body", "isBase64Encoded"})
_JSON_DEFAULT = [("Content-Type", "application/json")]


def _direct_v1(result: Any) -> IntegrationResult | None:
    """``parse_v1_output(_marshal(result))`` for the usual answer, in one pass, else ``None``.

    The usual answer: an int ``statusCode``, ``headers`` of string names and values (no name twice in
    different cases), a string ``body`` and no base64: JSON serialisation leaves it as it is, and neither
    API kind decodes it. ``tests/gateway/test_proxy_fast_path.py`` checks it against the general reader.
    """
    if type(result) is not dict:
        return None
    status = result.get("statusCode")
    if type(status) is not int or not 100 <= status <= 599 or not _DIRECT_KEYS.issuperset(result):
        return None
    if "isBase64Encoded" in result and result["isBase64Encoded"] is not False:
        return None
    body = result.get("body")
    if type(body) is not str:
        if body is not None:
            return None
        body = ""
    single = result.get("headers")
    if single is None:
        pairs = _JSON_DEFAULT.copy()
    elif type(single) is dict:
        strict = _single_headers(single, True)
        if strict is None:
            return None
        pairs = strict
    else:
        return None
    return IntegrationResult(status, pairs, _utf8(body), None, None, True)  # trace_header=True


def parse_v1_output(result: Any, call: IntegrationCall) -> IntegrationResult:
    """REST (payload 1.0): AWS's checks, header merging and default content type."""
    if not isinstance(result, dict) or not result:
        raise MalformedProxyResponse("the answer must be a non-empty JSON object")
    if not _V1_KEYS.issuperset(result):
        unknown = set(result) - _V1_KEYS
        raise MalformedProxyResponse(f"unknown key(s) {sorted(unknown)}")
    code = result.get("statusCode")
    if type(code) is int and 100 <= code <= 599:
        status = code
    else:
        status = proxy_status(code) if code is not None else 200
    multi = result.get("multiValueHeaders")
    single = result.get("headers")
    simple = _single_headers(single) if multi is None and type(single) is dict else None
    content_type: str | None = None  # the (first) Content-Type; found on demand in the simple case
    if simple is not None:
        pairs = simple
    else:
        pairs, content_type = _merged_headers(multi, single)
    body = result.get("body")
    if body is None:
        body = ""
    elif not isinstance(body, str):
        if isinstance(body, (dict, list, bool)):
            raise MalformedProxyResponse("body must be a string")
        body = json.dumps(body)
    encoded = result.get("isBase64Encoded") is True
    if call.api_kind == "HTTP":  # an HTTP API route with payload format 1.0 decodes what it is told to
        pass
    elif encoded and call.binary_media_types:
        accept = call.request.headers.get("Accept", "").split(",")[0]
        if content_type is None:
            content_type = next(value for name, value in pairs if name.lower() == "content-type")
        encoded = is_binary(accept, call.binary_media_types) or is_binary(
            content_type, call.binary_media_types
        )
    else:
        encoded = False  # without binaryMediaTypes REST returns the base64 text as it is (recorded)
    content = _decode_body(body, True) if encoded else _utf8(body)
    return IntegrationResult(status, pairs, content, trace_header=True)


def _single_headers(single: dict[str, Any], strict: bool = False) -> list[tuple[str, str]] | None:
    """The header pairs of an answer with ``headers`` only, none repeated in another case; else ``None``.

    ``strict`` (an answer not yet through JSON): ``None`` also when a name or value is not a string.
    """
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in single.items():
        if type(name) is not str or type(value) is not str:
            if strict:
                return None
            value = _header_value(value)  # names are strings once through JSON
        lowered = name.lower()
        if lowered in seen:
            return None
        seen.add(lowered)
        pairs.append((name, value))
    if "content-type" not in seen:
        pairs.insert(0, _JSON_DEFAULT[0])
    return pairs


def _merged_headers(multi: Any, single: Any) -> tuple[list[tuple[str, str]], str]:
    """``multiValueHeaders`` and ``headers`` merged as AWS does; also the (first) Content-Type."""
    merged: dict[str, tuple[str, list[str]]] = {}
    if multi is not None:
        if not isinstance(multi, dict):
            raise MalformedProxyResponse("multiValueHeaders must be an object")
        for name, values in multi.items():
            if not isinstance(values, list):
                raise MalformedProxyResponse(f"multiValueHeaders[{name!r}] must be a list")
            entry = merged.setdefault(name.lower(), (name, []))
            entry[1].extend(_header_value(v) for v in values)
    if single is not None:
        if not isinstance(single, dict):
            raise MalformedProxyResponse("headers must be an object")
        for name, value in single.items():
            entry = merged.setdefault(name.lower(), (name, []))
            entry[1].append(_header_value(value))
    pairs: list[tuple[str, str]] = []
    for lowered, (name, values) in merged.items():
        if lowered == "set-cookie":
            pairs.extend((name, value) for value in values)
        elif values:
            pairs.append((name, ", ".join(values)))
    content_types = merged.get("content-type", ("", []))[1]
    if not content_types:  # absent, or an empty multiValueHeaders list: AWS's default
        pairs.insert(0, ("Content-Type", "application/json"))
        return pairs, "application/json"
    return pairs, content_types[0]


def parse_v2_output(result: Any, call: IntegrationCall) -> IntegrationResult:
    """HTTP API (payload 2.0): a ``statusCode`` answer, or AWS's inference for any other JSON value."""
    if not (isinstance(result, dict) and "statusCode" in result):
        inferred = result if isinstance(result, str) else json.dumps(result)
        return IntegrationResult(200, [("Content-Type", "application/json")], _utf8(inferred))
    status = proxy_status(result["statusCode"])
    pairs: list[tuple[str, str]] = []
    headers = result.get("headers")
    if headers is not None:
        if not isinstance(headers, dict):
            raise MalformedProxyResponse("headers must be an object")
        pairs.extend((name, _header_value(value)) for name, value in headers.items())
    cookies = result.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise MalformedProxyResponse("cookies must be a list of strings")
        pairs.extend(("Set-Cookie", cookie) for cookie in cookies)
    text = result.get("body")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        text = json.dumps(text)
    return IntegrationResult(status, pairs, _decode_body(text, result.get("isBase64Encoded") is True))


class LambdaProxyIntegration:
    """``api.route("GET /x", handler)``: AWS_PROXY; the function gets the 1.0 (REST) or 2.0 (HTTP) event.

    HTTP API routes may ask for ``payload_format="1.0"`` (the REST-like event and answer format).
    """

    def __init__(
        self, handler: Handler, *, function_name: str | None = None, payload_format: str | None = None
    ) -> None:
        if not callable(handler):
            raise TypeError(f"a Lambda handler must be callable, got {handler!r}")
        self.handler = handler
        self.function_name = function_name or _function_name(handler)
        self.payload_format = payload_format

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        rest = call.api_kind == "REST" or self.payload_format == "1.0"
        if not rest:
            event = v2_event(call)
        elif call.api_kind == "REST":
            event = v1_event(call)
        else:
            event = {"version": "1.0", **v1_event(call, lower_headers=True)}
        try:
            result, _ = invoke_handler(
                self.handler, event, self.function_name, _lambda_request_id(call), call.clock, call.timeout
            )
        except UnemulatedCall as exc:  # an AWS call nothing answers: the function fails (the test fails too)
            return IntegrationResult(failure=FAILURE, error=exc)
        except UserCodeFailed as failed:  # the function raised: AWS answers 502 (REST) / 500 (HTTP)
            error = failed.error
            # a function stopped at its own Timeout kept the request that long, not as long as it ran
            latency = error.timeout if isinstance(error, FunctionTimedOut) else None
            return IntegrationResult(failure=FAILURE, error=error, latency=latency)
        if rest:
            direct = _direct_v1(result)
            if direct is not None:
                return direct
        try:
            marshalled = _marshal(result)
            return parse_v1_output(marshalled, call) if rest else parse_v2_output(marshalled, call)
        except MalformedProxyResponse as exc:
            return IntegrationResult(failure=FAILURE, error=exc)


def lambda_error_object(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error document Lambda returns for an unhandled exception (what non-proxy integrations see)."""
    frames = traceback.format_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": frames[1:] if len(frames) > 1 else frames,
    }


class LambdaIntegration:
    """REST non-proxy Lambda (type AWS): VTL request template -> function -> integration response selection.

    ``integration_responses``: ``[{"statusCode": 405, "selectionPattern": ".*four hundred.*",
    "responseTemplates": {"application/json": "..."},
    "responseParameters": {"method.response.header.X": "'v'"}}]``;
    the entry without ``selectionPattern`` is the default. Errors are selected by ``errorMessage``.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        request_templates: Mapping[str, str] | None = None,
        integration_responses: Sequence[Mapping[str, Any]] | None = None,
        function_name: str | None = None,
    ) -> None:
        self.handler = handler
        self.function_name = function_name or _function_name(handler)
        self.request_templates = dict(request_templates or {})
        from . import vtl  # VTL (airspeed) for non-proxy integrations only: a proxy route never loads it

        self._vtl = vtl
        self.responses = vtl.IntegrationResponses(integration_responses)

    def invoke(self, call: IntegrationCall) -> IntegrationResult:
        vtl = self._vtl
        try:
            payload_text, overrides = vtl.render_request(self.request_templates, call)
        except vtl.TemplateFailure as exc:
            return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        try:
            payload = json.loads(payload_text) if payload_text.strip() else {}
        except ValueError as exc:
            return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        lambda_id = _lambda_request_id(call)
        error: BaseException | None = None
        try:
            result, _ = invoke_handler(
                self.handler,
                payload,
                function_name=self.function_name,
                request_id=lambda_id,
                clock=call.clock,
                timeout_seconds=call.timeout,
            )
            output = _marshal(result)
            error_message = None
        except ServerlessError as exc:
            if not isinstance(exc, UnemulatedCall):
                raise
            error = exc  # an AWS call nothing answers: the function fails (the test fails too)
            output = lambda_error_object(exc, lambda_id)
            error_message = str(exc)
        except MalformedProxyResponse as exc:
            return IntegrationResult(failure="INTEGRATION_FAILURE", error=exc)
        except (UserCodeFailed, RecursionError) as failed:  # the function raised (or its result is too deep
            error = failed.error if isinstance(failed, UserCodeFailed) else failed  # to serialise): its error
            output = lambda_error_object(error, lambda_id)
            error_message = str(error)
        return self.responses.respond(call, json.dumps(output), error_message, overrides, error=error)
