"""Mapping templates in Velocity (VTL) via ``airspeed``: ``$input``, ``$util``, ``$context``, stage variables.

Also the integration-response selection of non-proxy integrations (``selectionPattern`` -> status, template).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed

from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.events import format_request_time

from .base import IntegrationCall, IntegrationResult

__all__ = ["IntegrationResponses", "TemplateFailure", "compile_template", "json_path", "render_request"]

_TOKEN = re.compile(
    r"\.([A-Za-z_$][\w$-]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(-?\d+)\s*\]|\[\s*\*\s*\]|\.\*"
)
_MISSING = object()


class TemplateFailure(Exception):
    """A mapping template failed to render (AWS answers 500 Internal server error)."""


def compile_template(text: str, where: str) -> airspeed.Template:
    """Compile now, so a syntax error is reported when the route is declared (a ``UsageError``)."""
    template = airspeed.Template(text)
    try:
        template.ensure_compiled()
    except airspeed.TemplateSyntaxError as exc:
        raise UsageError(f"{where}: invalid mapping template: {exc}") from exc
    return template


def json_path(document: Any, path: str) -> Any:
    """The JSONPath subset mapping templates use: ``$``, ``.name``, ``['name']``, ``[0]``, ``[*]``."""
    text = path.strip()
    if not text.startswith("$"):
        raise TemplateFailure(f"JSONPath {path!r} must start with '$'")
    current: list[Any] = [document]
    many = False
    position = 1
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise TemplateFailure(f"unsupported JSONPath {path!r} at {text[position:]!r}")
        position = found.end()
        name = found.group(1) if found.group(1) is not None else found.group(2)
        if name is None:
            name = found.group(3)
        selected: list[Any] = []
        for item in current:
            if name is not None:
                if isinstance(item, dict) and name in item:
                    selected.append(item[name])
            elif found.group(4) is not None:
                index = int(found.group(4))
                if isinstance(item, list) and -len(item) <= index < len(item):
                    selected.append(item[index])
            else:
                many = True
                if isinstance(item, list):
                    selected.extend(item)
                elif isinstance(item, dict):
                    selected.extend(item.values())
        current = selected
    if many:
        return current
    return current[0] if current else _MISSING


class _Input:
    """``$input``: the request (or integration response) payload."""

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]]) -> None:
        self._body = body
        self._params = params
        self._parsed: Any = _MISSING

    def _document(self) -> Any:
        if self._parsed is _MISSING:
            try:
                self._parsed = json.loads(self._body) if self._body.strip() else {}
            except ValueError:
                self._parsed = self._body
        return self._parsed

    @property
    def body(self) -> str:
        return self._body

    def json(self, path: str = "$") -> str:
        value = json_path(self._document(), path)
        return "" if value is _MISSING else json.dumps(value)

    def path(self, path: str = "$") -> Any:
        value = json_path(self._document(), path)
        return None if value is _MISSING else value

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return {key: dict(values) for key, values in self._params.items()}
        for source in ("path", "querystring", "header"):
            values = self._params.get(source, {})
            if name in values:
                return values[name]
        return ""


class _Util:
    """``$util``."""

    def escapeJavaScript(self, value: Any) -> str:  # noqa: N802 (AWS's name)
        text = "" if value is None else str(value)
        escaped = json.dumps(text)[1:-1]
        return escaped.replace("'", "\\'")

    def parseJson(self, value: Any) -> Any:  # noqa: N802
        try:
            return json.loads(str(value))
        except ValueError as exc:
            raise TemplateFailure(f"$util.parseJson: not JSON: {value!r}") from exc

    def urlEncode(self, value: Any) -> str:  # noqa: N802
        return quote_plus(str(value), safe="")

    def urlDecode(self, value: Any) -> str:  # noqa: N802
        return unquote_plus(str(value))

    def base64Encode(self, value: Any) -> str:  # noqa: N802
        return base64.b64encode(str(value).encode()).decode("ascii")

    def base64Decode(self, value: Any) -> str:  # noqa: N802
        try:
            return base64.b64decode(str(value), validate=True).decode("utf-8", "replace")
        except ValueError as exc:
            raise TemplateFailure(f"$util.base64Decode: not base64: {value!r}") from exc

    def escapeJavaScriptString(self, value: Any) -> str:  # noqa: N802
        return self.escapeJavaScript(value)


def _params(call: IntegrationCall) -> dict[str, dict[str, str]]:
    request = call.request
    return {
        "path": dict(call.path_parameters),
        "querystring": dict(request.query),
        "header": {name: request.headers[name] for name in request.headers},
    }


def _context(call: IntegrationCall) -> dict[str, Any]:
    request = call.request
    auth = call.auth
    authorizer: dict[str, Any] = {}
    if auth is not None:
        authorizer["principalId"] = auth.principal_id
        authorizer.update(auth.context)
        if auth.claims is not None:
            authorizer["claims"] = dict(auth.claims)
    return {
        "requestId": call.request_id,
        "extendedRequestId": call.extended_request_id,
        "apiId": call.api_id,
        "stage": call.stage,
        "httpMethod": request.method,
        "resourcePath": call.resource_path,
        "path": f"/{call.stage}{request.path}",
        "domainName": call.domain_name,
        "requestTime": format_request_time(call.request_time),
        "requestTimeEpoch": int(call.request_time * 1000),
        "protocol": request.protocol,
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": request.headers.get("User-Agent"),
            "apiKey": call.api_key,
        },
        "authorizer": authorizer,
        "responseOverride": {"status": None, "header": {}},
        "requestOverride": {"header": {}, "querystring": {}, "path": {}},
    }


def render(template: airspeed.Template, call: IntegrationCall, body: str, context: dict[str, Any]) -> str:
    namespace = {
        "input": _Input(body, _params(call)),
        "util": _Util(),
        "context": context,
        "stageVariables": dict(call.stage_variables),
    }
    try:
        return str(template.merge(namespace))
    except TemplateFailure:
        raise
    except Exception as exc:  # airspeed's execution errors, and errors raised by $util / $input calls
        raise TemplateFailure(f"mapping template failed: {exc}") from exc


def _select_template(templates: Mapping[str, Any], content_type: str | None) -> Any:
    media = (content_type or "application/json").partition(";")[0].strip().lower()
    if media in templates:
        return templates[media]
    return templates.get("application/json")


def render_request(templates: Mapping[str, Any], call: IntegrationCall) -> tuple[str, dict[str, Any]]:
    """Render the request template for the request's content type (passthrough when there is none)."""
    context = _context(call)
    body = call.request.body.decode("utf-8", "replace")
    if not templates:
        return body, context
    source = _select_template(templates, call.request.headers.get("Content-Type"))
    if source is None:
        return body, context
    template = (
        source if isinstance(source, airspeed.Template) else compile_template(str(source), "request template")
    )
    return render(template, call, body, context), context


class IntegrationResponses:
    """Selects the integration response by ``selectionPattern`` (errors) or the default one."""

    def __init__(self, entries: Sequence[Mapping[str, Any]] | None) -> None:
        self.entries: list[tuple[re.Pattern[str] | None, int, dict[str, Any], dict[str, str]]] = []
        for index, entry in enumerate(entries or ()):
            where = f"integration_responses[{index}]"
            pattern = entry.get("selectionPattern")
            status = entry.get("statusCode", 200)
            try:
                status = int(status)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"{where}: statusCode must be a number, got {status!r}") from exc
            templates = dict(entry.get("responseTemplates") or {})
            if "responseTemplate" in entry:
                templates["application/json"] = entry["responseTemplate"]
            compiled = {k: compile_template(v, where) for k, v in templates.items()}
            headers: dict[str, str] = {}
            for key, value in (entry.get("responseParameters") or {}).items():
                name = key.rpartition(".")[2]
                text = str(value)
                headers[name] = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
            regex = re.compile(pattern) if pattern else None
            self.entries.append((regex, status, compiled, headers))

    def respond(
        self,
        call: IntegrationCall,
        output: str,
        error_message: str | None,
        context: dict[str, Any],
        *,
        error: BaseException | None = None,
    ) -> IntegrationResult:
        chosen = None
        for regex, status, templates, headers in self.entries:
            if regex is not None and error_message is not None and regex.fullmatch(error_message):
                chosen = (status, templates, headers)
                break
        if chosen is None:
            for regex, status, templates, headers in self.entries:
                if regex is None:
                    chosen = (status, templates, headers)
                    break
        status, templates, headers = chosen if chosen is not None else (200, {}, {})
        body = output
        template = templates.get("application/json") if templates else None
        if template is not None:
            try:
                body = render(template, call, output, context)
            except TemplateFailure as exc:
                return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        override = context.get("responseOverride", {})
        override_status = override.get("status")
        if override_status is not None:
            try:
                status = int(override_status)
            except (TypeError, ValueError):
                return IntegrationResult(failure="API_CONFIGURATION_ERROR")
        pairs = [("Content-Type", "application/json"), *headers.items()]
        pairs.extend((str(k), str(v)) for k, v in (override.get("header") or {}).items())
        return IntegrationResult(status, pairs, body.encode("utf-8"), error=error)
